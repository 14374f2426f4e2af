// The Qwen2 causal LM (Hugging Face Qwen2ForCausalLM semantics) on TF.js tensors: RMSNorm,
// rotate-half RoPE, grouped-query attention with q/k/v biases, SwiGLU MLP, optional tied head.
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Config } from './config.ts';
import { maxBindingBytes } from './binding.ts';
import { pieceName } from './layout.ts';
import { cachedAttention, writeSlots } from './kv-cache.ts';
import { cols, gatherRows, linear } from './ops.ts';
import { fusedAttention, fusedAttentionActive } from './fused-attention.ts';
import { webgpuAttention, webgpuAttentionActive, webgpuAttentionFits } from './webgpu-attention.ts';
import { fusedRope, fusedRopeActive } from './fused-rope.ts';
import { addRmsNorm, rmsNorm, swiglu } from './fused-norm-mlp.ts';
import type { LoraAdapters, LoraSite } from './lora.ts';

/** Keys and values of every layer for the tokens seen so far, plus their attention mask. */
export interface KVCache {
  layers: { k: tf.Tensor4D; v: tf.Tensor4D }[]; // each [B, KV, S, hd], or [B, KV, capacity, hd]
  mask: number[][]; // [B][S]: 1 = real token
  nextPos: number[]; // [B]: position id of each row's next token
  /** Set for a preallocated cache (kv-cache.ts): forward writes the new keys and values in place
   *  at positions [S, S + T), attends over the first S + T slots where they lie, and returns the
   *  same tensors. Unset: forward returns new tensors grown by a concat. */
  capacity?: number;
}

export interface ForwardInput {
  inputIds: number[][]; // [B][T]
  /** 1 = real token, 0 = padding. Defaults to all ones. */
  attentionMask?: number[][];
  /** Defaults: continue from the cache, else cumsum(mask) - 1 (0, 1, 2… for unpadded rows). */
  positionIds?: number[][];
  /** Packed rows: tokens attend only within their own segment, and default positions restart
   *  at 0 for each segment. Not combinable with a cache. */
  segmentIds?: number[][];
}

export interface ForwardOutput {
  hidden: tf.Tensor3D; // [B, T, D], after the final norm
  cache?: KVCache; // only when asked for; the caller owns (and disposes) its tensors
}

const MASKED = -1e9; // finite, so fully padded query rows give a uniform softmax instead of NaN

export class Qwen2Model {
  /** Adapters added by attachLora (the base params are then frozen). */
  lora?: LoraAdapters;
  /** Set while computing training gradients: enables LoRA dropout. */
  training = false;

  constructor(
    readonly config: Qwen2Config,
    readonly params: Map<string, tf.Variable>,
  ) {
    // Made with the model (not on first use) so tensor counts stay flat across calls.
    this.lmHeadTransposed();
  }

