// Memory plan: estimates the bytes a command needs on a backend (weights, XNNPACK's packed copies,
// gradients, AdamW moments, kept activations, KV cache, logits chunks) before anything is loaded.
// Pure arithmetic on the config and flags, shared by the CLI and the web app.
import type { Qwen2Config } from './config.ts';
import { countParameters } from './config.ts';
import { fusedAttentionActive } from './fused-attention.ts';
import { fusedLogprobsActive } from './fused-logprobs.ts';
import { fusedNormMlpActive } from './fused-norm-mlp.ts';
import type { LoraTarget } from './lora-targets.ts';
import { LORA_TARGETS } from './lora-targets.ts';

export type PlanCommand = 'generate' | 'eval' | 'sft' | 'grpo' | 'pipeline';
export type PlanBackend = 'wasm' | 'webgpu' | 'cpu' | 'tensorflow';

export interface PlanInput {
  config: Qwen2Config;
  backend: PlanBackend;
  command: PlanCommand;
  /** Training: sequences per forward/backward pass (sft --batch-size, grpo --micro-batch). */
  batchSize?: number;
  /** Training: tokens per sequence (sft --max-seq-len; grpo: prompt + --max-completion-length). */
  seqLen?: number;
  /** Rows generated together (generate: 1; eval: samples; grpo: prompts per step × G). */
  genRows?: number;
  /** Prompt tokens per generated row. */
  promptLen?: number;
  /** New tokens per generated row. */
  newTokens?: number;
  /** 0 = full fine-tuning. */
  loraRank?: number;
  loraTargets?: readonly LoraTarget[];
  /** > 1 keeps a gradient accumulator. */
  gradAccum?: number;
  /** GRPO with beta > 0 keeps a second (reference) model. */
  reference?: boolean;
  /** GRPO: completions per prompt (genRows = prompts per step × this), to advise on prompts. */
  numGenerations?: number;
}

export interface PlanItem {
  name: string;
  bytes: number;
  note: string;
}

export interface MemoryCapacity {
  backend: PlanBackend;
  bytes: number;
  /** Where the figure comes from, e.g. "wasm heap cap (4 GiB)". */
  source: string;
  /** Largest single buffer the backend can allocate, when it has such a limit (WebGPU). */
  maxBufferBytes?: number;
}

export interface MemoryPlan {
  input: PlanInput;
  parameters: number;
  trainable: number;
  items: PlanItem[];
  /** Peak bytes the backend holds. */
  total: number;
  /** Largest single tensor, for per-buffer limits. */
  largestTensor: number;
}

/** wasm32's address space, the cap tfjs-backend-wasm 4.22 builds its heap with (getHeapMax()
 *  returns 4294901760: 4 GiB minus one 64 KiB page). */
export const WASM_HEAP_CAP = 4294901760;

const F32 = 4;
/** Activation gradients over kept activations, fitted on wasm (scripts/check-memory-plan.ts). */
const ACTIVATION_GRAD_FACTOR = 2.2;
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** in/out features of each LoRA target projection, and the fused site it belongs to. */
function targetShapes(c: Qwen2Config): Record<LoraTarget, { in: number; out: number; site: string }> {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const D = c.hiddenSize;
  const I = c.intermediateSize;
  return {
    q_proj: { in: D, out: q, site: 'qkv' },
    k_proj: { in: D, out: kv, site: 'qkv' },
    v_proj: { in: D, out: kv, site: 'qkv' },
    o_proj: { in: q, out: D, site: 'o' },
    gate_proj: { in: D, out: I, site: 'gate_up' },
    up_proj: { in: D, out: I, site: 'gate_up' },
    down_proj: { in: I, out: D, site: 'down' },
  };
}

/** Trainable LoRA parameters: rank × (in + out) per targeted projection per layer. */
export function loraParameters(c: Qwen2Config, rank: number, targets: readonly LoraTarget[] = LORA_TARGETS): number {
  const s = targetShapes(c);
  return c.numLayers * sum(targets.map((t) => rank * (s[t].in + s[t].out)));
}

