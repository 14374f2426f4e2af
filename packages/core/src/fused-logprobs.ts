// Token log-probabilities over the vocabulary as host loops, for backends whose tensors live in host
// memory (wasm, cpu): per row one max, one exp-sum and the target's logit forward, and in backward
// (one-hot − softmax) × upstream gradient written into the recomputed logits chunk in place. The TF.js
// chain (scale, logSumExp, gather; exp, one-hot, cast, sub, mul) makes about six [rows, V] tensors.
import * as tf from '@tensorflow/tfjs-core';
import { hostStorage } from './host-storage.ts';
import { fusedOpsOn } from './fused-switch.ts';
import { rowBuffer, simdExpKernels } from './wasm-exp.ts';

let logprobsOn = true;
let simdOn = true;

/** Use the WebAssembly SIMD row kernels (wasm-exp.ts) where they compile, else Math.exp loops;
 *  off only for tests of the fallback. */
export function setSimdRows(on: boolean): void {
  simdOn = on;
}
const kernels = () => (simdOn ? simdExpKernels() : null);

/** Switch only this op off (the other fused ops stay as setFusedOps left them): for measuring it alone. */
export function setFusedLogprobs(on: boolean): void {
  logprobsOn = on;
}

/** Whether tokenLogprobs takes the host path on `backend` (default: the active one). */
export function fusedLogprobsActive(backend: string = tf.getBackend()): boolean {
  return logprobsOn && fusedOpsOn(backend);
}

/**
 * One chunk's forward: `pieces` are the unscaled logits [n, V_k] of rows a..a+n (vocabulary pieces
 * starting at `starts`), `targets` all N target ids. Writes logp[a + r] and lse[a + r] (log-sum-exp
 * of logits × invT, in float64 for the backward pass).
 */
export function chunkLogprobs(
  pieces: tf.Tensor2D[],
  starts: number[],
  targets: number[],
  a: number,
  invT: number,
  logp: Float32Array,
  lse: Float64Array,
): void {
  const n = pieces[0].shape[0];
  const views = pieces.map((p) => hostStorage(p) ?? (p.dataSync() as Float32Array));
  const sizes = pieces.map((p) => p.shape[1]);
  const kern = kernels();
  if (kern) {
    // Each row (its pieces end to end) is copied into the kernels' memory, padded with -Infinity
    // to a multiple of 4 lanes: the pad adds under 3 x 1.7e-38 to the sum (exp is clamped at -87).
    const total = sizes.reduce((x, y) => x + y, 0);
    const buf = rowBuffer(kern, total);
    buf.fill(-Infinity, total);
    for (let r = 0; r < n; r++) {
      let at = 0;
      views.forEach((x, k) => {
        buf.set(x.subarray(r * sizes[k], (r + 1) * sizes[k]), at);
        at += sizes[k];
      });
      const m = kern.rowMax(0, buf.length);
      const l = m * invT + Math.log(kern.expSum(0, buf.length, invT, -m * invT));
      const t = targets[a + r];
      let k = starts.length - 1;
      while (starts[k] > t) k--;
      lse[a + r] = l;
      logp[a + r] = views[k][r * sizes[k] + t - starts[k]] * invT - l;
    }
    return;
  }
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let k = 0; k < views.length; k++) {
      const x = views[k];
      const V = sizes[k];
      for (let j = r * V, end = j + V; j < end; j++) if (x[j] > m) m = x[j];
    }
    let s = 0;
    for (let k = 0; k < views.length; k++) {
      const x = views[k];
      const V = sizes[k];
      for (let j = r * V, end = j + V; j < end; j++) s += Math.exp((x[j] - m) * invT);
    }
    const t = targets[a + r];
    let k = starts.length - 1;
    while (starts[k] > t) k--;
    const l = m * invT + Math.log(s);
    lse[a + r] = l;
    logp[a + r] = views[k][r * sizes[k] + t - starts[k]] * invT - l;
  }
}

/**
 * One vocabulary piece's gradient for rows a..a+n: d logp / d logits = (one-hot − softmax) × dy × invT,
 * written over `logits` (unscaled, [n, V_k], made by the caller and used for nothing else), which is
 * returned; where its storage cannot be reached, a new tensor with the same values.
 */
export function chunkLogitGrad(
  logits: tf.Tensor2D,
  start: number,
  targets: number[],
  a: number,
  invT: number,
  lse: Float64Array,
  dy: Float32Array | Int32Array | Uint8Array,
): tf.Tensor2D {
  const [n, V] = logits.shape;
  const direct = hostStorage(logits);
  const x = direct ?? (logits.dataSync().slice() as Float32Array);
  const kern = kernels();
  const buf = kern ? rowBuffer(kern, V) : undefined;
  for (let r = 0; r < n; r++) {
    const c = dy[a + r] * invT;
    const l = lse[a + r];
    const o = r * V;
    if (kern && buf) {
      buf.set(x.subarray(o, o + V));
      kern.expScale(0, buf.length, invT, -l, -c); // lanes past V are scratch
      x.set(buf.subarray(0, V), o);
    } else for (let j = o, end = o + V; j < end; j++) x[j] = -Math.exp(x[j] * invT - l) * c;
    const t = targets[a + r] - start;
    if (t >= 0 && t < V) x[o + t] += c;
  }
  return direct ? logits : tf.tensor2d(x, [n, V]);
}