  p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (v) return v;
    if (this.params.has(pieceName(name, 0))) throw new Error(`parameter ${name} is split in pieces: use parts()`);
    throw new Error(`no parameter ${name}`);
  }

  /** A parameter as stored: one variable, or the pieces `name#0, name#1, …` of one too large for
   *  a single WebGPU binding (embeddings split by rows, [in, out] weights by columns). */
  parts(name: string): tf.Variable[] {
    const v = this.params.get(name);
    if (v) return [v];
    const out: tf.Variable[] = [];
    for (let k = 0; this.params.has(pieceName(name, k)); k++) out.push(this.params.get(pieceName(name, k))!);
    if (!out.length) throw new Error(`no parameter ${name}`);
    return out;
  }

  /** What the optimizer updates: the adapters when LoRA is attached, else every parameter. */
  trainableParams(): Map<string, tf.Variable> {
    return this.lora ? this.lora.params : this.params;
  }

  /** A linear layer's weight, stored [in, out] (in column pieces when split). */
  w(name: string): tf.Tensor2D[] {
    return this.parts(name) as unknown as tf.Tensor2D[];
  }

  private get headName(): string {
    return this.config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  }

  /** The output projection [V, D]: the embedding matrix itself when tied. Unsplit models only. */
  get lmHead(): tf.Variable {
    return this.p(this.headName);
  }

  /** The output projection as row pieces [V_k, D] covering the vocabulary in order. */
  lmHeadParts(): tf.Variable[] {
    return this.parts(this.headName);
  }

  private headT: { source: object; t: tf.Tensor2D }[] = [];

  /** The LM head transposed, [D, V_k] per piece, for inference: kept with the model and
   *  refreshed when the weights change (an optimizer update gives a variable a new dataId). Not
   *  for use under a gradient tape: training goes through tokenLogprobs. */
  lmHeadTransposed(): tf.Tensor2D[] {
    this.lmHeadParts().forEach((head, k) => {
      if (this.headT[k]?.source === head.dataId) return;
      this.headT[k]?.t.dispose();
      this.headT[k] = { source: head.dataId, t: tf.keep(tf.transpose(head) as tf.Tensor2D) };
    });
    return this.headT.map((h) => h.t);
  }

  /** Run the decoder. Wrap in tf.tidy (or dispose `hidden`); with `useCache` the returned cache
   *  (extending `past`, which this does not dispose) holds tensors the caller must keep. */
  forward(input: ForwardInput, opts: { past?: KVCache; useCache?: boolean } = {}): ForwardOutput {
    const c = this.config;
    const B = input.inputIds.length;
    const T = input.inputIds[0].length;
    const past = opts.past;
    const P = past ? past.mask[0].length : 0; // S = P + T keys
    const inPlace = past?.capacity !== undefined;
    if (inPlace && P + T > past.capacity!)
      throw new Error(`forward: ${P} cached + ${T} new positions exceed the KV cache's capacity ${past.capacity}`);
    const newMask = input.attentionMask ?? input.inputIds.map((r) => r.map(() => 1));
    const keyMask = newMask.map((row, b) => (past ? past.mask[b].concat(row) : row.slice()));
    if (input.segmentIds && past) throw new Error('forward: segmentIds cannot be combined with a KV cache');
    // An empty preallocated cache is a first call: the same positions as without a cache.
    const positions = input.positionIds ?? defaultPositions(newMask, P ? past : undefined, input.segmentIds);
    const { cos, sin } = ropeTables(positions, c.headDim, c.ropeTheta); // [B, T, 1, hd]
    // A filled preallocated cache is attended in place on the host (cachedAttention): no mask tensor.
    const hostAttention = inPlace && P > 0;
    const mask = hostAttention ? undefined : attentionBias(keyMask, P, T, input.segmentIds); // [B, 1, T, S]
    const hd = c.headDim;
    const qDim = c.numHeads * hd;
    const kvDim = c.numKvHeads * hd;
    const presents: { k: tf.Tensor4D; v: tf.Tensor4D }[] = [];
    const limit = maxBindingBytes();
    const lora = this.lora;
    const training = this.training;
    // x @ W for a fused site, plus the LoRA adapters' contribution when attached.
    const proj = (x: tf.Tensor2D, layer: number, site: LoraSite, weight: string): tf.Tensor2D => {
      const y = linear(x, this.w(weight));
      const d = lora?.delta(layer, site, x, training);
      return d ? (tf.add(y, d) as tf.Tensor2D) : y;
    };

    let x = gatherRows(this.w('model.embed_tokens.weight'), input.inputIds.flat()); // [B*T, D]
    // Each residual add is fused with the norm that reads it (one host kernel on wasm and cpu).
    const firstNorm = c.numLayers ? 'model.layers.0.input_layernorm.weight' : 'model.norm.weight';
    let h = rmsNorm(x, this.p(firstNorm), c.rmsNormEps);
    for (let i = 0; i < c.numLayers; i++) {
      const pre = `model.layers.${i}`;
      // --- attention ---
      const qkv = tf.add(
        proj(h, i, 'qkv', `${pre}.self_attn.qkv_proj.weight`),
        this.p(`${pre}.self_attn.qkv_proj.bias`),
      ) as tf.Tensor2D; // [B*T, q+2kv]
      const q2 = cols(qkv, 0, qDim);
      const k2 = cols(qkv, qDim, kvDim);
      const v2 = cols(qkv, qDim + kvDim, kvDim);
      const q = applyRope(tf.reshape(q2, [B, T, c.numHeads, hd]), cos, sin); // [B, T, H, hd]
      let k = tf.transpose(applyRope(tf.reshape(k2, [B, T, c.numKvHeads, hd]), cos, sin), [0, 2, 1, 3]) as tf.Tensor4D; // [B, KV, T, hd]
      let v = tf.transpose(tf.reshape(v2, [B, T, c.numKvHeads, hd]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, KV, T, hd]
      if (inPlace) {
        writeSlots(past.layers[i].k, k, P);
        writeSlots(past.layers[i].v, v, P);
      } else if (past) {
        k = tf.concat([past.layers[i].k, k], 2); // [B, KV, S, hd]
        v = tf.concat([past.layers[i].v, v], 2);
      }
      if (opts.useCache && !inPlace) presents.push({ k: tf.keep(k), v: tf.keep(v) });
      const ctx = mask
        ? attention(q, k, v, mask, c.numKvHeads, limit) // [B*T, H*hd]
        : cachedAttention(q, past!.layers[i].k, past!.layers[i].v, keyMask, P);
      const attn = addRmsNorm(
        x,
        proj(ctx, i, 'o', `${pre}.self_attn.o_proj.weight`),
        this.p(`${pre}.post_attention_layernorm.weight`),
        c.rmsNormEps,
      );
      x = attn.sum;
      // --- SwiGLU MLP, in row blocks whose [rows, 2I] activation fits one binding ---
      const mlp = (rows: tf.Tensor2D): tf.Tensor2D => {
        const gu = proj(rows, i, 'gate_up', `${pre}.mlp.gate_up_proj.weight`); // [n, 2I]
        return proj(swiglu(gu), i, 'down', `${pre}.mlp.down_proj.weight`); // silu(g) * u -> [n, D]
      };
      const next = i + 1 < c.numLayers ? `model.layers.${i + 1}.input_layernorm.weight` : 'model.norm.weight';
      const out = addRmsNorm(
        x,
        byRows(attn.normed, 2 * c.intermediateSize * 4, limit, mlp),
        this.p(next),
        c.rmsNormEps,
      );
      x = out.sum;
      h = out.normed;
    }
    const hidden = tf.reshape(h, [B, T, c.hiddenSize]) as tf.Tensor3D;
    if (!opts.useCache) return { hidden };
    const nextPos = positions.map((row, b) => (row.length ? row[row.length - 1] + 1 : (past?.nextPos[b] ?? 0)));
    if (inPlace) return { hidden, cache: { layers: past.layers, mask: keyMask, nextPos, capacity: past.capacity } };
    return { hidden, cache: { layers: presents, mask: keyMask, nextPos } };
  }

  /** Logits for hidden states [..., D] -> [..., V]. Materialises the full vocabulary: for training
   *  use tokenLogprobs, which works in chunks. */
  logits(hidden: tf.Tensor): tf.Tensor {
    const D = this.config.hiddenSize;
    const lead = hidden.shape.slice(0, -1);
    const h = tf.reshape(hidden, [-1, D]) as tf.Tensor2D; // [N, D]
    const pieces = this.lmHeadTransposed().map((wT) => tf.matMul(h, wT)); // [N, V_k] each
    const logits = pieces.length === 1 ? pieces[0] : tf.concat(pieces, 1); // [N, V]
    return tf.reshape(logits, [...lead, this.config.vocabSize]);
  }

  dispose(): void {
    for (const h of this.headT) h.t.dispose();
    this.headT = [];
    this.lora?.dispose();
    this.lora = undefined;
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** Grouped-query attention: q [B, T, H, hd], k and v [B, KV, S, hd], mask [B, 1, T, S] ->
 *  [B*T, H*hd]. The scores [B, H, T, S] outgrow a 128 MiB binding long before the weights do
 *  (B 4, 14 heads, 1,024 tokens: 235 MB), so they are made in blocks of batch rows, or of query
 *  positions, that fit `limit` bytes. */
function attention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor4D,
  kvHeads: number,
  limit: number,
): tf.Tensor2D {
  const [B, T, H, hd] = q.shape;
  const S = k.shape[2];
  const rowBytes = H * T * S * 4;
  if (B > 1 && B * rowBytes > limit) {
    const per = Math.max(1, Math.floor(limit / rowBytes));
    const blocks: tf.Tensor2D[] = [];
    for (let b = 0; b < B; b += per) {
      const n = Math.min(per, B - b);
      const rows = <X extends tf.Tensor4D>(t: X): X => tf.slice(t, [b, 0, 0, 0], [n, -1, -1, -1]);
      blocks.push(attention(rows(q), rows(k), rows(v), rows(mask), kvHeads, limit));
    }
    return tf.concat(blocks, 0);
  }
  if (B === 1 && T > 1 && rowBytes > limit) {
    const per = Math.max(1, Math.floor(limit / (H * S * 4)));
    const blocks: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t += per) {
      const n = Math.min(per, T - t);
      const qt = tf.slice(q, [0, t, 0, 0], [1, n, -1, -1]);
      blocks.push(attention(qt, k, v, tf.slice(mask, [0, 0, t, 0], [1, 1, n, -1]), kvHeads, limit));
    }
    return tf.concat(blocks, 0);
  }
  if (fusedAttentionActive()) return fusedAttention(q, k, v, mask);
  if (webgpuAttentionActive() && webgpuAttentionFits(q, k, mask, limit)) return webgpuAttention(q, k, v, mask);
  const rep = H / kvHeads;
  // Group query heads by the kv head they read (head h reads kv h / rep), so K and V are
  // never repeated: [B, T, KV, rep, hd] -> [B, KV, rep*T, hd].
  const qs = tf.reshape(tf.mul(q, 1 / Math.sqrt(hd)), [B, T, kvHeads, rep, hd]);
  const qg = tf.reshape(tf.transpose(qs, [0, 2, 3, 1, 4]), [B, kvHeads, rep * T, hd]);
  const scores = tf.reshape(tf.matMul(qg, k, false, true), [B, H, T, S]); // [B, H, T, S]
  const probs = tf.reshape(tf.softmax(tf.add(scores, mask)), [B, kvHeads, rep * T, S]);
  const ctx5 = tf.reshape(tf.matMul(probs, v), [B, kvHeads, rep, T, hd]); // [B, KV, rep, T, hd]
  return tf.reshape(tf.transpose(ctx5, [0, 3, 1, 2, 4]), [B * T, H * hd]) as tf.Tensor2D; // [B*T, H*hd]
}