/** Floats the forward pass leaves alive per token per layer (counted op by op in model.ts:
 *  RMSNorms, fused q/k/v with bias, RoPE, grouped attention scores over `keys`, SwiGLU MLP),
 *  plus the LoRA adapters' [N, r] and [N, out] intermediates. */
function floatsPerTokenLayer(
  c: Qwen2Config,
  keys: number,
  attention: 'unfused' | 'fused-train' | 'fused-infer',
  lora?: { rank: number; targets: readonly LoraTarget[] },
  normMlp = false,
) {
  const D = c.hiddenSize;
  const qDim = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const q3 = qDim + 2 * kv;
  const I = c.intermediateSize;
  // Host RMSNorm/SwiGLU kernels (fused-norm-mlp.ts) leave only their outputs; the op chains leave
  // square, mean, +eps, rsqrt and two products per norm, and two slices, a sigmoid and two products per MLP.
  const norms = normMlp ? 2 * D : 2 * (3 * D + 3);
  // Unfused: proj+bias+slices, RoPE on q and k via slices/concat, k/v transposes, scaled q; scores,
  // scores + mask and softmax as tensors; context and its transpose. Fused (wasm, cpu): RoPE in one op,
  // q neither transposed nor scaled, the context written once; the softmax lives on the JS heap and
  // is kept only while a gradient tape records.
  const fused = attention !== 'unfused';
  const attnIn = fused ? 3 * q3 + 2 * qDim + 4 * kv : 3 * q3 + 5 * qDim + 7 * kv + 2 * qDim;
  const scoreCopies = attention === 'unfused' ? 3 : attention === 'fused-train' ? 1 : 0;
  const attn = scoreCopies * c.numHeads * keys + (fused ? qDim : 2 * qDim) + 2 * D; // + o proj + residual
  const mlp = (normMlp ? 3 * I : 7 * I) + 2 * D;
  let adapters = 0;
  if (lora && lora.rank > 0) {
    const s = targetShapes(c);
    const sites = new Map<string, { r: number; out: number }>();
    for (const t of lora.targets) {
      const e = sites.get(s[t].site) ?? { r: 0, out: 0 };
      sites.set(s[t].site, {
        r: e.r + lora.rank,
        out: Math.max(e.out, s[t].site === 'qkv' ? q3 : s[t].site === 'gate_up' ? 2 * I : D),
      });
    }
    for (const v of sites.values()) adapters += v.r + 2 * v.out;
  }
  return norms + attnIn + attn + mlp + adapters;
}

