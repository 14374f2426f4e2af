// Causal/masked grouped-query attention on tfjs-backend-webgpu as custom WGSL programs (one dispatch
// forward, three backward, scores recomputed flash-attention style, no [B, H, T, S] tensor), instead
// of the unfused path's ~12 transposes, batched matmuls and softmax kernels per layer and pass.
import * as tf from '@tensorflow/tfjs-core';
import { maxBindingBytes } from './binding.ts';
import { fusedOpsEnabled } from './fused-switch.ts';

/** The shape of tfjs-backend-webgpu's WebGPUProgram that its runWebGPUProgram reads (not exported
 *  as a type from the package's entry point, and core must not import the package statically). */
interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  getUserCode(): string;
}

interface WebgpuBackend {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: tf.DataType): tf.TensorInfo;
}

const WORKGROUP = 64;

/** Keys whose additive mask is at or below this are skipped (model.ts masks with -1e9): their
 *  softmax weight is exactly 0 in float32 unless every key of the row is masked, in which case
 *  (fully padded query rows) all keys are attended, as the unfused softmax does. */
const SKIP = -1e8;

/** Whether model attention takes the WGSL path on `backend` (default: the active one). */
export function webgpuAttentionActive(backend: string = tf.getBackend()): boolean {
  return fusedOpsEnabled() && backend === 'webgpu';
}

/** Whether every buffer the programs bind (inputs, outputs, the backward's [2, B, KV, S, hd] key and
 *  value gradients) fits one storage binding; if not, the caller keeps the unfused path. */
export function webgpuAttentionFits(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  mask: tf.Tensor4D,
  limit = maxBindingBytes(),
): boolean {
  const [B, T, H] = q.shape;
  const [, KV, S] = k.shape;
  const groups = Math.ceil(Math.max((H / KV) * T, S) / WORKGROUP);
  return Math.max(q.size, 2 * k.size, mask.size, B * T * H * 4) * 4 <= limit && Math.max(groups, B * KV) <= 65535;
}

/** WGSL float literal (always with a decimal point or exponent). */
function f32(x: number): string {
  const s = String(Math.fround(x));
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** Shared prologue of the query-row programs: workgroup (x, grp) holds query rows r = hl * T + t of kv
 *  group grp = b * KV + g (head h = g * rep + hl), so the keys and values every invocation reads are
 *  at the same address across the workgroup (one load, not a gather, on llvmpipe; a broadcast on a
 *  GPU). Sets the row `index` = (b * T + t) * H + h, its key offset kb and mask row mo, and the
 *  pre-scaled query in qr0 .. qr{hd-1} (the unfused path scales q before its matmul). */
function rowSetup(hd: number): string {
  return `
    let H = uniforms.qShape.z;
    let T = uniforms.qShape.y;
    let KV = uniforms.kShape.y;
    let S = uniforms.kShape.z;
    let rep = H / KV;
    let grp = i32(workgroupId.y);
    let r = i32(workgroupId.x) * ${WORKGROUP} + i32(localId.x);
    if (r >= rep * T) { return; }
    let bt = (grp / KV) * T + r % T;
    let index = bt * H + (grp % KV) * rep + r / T;
    let kb = grp * S * HD;
    let mo = bt * S;
    ${each(hd, (e) => `let qr${e} = q[index * HD + ${e}] * SCALE;`)}`;
}

/** \`f(e)\` for e = 0 .. hd-1, as straight-line WGSL: per-element variables instead of private arrays
 *  indexed in loops, which llvmpipe keeps in scratch memory (a gather or scatter per access). */
function each(hd: number, f: (e: number) => string): string {
  return Array.from({ length: hd }, (_, e) => f(e)).join('\n    ');
}

function header(hd: number): string {
  return `const HD = ${hd};\n    const SCALE = ${f32(1 / Math.sqrt(hd))};\n    const SKIP = ${f32(SKIP)};`;
}

/** A program over workgroups [x, kv groups]; the WGSL dimensions other than hd come from the inputs'
 *  shape uniforms, so one compiled pipeline serves every batch and length. */
function program(
  name: string,
  hd: number,
  inputs: string[],
  outputShape: number[],
  dispatch: [number, number],
  body: string,
): Program {
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `warmupAttn${name}_${hd}`,
    // A 2-D layout makes tfjs call main() without a flat index: the body reads workgroupId itself.
    dispatchLayout: { x: [0], y: [1] },
    dispatch: [dispatch[0], dispatch[1], 1],
    workgroupSize: [WORKGROUP, 1, 1],
    getUserCode: () => `
    ${header(hd)}
    fn main() {
      ${body}
    }`,
  };
}