/** f over row blocks of x whose [rows, width] activations fit `limit` bytes, concatenated. */
function byRows(x: tf.Tensor2D, rowBytes: number, limit: number, f: (rows: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  const N = x.shape[0];
  const per = Math.max(1, Math.floor(limit / rowBytes));
  if (N <= per) return f(x);
  const blocks: tf.Tensor2D[] = [];
  for (let r = 0; r < N; r += per) blocks.push(f(tf.slice(x, [r, 0], [Math.min(per, N - r), -1])));
  return tf.concat(blocks, 0);
}

/** Rotate-half RoPE: out = x * cos + concat(x2, x1) * [-sin, sin]. x: [B, T, heads, hd]. */
function applyRope(x: tf.Tensor, cos: tf.Tensor, sinSigned: tf.Tensor): tf.Tensor4D {
  if (fusedRopeActive()) return fusedRope(x as tf.Tensor4D, cos, sinSigned);
  const [B, T, H, hd] = x.shape as number[];
  const half = hd / 2;
  const x1 = tf.slice(x, [0, 0, 0, 0], [B, T, H, half]);
  const x2 = tf.slice(x, [0, 0, 0, half], [B, T, H, half]);
  return tf.add(tf.mul(x, cos), tf.mul(tf.concat([x2, x1], 3), sinSigned)) as tf.Tensor4D;
}

/** cos and sign-folded sin tables [B, T, 1, hd], computed in float64 on the CPU. */
function ropeTables(positions: number[][], hd: number, theta: number): { cos: tf.Tensor; sin: tf.Tensor } {
  const B = positions.length;
  const T = positions[0].length;
  const half = hd / 2;
  const cos = new Float32Array(B * T * hd);
  const sin = new Float32Array(B * T * hd);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const base = (b * T + t) * hd;
      for (let j = 0; j < half; j++) {
        const angle = positions[b][t] * theta ** ((-2 * j) / hd);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[base + j] = c;
        cos[base + j + half] = c;
        sin[base + j] = -s;
        sin[base + j + half] = s;
      }
    }
  }
  return { cos: tf.tensor4d(cos, [B, T, 1, hd]), sin: tf.tensor4d(sin, [B, T, 1, hd]) };
}