/** The bytes each part of a command needs on a backend. */
export function planMemory(input: PlanInput): MemoryPlan {
  // wasm and cpu run attention as one fused op (fused-attention.ts) unless the fused ops are off.
  const fusedAttn = fusedAttentionActive(input.backend);
  const normMlp = fusedNormMlpActive(input.backend);
  const c = input.config;
  const V = c.vocabSize;
  const D = c.hiddenSize;
  const L = c.numLayers;
  const P = countParameters(c);
  const head = V * D * F32;
  const training = input.command === 'sft' || input.command === 'grpo' || input.command === 'pipeline';
  const generates = input.command !== 'sft';
  const rank = training ? (input.loraRank ?? 0) : 0;
  const targets = input.loraTargets ?? LORA_TARGETS;
  const trainable = !training ? 0 : rank > 0 ? loraParameters(c, rank, targets) : P;
  const linearParams = P - V * D - (c.tieWordEmbeddings ? 0 : V * D);
  const items: PlanItem[] = [];
  const add = (name: string, bytes: number, note: string): void => {
    if (bytes > 0) items.push({ name, bytes: Math.round(bytes), note });
  };

  add('weights', P * F32, `${P.toLocaleString('en-US')} parameters as float32 (every backend computes in f32)`);
  add('lm head [D, V]', head, 'transposed copy of the output projection kept for sampling');
  if (input.reference) add('reference model', P * F32 + head, 'a second copy of the weights for the KL term');
  if (input.backend === 'wasm') {
    // XNNPACK packs the right operand of every plain 2-D matmul and caches the packed copy until
    // that tensor is freed: one duplicate of every linear weight, the head copy, and under
    // training the embedding (the head's backward multiplies by it) and the head's transpose
    // while the logits chunks run.
    const packed = linearParams * F32 + (generates ? head : 0) + (training ? 2 * head : 0);
    add('xnnpack packed weights', packed, 'XNNPACK keeps a packed duplicate of each matmul weight');
  }
  if (training) {
    const accum = (input.gradAccum ?? 1) > 1;
    add(
      'gradients',
      trainable * F32,
      rank > 0 ? `LoRA rank ${rank}: ${trainable.toLocaleString('en-US')} trainable` : 'full fine-tuning',
    );
    add('adamw moments', 2 * trainable * F32, 'm and v');
    if (accum) add('gradient accumulator', trainable * F32, `--grad-accum ${input.gradAccum}`);
    const largestParam = rank > 0 ? 0 : Math.max(head, 2 * c.intermediateSize * D * F32);
    add('optimizer update', 3 * largestParam, 'new value and moments of the largest parameter while it updates');
    const B = input.batchSize ?? 1;
    const T = input.seqLen ?? 512;
    const N = B * T;
    const perLayer = floatsPerTokenLayer(
      c,
      T,
      fusedAttn ? 'fused-train' : 'unfused',
      rank > 0 ? { rank, targets } : undefined,
      normMlp,
    );
    const kept = (N * (L * perLayer + 2 * D + 2 * c.headDim) + B * T * T) * F32;
    add('activations (kept for backward)', kept, `${B} × ${T} tokens through ${L} layers`);
    // TF.js frees no activation gradient until the backward pass ends, and a slice's gradient is
    // padded to its input's size: fitted on measured peaks (scripts/check-memory-plan.ts).
    add(
      'activation gradients',
      ACTIVATION_GRAD_FACTOR * kept,
      'every intermediate gradient lives until the backward ends',
    );
    // Full fine-tuning: the embedding's gradient from gather (a dense [V, D] segment sum), the
    // head's, and their sum coexist (measured: ~3 extra [V, D] tensors at the peak).
    if (rank === 0)
      add(
        'embedding gradient sums',
        3 * head,
        'gather and LM-head gradients of the tied [V, D] matrix, then their sum',
      );
    const chunkRows = Math.max(1, Math.min(256, Math.floor((64 * 2 ** 20) / (V * F32))));
    const chunk = Math.min(N, chunkRows) * V * F32;
    // The TF.js chain makes about six [chunk, V] tensors; the host op (fused-logprobs.ts) one, its
    // gradient written over it (measured at V 151,936: peak 212 MiB against the chain's 659).
    const chunks = fusedLogprobsActive(input.backend) ? 1 : 6;
    add(
      'logits chunks',
      chunks * chunk + head + (rank === 0 ? 2 * head : 0),
      `LM head in ≤ 64 MiB chunks (${chunks} alive at once), its transpose, and the [V, D] gradient sums`,
    );
  }
  if (generates) {
    const R = input.genRows ?? 1;
    const Pl = input.promptLen ?? 64;
    const S = Pl + (input.newTokens ?? 128);
    const kvBytes = 2 * L * R * c.numKvHeads * c.headDim * S * F32;
    add('kv cache', 2 * kvBytes, `${R} rows × ${S} positions (old and new cache coexist while a step appends)`);
    // Generation runs each step in one tf.tidy: every layer's intermediates stay until it ends.
    const prefill =
      R *
        Pl *
        (L * floatsPerTokenLayer(c, Pl, fusedAttn ? 'fused-infer' : 'unfused', undefined, normMlp) +
          2 * D +
          2 * c.headDim) +
      R * Pl * Pl;
    // × 1.2: TF.js ops allocate a little more than the count above (measured in memory-plan.test.ts).
    add('prefill activations', 1.2 * prefill * F32, `${R} × ${Pl} prompt tokens in one pass`);
    // Fused attention keeps no scores without a gradient tape: one layer's softmax at a time.
    if (fusedAttn) add('prefill attention softmax', R * c.numHeads * Pl * Pl * F32, 'one layer at a time, JS heap');
    add('sampling logits', 3 * R * V * F32, `${R} rows × ${V} vocabulary`);
  }
  const total = sum(items.map((i) => i.bytes));
  // The biggest single tensor: the embedding (or head), unless an activation is bigger.
  const B = input.batchSize ?? 1;
  const T = input.seqLen ?? 512;
  const acts = training ? [B * T * 2 * c.intermediateSize * F32, B * c.numHeads * T * T * F32] : [];
  const largestTensor = Math.max(head, 2 * c.intermediateSize * D * F32, ...acts);
  return { input, parameters: P, trainable, items, total, largestTensor };
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(0)} MiB`;
  return `${(n / 2 ** 10).toFixed(0)} KiB`;
}

/** The plan as a Markdown table, with the verdict against a capacity when one is known. */
export function formatPlan(plan: MemoryPlan, cap?: MemoryCapacity): string {
  const i = plan.input;
  const lines = [
    `memory plan: ${i.command} on ${i.backend}, ${plan.parameters.toLocaleString('en-US')} parameters${plan.trainable ? `, ${plan.trainable.toLocaleString('en-US')} trainable` : ''}`,
    '',
    '| part | bytes | note |',
    '|---|---:|---|',
    ...plan.items.map((it) => `| ${it.name} | ${formatBytes(it.bytes)} | ${it.note} |`),
    `| **total** | **${formatBytes(plan.total)}** | |`,
  ];
  if (cap)
    lines.push(
      '',
      `available: ${formatBytes(cap.bytes)} (${cap.source}) → ${plan.total <= cap.bytes ? 'fits' : 'does NOT fit'}`,
    );
  return lines.join('\n');
}

export interface FitCheck {
  fits: boolean;
  /** One line: needed vs available and what would fit; undefined when it fits. */
  message?: string;
}

/** Largest multiple of `step` in [lo, hi] (or `lo` itself) for which `fits` holds, the plan
 *  growing with the value; undefined when even `lo` does not fit. */
function largestFitting(lo: number, hi: number, step: number, fits: (n: number) => boolean): number | undefined {
  if (hi < lo || !fits(lo)) return undefined;
  let a = 0; // multiples of step above lo known to fit
  let b = Math.floor((hi - lo) / step);
  while (a < b) {
    const mid = Math.ceil((a + b) / 2);
    if (fits(lo + mid * step)) a = mid;
    else b = mid - 1;
  }
  return lo + a * step;
}

/** Settings of the command being run that would fit `cap`, each in that command's own flags with
 *  the largest value that fits (searched on the plan), best first. */
export function fittingSettings(i: PlanInput, cap: MemoryCapacity): string[] {
  const fits = (p: Partial<PlanInput>): boolean => {
    const plan = planMemory({ ...i, ...p });
    return plan.total <= cap.bytes && (cap.maxBufferBytes === undefined || plan.largestTensor <= cap.maxBufferBytes);
  };
  const out: string[] = [];
  const B = i.batchSize ?? 1;
  const T = i.seqLen ?? 512;
  const full = (i.loraRank ?? 0) === 0;
  if (i.command === 'sft' || i.command === 'pipeline') {
    const b = largestFitting(1, B - 1, 1, (n) => fits({ batchSize: n }));
    if (b !== undefined) out.push(`--batch-size ${b} (raise --grad-accum to keep the effective batch)`);
    const t = largestFitting(16, T - 1, 16, (n) => fits({ seqLen: n }));
    if (t !== undefined) out.push(`--max-seq-len ${t}`);
    else if (B > 1) {
      const t1 = largestFitting(16, T, 16, (n) => fits({ seqLen: n, batchSize: 1 }));
      if (t1 !== undefined) out.push(`--batch-size 1 --max-seq-len ${t1}`);
    }
    if (full && fits({ loraRank: 16 })) out.push('--lora-rank 16');
  } else if (i.command === 'grpo') {
    const P = i.promptLen ?? 64;
    const L = i.newTokens ?? 128;
    const len = (n: number): Partial<PlanInput> => ({ seqLen: P + n, newTokens: n });
    const m = largestFitting(1, B - 1, 1, (n) => fits({ batchSize: n }));
    if (m !== undefined) out.push(`--micro-batch ${m} (gradients accumulate: the step is unchanged)`);
    const c = largestFitting(16, L - 1, 16, (n) => fits(len(n)));
    if (c !== undefined) out.push(`--max-completion-length ${c}`);
    else if (B > 1) {
      const c1 = largestFitting(16, L, 16, (n) => fits({ ...len(n), batchSize: 1 }));
      if (c1 !== undefined) out.push(`--micro-batch 1 --max-completion-length ${c1}`);
    }
    const G = i.numGenerations;
    const rows = i.genRows ?? 1;
    if (G && rows > G) {
      const p = largestFitting(1, Math.floor(rows / G) - 1, 1, (n) => fits({ genRows: n * G }));
      if (p !== undefined) out.push(`--prompts-per-step ${p}`);
    }
    if (full && fits({ loraRank: 16 })) out.push('--lora-rank 16');
  } else {
    // generate/eval: rows generated together (eval --batch-size) and new tokens per row.
    const rows = i.genRows ?? 1;
    if (i.command === 'eval') {
      const r = largestFitting(1, rows - 1, 1, (n) => fits({ genRows: n }));
      if (r !== undefined) out.push(`--batch-size ${r}`);
    }
    const n = i.newTokens ?? 128;
    const t = largestFitting(16, n - 1, 16, (k) => fits({ newTokens: k }));
    if (t !== undefined) out.push(`--max-new-tokens ${t}`);
  }
  return out;
}

/** Compare a plan with a capacity; when it does not fit, name the settings of the command being run
 *  (smaller batch, shorter sequences, fewer rows, LoRA) with values that would fit, and the
 *  backends it would fit on. */
export function checkFit(plan: MemoryPlan, cap: MemoryCapacity, others: MemoryCapacity[] = []): FitCheck {
  const overBuffer = cap.maxBufferBytes !== undefined && plan.largestTensor > cap.maxBufferBytes;
  if (plan.total <= cap.bytes && !overBuffer) return { fits: true };
  const i = plan.input;
  const fixes = fittingSettings(i, cap);
  const backends = others
    .filter((o) => o.backend !== i.backend && planMemory({ ...i, backend: o.backend }).total <= o.bytes)
    .map((o) => `--backend ${o.backend}`);
  const what = overBuffer
    ? `its largest tensor (${formatBytes(plan.largestTensor)}) exceeds the largest buffer (${formatBytes(cap.maxBufferBytes!)})`
    : `needs about ${formatBytes(plan.total)} but ${formatBytes(cap.bytes)} is available (${cap.source})`;
  const advice = [...fixes.slice(0, 2), ...backends];
  return {
    fits: false,
    message: `${i.command} on ${i.backend} does not fit in memory: ${what}; ${advice.length ? `would fit: ${advice.join(' or ')}` : 'no smaller setting of this command fits: use a smaller model or a machine with more memory'} (see \`warmup plan\`; WARMUP_MEMORY_CHECK=0 skips this check)`,
  };
}
