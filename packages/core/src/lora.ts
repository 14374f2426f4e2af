// LoRA adapters on the Qwen2 projections: W x + (alpha / r) B A x with the base weights frozen,
// mergeable into the (fused) base weights, and saved/loaded in PEFT's adapter format.
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Config } from './config.ts';
import type { Qwen2Model } from './model.ts';
import { linear } from './ops.ts';
import { transpose2d } from './layout.ts';
import { Rng } from './rng.ts';
import { CheckpointError } from './safetensors.ts';
import type { ModelSink, ModelSource } from './sources.ts';
import { readTensors, toVariable, writeTensors } from './weights.ts';

import { LORA_TARGETS, type LoraTarget } from './lora-targets.ts';

export { LORA_TARGETS, type LoraTarget };

/** The fused matmuls of a layer that adapters attach to. */
export type LoraSite = 'qkv' | 'o' | 'gate_up' | 'down';

export interface LoraOptions {
  rank: number;
  /** Default 2 * rank. */
  alpha?: number;
  /** Dropout on the adapter input while training (default 0). */
  dropout?: number;
  /** Default: every attention and MLP projection. */
  targets?: readonly LoraTarget[];
  /** Seeds A's initialisation and the dropout masks (default 0). */
  seed?: number;
}

export interface LoraConfig {
  rank: number;
  alpha: number;
  dropout: number;
  targets: LoraTarget[];
}

interface SitePart {
  target: LoraTarget;
  module: string; // HF module path inside a layer, e.g. self_attn.q_proj
  start: number; // first output column inside the fused weight
  size: number;
}

interface SiteDef {
  site: LoraSite;
  weight: string; // the fused parameter inside a layer
  inDim: number;
  outDim: number;
  parts: SitePart[];
}

function siteDefs(c: Qwen2Config): SiteDef[] {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const D = c.hiddenSize;
  const I = c.intermediateSize;
  return [
    {
      site: 'qkv',
      weight: 'self_attn.qkv_proj.weight',
      inDim: D,
      outDim: q + 2 * kv,
      parts: [
        { target: 'q_proj', module: 'self_attn.q_proj', start: 0, size: q },
        { target: 'k_proj', module: 'self_attn.k_proj', start: q, size: kv },
        { target: 'v_proj', module: 'self_attn.v_proj', start: q + kv, size: kv },
      ],
    },
    {
      site: 'o',
      weight: 'self_attn.o_proj.weight',
      inDim: q,
      outDim: D,
      parts: [{ target: 'o_proj', module: 'self_attn.o_proj', start: 0, size: D }],
    },
    {
      site: 'gate_up',
      weight: 'mlp.gate_up_proj.weight',
      inDim: D,
      outDim: 2 * I,
      parts: [
        { target: 'gate_proj', module: 'mlp.gate_proj', start: 0, size: I },
        { target: 'up_proj', module: 'mlp.up_proj', start: I, size: I },
      ],
    },
    {
      site: 'down',
      weight: 'mlp.down_proj.weight',
      inDim: I,
      outDim: D,
      parts: [{ target: 'down_proj', module: 'mlp.down_proj', start: 0, size: D }],
    },
  ];
}

const aName = (layer: number, p: SitePart): string => `model.layers.${layer}.${p.module}.lora_A`;
const bName = (layer: number, p: SitePart): string => `model.layers.${layer}.${p.module}.lora_B`;

/** The adapters of one model: A [in, r] and B [r, out] per targeted projection and layer, stored
 *  [in, out] like the base weights so the forward pass uses plain matmuls. */
export class LoraAdapters {
  /** Trainable variables by name (`model.layers.{i}.{module}.lora_A|lora_B`). */
  readonly params = new Map<string, tf.Variable>();
  readonly scale: number;
  /** Draws the dropout masks' seeds; checkpoints save its state. */
  readonly rng: Rng;
  private readonly sites = new Map<LoraSite, SiteDef>();
  /** Per layer and site, the factors built from the variables, reused while no tape records
   *  (generation) until an update replaces a variable's data. */
  private cache = new Map<string, { ids: object[]; a: tf.Tensor2D; b: tf.Tensor2D }>();