/** The key loop that forward and stats share (so both skip the same keys): an online max m and sum l
 *  of the row's scores z (with the mask added), `update` run per key. The first sweep skips masked
 *  keys; a row that found none (fully masked: padding) sweeps again over every key, as the unfused
 *  softmax spreads over them. `sweep` stays 0 when the skip held, which the backward reads. */
function sweepKeys(hd: number, update: string): string {
  return `var m = -3.0e38;
    var l = 0.0;
    var sweep = 0;
    for (; sweep < 2; sweep++) {
      for (var s = 0; s < S; s++) {
        let mk = mask[mo + s];
        if (sweep == 0 && mk <= SKIP) { continue; }
        let ko = kb + s * HD;
        var z = 0.0;
        ${each(hd, (e) => `z += qr${e} * k[ko + ${e}];`)}
        z += mk;
        ${update}
      }
      if (l > 0.0) { break; }
    }`;
}

/** Online softmax over the row's keys (masked ones skipped unless all are), accumulating p * v in acc. */
function forwardProgram(hd: number, outShape: number[], grid: [number, number]): Program {
  return program(
    'Fwd',
    hd,
    ['q', 'k', 'v', 'mask'],
    outShape,
    grid,
    `${rowSetup(hd)}
    ${each(hd, (e) => `var acc${e} = 0.0;`)}
    ${sweepKeys(
      hd,
      `if (z > m) {
          let c = exp(m - z);
          l *= c;
          ${each(hd, (e) => `acc${e} *= c;`)}
          m = z;
        }
        let p = exp(z - m);
        l += p;
        ${each(hd, (e) => `acc${e} += p * v[ko + ${e}];`)}`,
    )}
    let inv = 1.0 / l;
    ${each(hd, (e) => `result[index * HD + ${e}] = acc${e} * inv;`)}`,
  );
}

/** Per query row: the max m and 1 / sum of exp(score - m) (not their log-sum-exp, which loses the
 *  scores of fully masked rows next to -1e9 in float32), D = rowsum(dO * O), and whether masked keys
 *  may be skipped. */
function statsProgram(hd: number, rows: number, grid: [number, number]): Program {
  return program(
    'Stats',
    hd,
    ['q', 'k', 'mask', 'o', 'dy'],
    [rows, 4],
    grid,
    `${rowSetup(hd)}
    ${sweepKeys(hd, 'if (z > m) { l *= exp(m - z); m = z; }\n        l += exp(z - m);')}
    var d = 0.0;
    ${each(hd, (e) => `d += dy[index * HD + ${e}] * o[index * HD + ${e}];`)}
    result[index * 4] = m;
    result[index * 4 + 1] = 1.0 / l;
    result[index * 4 + 2] = d;
    result[index * 4 + 3] = select(0.0, 1.0, sweep == 0);`,
  );
}

/** dq = scale * sum_s p (dO.v_s - D) k_s per query row. */
function dqProgram(hd: number, outShape: number[], grid: [number, number]): Program {
  return program(
    'Dq',
    hd,
    ['q', 'k', 'v', 'mask', 'dy', 'stats'],
    outShape,
    grid,
    `${rowSetup(hd)}
    let m = stats[index * 4];
    let invl = stats[index * 4 + 1];
    let d = stats[index * 4 + 2];
    let skip = stats[index * 4 + 3] > 0.5;
    ${each(hd, (e) => `let g${e} = dy[index * HD + ${e}];`)}
    ${each(hd, (e) => `var acc${e} = 0.0;`)}
    for (var s = 0; s < S; s++) {
      let mk = mask[mo + s];
      if (skip && mk <= SKIP) { continue; }
      let ko = kb + s * HD;
      var z = 0.0;
      var dp = 0.0;
      ${each(hd, (e) => `z += qr${e} * k[ko + ${e}]; dp += g${e} * v[ko + ${e}];`)}
      let ds = exp(z + mk - m) * invl * (dp - d);
      ${each(hd, (e) => `acc${e} += ds * k[ko + ${e}];`)}
    }
    ${each(hd, (e) => `result[index * HD + ${e}] = acc${e} * SCALE;`)}`,
  );
}

/** Per key row (b, g, s): dv = sum p dO and dk = scale * sum p (dO.v - D) q over the group's query
 *  heads and positions, written as [2, B, KV, S, hd] (dk first). */