/** Additive mask [B, 1, T, S]: query t (absolute index P + t) sees key s iff s <= P + t, the
 *  key is a real token and, for packed rows, both are in the same segment. */
function attentionBias(keyMask: number[][], P: number, T: number, segments?: number[][]): tf.Tensor4D {
  const B = keyMask.length;
  const S = keyMask[0].length;
  const m = new Float32Array(B * T * S);
  for (let b = 0; b < B; b++) {
    const seg = segments?.[b];
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * S;
      for (let s = 0; s < S; s++) {
        const ok = s <= P + t && keyMask[b][s] && (!seg || seg[s] === seg[P + t]);
        m[row + s] = ok ? 0 : MASKED;
      }
    }
  }
  return tf.tensor4d(m, [B, 1, T, S]);
}

/** Position ids: continue each row from the cache; otherwise cumsum(mask) - 1 (restarting at
 *  each new segment of a packed row), with padded slots set to 1 as Hugging Face does (their
 *  value never matters: nothing attends to them). */
function defaultPositions(mask: number[][], past?: KVCache, segments?: number[][]): number[][] {
  return mask.map((row, b) => {
    let p = past ? past.nextPos[b] : 0;
    return row.map((m, t) => {
      if (segments && t > 0 && segments[b][t] !== segments[b][t - 1]) p = 0;
      return m ? p++ : past ? p : 1;
    });
  });
}

export function disposeCache(cache: KVCache | undefined): void {
  if (!cache) return;
  for (const l of cache.layers) {
    l.k.dispose();
    l.v.dispose();
  }
}