  constructor(
    readonly config: LoraConfig,
    modelConfig: Qwen2Config,
    seed: number,
  ) {
    this.scale = config.alpha / config.rank;
    this.rng = new Rng(seed ^ 0x5bd1e995);
    for (const def of siteDefs(modelConfig)) {
      const parts = def.parts.filter((p) => config.targets.includes(p.target));
      if (parts.length) this.sites.set(def.site, { ...def, parts });
    }
  }

  /** Every adapter tensor: internal name, its part, the layer, and [in, out] shapes. */
  *entries(numLayers: number): Generator<{ layer: number; def: SiteDef; part: SitePart }> {
    for (let layer = 0; layer < numLayers; layer++) {
      for (const def of this.sites.values()) for (const part of def.parts) yield { layer, def, part };
    }
  }

  /** x [N, in] -> the adapters' contribution [N, out] to a fused site's output, or undefined when
   *  no projection of that site is targeted. */
  delta(layer: number, site: LoraSite, x: tf.Tensor2D, training: boolean): tf.Tensor2D | undefined {
    const def = this.sites.get(site);
    if (!def) return undefined;
    const { a, b } = this.factors(layer, def);
    return linear(linear(this.dropout(x, training), a), b);
  }

  /** scale * A @ B as an [in, out] update of the site's fused weight. */
  mergedDelta(layer: number, site: LoraSite): tf.Tensor2D | undefined {
    const def = this.sites.get(site);
    if (!def) return undefined;
    return tf.tidy((): tf.Tensor2D => {
      const { a, b } = this.build(layer, def);
      return tf.matMul(a, b);
    });
  }

  siteWeights(): { site: LoraSite; weight: string }[] {
    return [...this.sites.values()].map((d) => ({ site: d.site, weight: d.weight }));
  }

  private dropout(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const p = this.config.dropout;
    if (!training || p <= 0) return x;
    const u = tf.randomUniform(x.shape, 0, 1, 'float32', Math.floor(this.rng.next() * 2 ** 31));
    // One mask per site: q, k and v (and gate, up) share it because they share A's matmul.
    return tf.mul(x, tf.mul(tf.cast(tf.greaterEqual(u, p), 'float32'), 1 / (1 - p))) as tf.Tensor2D;
  }

  /** A = [A_1 | A_2 | …] [in, k r] and B = scale * blockdiag-in-columns [k r, out]: each part's B
   *  rows sit at its columns of the fused output, zeros elsewhere. One matmul pair per site. */
  private build(layer: number, def: SiteDef): { a: tf.Tensor2D; b: tf.Tensor2D } {
    const As = def.parts.map((p) => this.v(aName(layer, p)));
    const Bs = def.parts.map((p) => {
      const b = this.v(bName(layer, p));
      return p.size === def.outDim
        ? b
        : tf.pad(b, [
            [0, 0],
            [p.start, def.outDim - p.start - p.size],
          ]);
    });
    const a = As.length === 1 ? As[0] : (tf.concat(As, 1) as tf.Tensor2D);
    const b = tf.mul(Bs.length === 1 ? Bs[0] : tf.concat(Bs, 0), this.scale) as tf.Tensor2D;
    return { a, b };
  }

  private factors(layer: number, def: SiteDef): { a: tf.Tensor2D; b: tf.Tensor2D } {
    // Under a tape the factors must be rebuilt from the variables so gradients reach them.
    if (tf.engine().isTapeOn()) return this.build(layer, def);
    const key = `${layer}.${def.site}`;
    const ids = def.parts.flatMap((p) => [this.v(aName(layer, p)).dataId, this.v(bName(layer, p)).dataId]);
    const hit = this.cache.get(key);
    if (hit?.ids.every((id, i) => id === ids[i])) return hit;
    if (hit) {
      hit.a.dispose();
      hit.b.dispose();
    }
    const fresh = tf.tidy(() => {
      const f = this.build(layer, def);
      return { a: tf.clone(f.a), b: f.b }; // a clone: a single A is the variable itself
    });
    const entry = { ids, a: tf.keep(fresh.a), b: tf.keep(fresh.b) };
    this.cache.set(key, entry);
    return entry;
  }