function dkvProgram(hd: number, kShape: number[]): Program {
  const [B, KV, S] = kShape;
  return program(
    'Dkv',
    hd,
    ['q', 'k', 'v', 'mask', 'dy', 'stats'],
    [2, B, KV, S, hd],
    [Math.ceil(S / WORKGROUP), B * KV],
    // Workgroup (x, grp) holds keys s of kv group grp = b * KV + g: the query rows each invocation
    // reads are the same across the workgroup (see rowSetup).
    `let H = uniforms.qShape.z;
    let T = uniforms.qShape.y;
    let KV = uniforms.kShape.y;
    let S = uniforms.kShape.z;
    let keys = uniforms.kShape.x * KV * S;
    let grp = i32(workgroupId.y);
    let s = i32(workgroupId.x) * ${WORKGROUP} + i32(localId.x);
    if (s >= S) { return; }
    let index = grp * S + s;
    let b = grp / KV;
    let rep = H / KV;
    let h0 = (grp % KV) * rep;
    ${each(hd, (e) => `let kr${e} = k[index * HD + ${e}]; let vr${e} = v[index * HD + ${e}];`)}
    ${each(hd, (e) => `var dk${e} = 0.0; var dv${e} = 0.0;`)}
    for (var t = 0; t < T; t++) {
      let mk = mask[(b * T + t) * S + s];
      for (var hl = 0; hl < rep; hl++) {
        let row = (b * T + t) * H + h0 + hl;
        if (mk <= SKIP && stats[row * 4 + 3] > 0.5) { continue; }
        let qo = row * HD;
        var z = 0.0;
        var dp = 0.0;
        ${each(hd, (e) => `let q${e} = q[qo + ${e}]; let g${e} = dy[qo + ${e}]; z += (q${e} * SCALE) * kr${e}; dp += g${e} * vr${e};`)}
        let p = exp(z + mk - stats[row * 4]) * stats[row * 4 + 1];
        let ds = p * (dp - stats[row * 4 + 2]);
        ${each(hd, (e) => `dv${e} += p * g${e}; dk${e} += ds * q${e};`)}
      }
    }
    ${each(hd, (e) => `result[index * HD + ${e}] = dk${e} * SCALE; result[(keys + index) * HD + ${e}] = dv${e};`)}`,
  );
}

function run(prog: Program, inputs: tf.Tensor[]): tf.Tensor {
  const backend = tf.backend() as unknown as WebgpuBackend;
  const info = backend.runWebGPUProgram(prog, inputs, 'float32');
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * softmax(q k^T / sqrt(hd) + mask) v for q [B, T, H, hd], k and v [B, KV, S, hd] (query head h reads
 * kv head h / (H / KV)), mask [B, 1, T, S] additive -> [B*T, H*hd]: fusedAttention's contract, on
 * the webgpu backend. The mask gets no gradient.
 */
export function webgpuAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor2D {
  const [B, T, H, hd] = q.shape;
  const [, KV, S] = k.shape;
  if (H % KV !== 0 || k.shape[3] !== hd || mask.shape[2] !== T || mask.shape[3] !== S)
    throw new Error(`webgpuAttention: q ${q.shape}, k ${k.shape}, mask ${mask.shape} do not fit together`);
  if (mask.dtype !== 'float32') throw new Error(`webgpuAttention: the mask is ${mask.dtype}, not float32`);
  const rows = B * T * H;
  const grid: [number, number] = [Math.ceil(((H / KV) * T) / WORKGROUP), B * KV];
  const m = mask;
  const body = (qi: tf.Tensor, ki: tf.Tensor, vi: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    const out = run(forwardProgram(hd, [B * T, H * hd], grid), [qi, ki, vi, m]) as tf.Tensor2D;
    // The mask too: the model may dispose its own before the backward pass runs.
    save([qi, ki, vi, out, m]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [qs, ks, vs, os, ms] = saved;
      const stats = run(statsProgram(hd, rows, grid), [qs, ks, ms, os, dy]);
      const dq = run(dqProgram(hd, q.shape, grid), [qs, ks, vs, ms, dy, stats]);
      const dkv = run(dkvProgram(hd, k.shape), [qs, ks, vs, ms, dy, stats]);
      const n = k.size;
      const flat = tf.reshape(dkv, [2, n]);
      const dk = tf.reshape(tf.slice(flat, [0, 0], [1, n]), k.shape);
      const dv = tf.reshape(tf.slice(flat, [1, 0], [1, n]), v.shape);
      tf.dispose([stats, dkv, flat]);
      return [dq, dk, dv];
    };
    return { value: out, gradFunc };
  };
  type Body = Parameters<typeof tf.customGrad>[0];
  return tf.customGrad(body as unknown as Body)(q, k, v) as tf.Tensor2D;
}