  private v(name: string): tf.Tensor2D {
    const v = this.params.get(name);
    if (!v) throw new Error(`no LoRA parameter ${name}`);
    return v as unknown as tf.Tensor2D;
  }

  dispose(): void {
    for (const c of this.cache.values()) {
      c.a.dispose();
      c.b.dispose();
    }
    this.cache.clear();
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

function normalise(o: LoraOptions): LoraConfig {
  const rank = o.rank;
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`LoRA rank must be a positive integer, got ${rank}`);
  const alpha = o.alpha ?? 2 * rank;
  if (!(alpha > 0)) throw new Error(`LoRA alpha must be positive, got ${alpha}`);
  const dropout = o.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`LoRA dropout must be in [0, 1), got ${dropout}`);
  const targets = [...new Set(o.targets ?? LORA_TARGETS)];
  if (!targets.length) throw new Error('LoRA needs at least one target projection');
  for (const t of targets)
    if (!LORA_TARGETS.includes(t)) throw new Error(`unknown LoRA target "${t}" (expected ${LORA_TARGETS.join(', ')})`);
  // Canonical order, so configs compare equal however the targets were listed.
  return { rank, alpha, dropout, targets: LORA_TARGETS.filter((t) => targets.includes(t)) };
}

/** Attach adapters; `init` supplies saved values ([in, r] / [r, out]) instead of the PEFT
 *  initialisation (A uniform in ±1/sqrt(in), as kaiming_uniform(a=√5); B zero). */
function attach(
  model: Qwen2Model,
  o: LoraOptions,
  init?: (name: string, shape: number[]) => Float32Array,
): LoraAdapters {
  if (model.lora) throw new Error('the model already has LoRA adapters');
  const cfg = normalise(o);
  const seed = o.seed ?? 0;
  const lora = new LoraAdapters(cfg, model.config, seed);
  const rng = new Rng(seed);
  const r = cfg.rank;
  try {
    for (const { layer, def, part } of lora.entries(model.config.numLayers)) {
      const an = aName(layer, part);
      const bn = bName(layer, part);
      let a: Float32Array;
      let b: Float32Array;
      if (init) {
        a = init(an, [def.inDim, r]);
        b = init(bn, [r, part.size]);
      } else {
        a = new Float32Array(def.inDim * r);
        const bound = 1 / Math.sqrt(def.inDim);
        for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * bound;
        b = new Float32Array(r * part.size);
      }
      lora.params.set(an, toVariable(a, [def.inDim, r]));
      lora.params.set(bn, toVariable(b, [r, part.size]));
    }
  } catch (e) {
    lora.dispose();
    throw e;
  }
  model.lora = lora;
  // Frozen base: `linear` and the LM head then skip the weight gradients they would waste.
  for (const v of model.params.values()) v.trainable = false;
  return lora;
}

/** Add fresh adapters (B = 0, so the model's outputs are unchanged) and freeze the base weights:
 *  from now on `model.trainableParams()` is the adapters. */
export function attachLora(model: Qwen2Model, o: LoraOptions): LoraAdapters {
  return attach(model, o);
}

/** Drop the adapters without merging and unfreeze the base. */
export function detachLora(model: Qwen2Model): void {
  if (!model.lora) return;
  model.lora.dispose();
  model.lora = undefined;
  for (const v of model.params.values()) v.trainable = true;
}

/** W += (alpha / r) A @ B in each targeted column slice of the fused weights, then detach: the
 *  model becomes a plain Qwen2 model computing what the adapted one did. */
export function mergeLora(model: Qwen2Model): void {
  const lora = model.lora;
  if (!lora) return;
  for (let layer = 0; layer < model.config.numLayers; layer++) {
    for (const { site, weight } of lora.siteWeights()) {
      const d = lora.mergedDelta(layer, site)!;
      let col = 0; // the weight may be split in column pieces (see Qwen2Model.parts)
      for (const w of model.parts(`model.layers.${layer}.${weight}`)) {
        const n = w.shape[1]!;
        tf.tidy(() => w.assign(tf.add(w, tf.slice(d, [0, col], [-1, n]))));
        col += n;
      }
      d.dispose();
    }
  }
  detachLora(model);
}

/** Trainable adapter elements, and the base model's. */
export function loraParamCounts(model: Qwen2Model): { adapter: number; base: number } {
  const count = (m: Map<string, tf.Variable>): number => [...m.values()].reduce((a, v) => a + v.size, 0);
  return { adapter: model.lora ? count(model.lora.params) : 0, base: count(model.params) };
}

// --- PEFT adapter folders: adapter_config.json + adapter_model.safetensors, tensors named
// base_model.model.<module>.lora_A.weight [r, in] / lora_B.weight [out, r] (torch layout).

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

const peftName = (internal: string): string => `base_model.model.${internal}.weight`;

/** Write the adapters as a PEFT LoRA adapter (readable by `PeftModel.from_pretrained`). */
export async function saveLora(model: Qwen2Model, sink: ModelSink): Promise<void> {
  const lora = model.lora;
  if (!lora) throw new Error('saveLora: the model has no LoRA adapters');
  const named = new Map<string, tf.Tensor>();
  try {
    for (const [name, v] of lora.params) named.set(peftName(name), tf.transpose(v));
    await writeTensors(sink, ADAPTER_WEIGHTS_FILE, named);
  } finally {
    for (const t of named.values()) t.dispose();
  }
  const c = lora.config;
  const peft = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    r: c.rank,
    lora_alpha: c.alpha,
    lora_dropout: c.dropout,
    target_modules: c.targets,
    bias: 'none',
    fan_in_fan_out: false,
    use_rslora: false,
    inference_mode: false,
    base_model_name_or_path: null,
  };
  await sink.writeText(ADAPTER_CONFIG_FILE, JSON.stringify(peft, null, 2) + '\n');
}

/** Read a PEFT LoRA adapter's settings. */
export async function readLoraConfig(src: ModelSource): Promise<LoraConfig> {
  const where = `${src.location}/${ADAPTER_CONFIG_FILE}`;
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(await src.readText(ADAPTER_CONFIG_FILE)) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  if (j.peft_type !== 'LORA')
    throw new CheckpointError(`${where}: peft_type must be "LORA", got ${JSON.stringify(j.peft_type)}`);
  if (j.use_rslora === true) throw new CheckpointError(`${where}: use_rslora is not supported`);
  const targets = j.target_modules;
  if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string'))
    throw new CheckpointError(`${where}: target_modules must be a list of projection names`);
  try {
    return normalise({
      rank: j.r as number,
      alpha: j.lora_alpha as number,
      dropout: (j.lora_dropout as number | undefined) ?? 0,
      targets: targets as LoraTarget[],
    });
  } catch (e) {
    throw new CheckpointError(`${where}: ${(e as Error).message}`);
  }
}

/** Attach the adapters stored in a PEFT adapter folder (frozen base, like attachLora). */
export async function loadLora(src: ModelSource, model: Qwen2Model, seed = 0): Promise<LoraAdapters> {
  const cfg = await readLoraConfig(src);
  const tensors = await readTensors(src, ADAPTER_WEIGHTS_FILE);
  const where = `${src.location}/${ADAPTER_WEIGHTS_FILE}`;
  return attach(model, { ...cfg, seed }, (name, shape) => {
    const t = tensors.get(peftName(name));
    if (!t) throw new CheckpointError(`${where}: missing tensor ${peftName(name)}`);
    // Stored [out, in] (torch); used [in, out].
    if (t.shape.join(',') !== [shape[1], shape[0]].join(',')) {
      throw new CheckpointError(
        `${where}: tensor ${peftName(name)} has shape [${t.shape}], expected [${shape[1]},${shape[0]}]`,
      );
    }
    return transpose2d(t.data, shape[1], shape[0]);
  });
}
