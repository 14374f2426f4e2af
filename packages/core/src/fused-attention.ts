// Causal/masked grouped-query attention as one op with a hand-written gradient, computed on the host
// with the WebAssembly SIMD matmul (wasm-gemm.ts): on tfjs-wasm and tfjs-cpu the unfused path's
// small batched matmuls run at about 1 GFLOP/s. Used where tensors can be read synchronously.
import * as tf from '@tensorflow/tfjs-core';
import { fusedOpsOn } from './fused-switch.ts';
import { hasSimdGemm, simdMatmul } from './wasm-gemm.ts';

/** Whether model attention takes the fused path on `backend` (default: the active one). */
export function fusedAttentionActive(backend: string = tf.getBackend()): boolean {
  return fusedOpsOn(backend) && hasSimdGemm();
}

// Scratch arrays reused across calls (one per role, grown as needed): fresh arrays per (batch, kv
// head) made the garbage collector a seventh of a training step.
const scratchArrays = new Map<string, Float32Array>();
function scratch(role: string, size: number): Float32Array {
  let a = scratchArrays.get(role);
  if (!a || a.length < size) scratchArrays.set(role, (a = new Float32Array(size)));
  return a.subarray(0, size);
}

/** dst[S*R] = transpose of src[R*S], into scratch `role`. */
function transpose(src: Float32Array, R: number, S: number, role: string): Float32Array {
  const dst = scratch(role, R * S);
  for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) dst[s * R + r] = src[r * S + s];
  return dst;
}

interface Dims {
  B: number;
  T: number;
  H: number;
  KV: number;
  S: number;
  hd: number;
  rep: number;
}

/** Rows of group (b, g) of a [B, T, H, hd] array as [rep*T, hd] (row = local head * T + t), times `scale`. */
function gatherGroup(x: Float32Array, d: Dims, b: number, g: number, scale: number, role: string): Float32Array {
  const { T, H, hd, rep } = d;
  const out = scratch(role, rep * T * hd);
  for (let hl = 0; hl < rep; hl++)
    for (let t = 0; t < T; t++) {
      const src = ((b * T + t) * H + g * rep + hl) * hd;
      const dst = (hl * T + t) * hd;
      for (let e = 0; e < hd; e++) out[dst + e] = x[src + e] * scale;
    }
  return out;
}

/** The inverse of gatherGroup: writes y [rep*T, hd] times `scale` into x [B, T, H, hd]. */
function scatterGroup(x: Float32Array, y: Float32Array, d: Dims, b: number, g: number, scale: number): void {
  const { T, H, hd, rep } = d;
  for (let hl = 0; hl < rep; hl++)
    for (let t = 0; t < T; t++) {
      const dst = ((b * T + t) * H + g * rep + hl) * hd;
      const src = (hl * T + t) * hd;
      for (let e = 0; e < hd; e++) x[dst + e] = y[src + e] * scale;
    }
}

/**
 * softmax(q k^T / sqrt(hd) + mask) v for q [B, T, H, hd], k and v [B, KV, S, hd] (query head h reads
 * kv head h / (H / KV)), mask [B, 1, T, S] additive -> [B*T, H*hd], as the unfused path in model.ts.
 * The mask gets no gradient.
 */
export function fusedAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor2D {
  const [B, T, H, hd] = q.shape;
  const [, KV, S] = k.shape;
  const d: Dims = { B, T, H, KV, S, hd, rep: H / KV };
  const R = d.rep * T;
  const scale = 1 / Math.sqrt(hd);
  const maskV = mask.dataSync() as Float32Array;
  const body = (qi: tf.Tensor, ki: tf.Tensor, vi: tf.Tensor) => {
    const qv = qi.dataSync() as Float32Array;
    const kv = ki.dataSync() as Float32Array;
    const vv = vi.dataSync() as Float32Array;
    const probs = new Float32Array(B * KV * R * S); // kept for the backward pass
    const ctx = new Float32Array(B * T * H * hd);
    for (let b = 0; b < B; b++)
      for (let g = 0; g < KV; g++) {
        const kg = kv.subarray((b * KV + g) * S * hd, (b * KV + g + 1) * S * hd);
        const vg = vv.subarray((b * KV + g) * S * hd, (b * KV + g + 1) * S * hd);
        const qg = gatherGroup(qv, d, b, g, scale, 'q');
        const scores = simdMatmul(qg, transpose(kg, S, hd, 'kT'), R, hd, S, scratch('scores', R * S));
        const p = probs.subarray((b * KV + g) * R * S, (b * KV + g + 1) * R * S);
        for (let r = 0; r < R; r++) {
          const m = (b * T + (r % T)) * S;
          const o = r * S;
          let max = -Infinity;
          for (let s = 0; s < S; s++) {
            const z = scores[o + s] + maskV[m + s];
            scores[o + s] = z;
            if (z > max) max = z;
          }
          let sum = 0;
          for (let s = 0; s < S; s++) {
            const e = Math.exp(scores[o + s] - max);
            p[o + s] = e;
            sum += e;
          }
          const inv = 1 / sum;
          for (let s = 0; s < S; s++) p[o + s] *= inv;
        }
        scatterGroup(ctx, simdMatmul(p, vg, R, S, hd, scratch('o', R * hd)), d, b, g, 1);
      }
    const value = tf.tensor2d(ctx, [B * T, H * hd]);
    const gradFunc = (dy: tf.Tensor) => {
      const dyv = dy.dataSync() as Float32Array; // [B*T, H*hd] = [B, T, H, hd]
      const dq = new Float32Array(qv.length);
      const dk = new Float32Array(kv.length);
      const dv = new Float32Array(vv.length);
      for (let b = 0; b < B; b++)
        for (let g = 0; g < KV; g++) {
          const off = (b * KV + g) * S * hd;
          const kg = kv.subarray(off, off + S * hd);
          const vg = vv.subarray(off, off + S * hd);
          const p = probs.subarray((b * KV + g) * R * S, (b * KV + g + 1) * R * S);
          const dO = gatherGroup(dyv, d, b, g, 1, 'dO');
          const O = gatherGroup(ctx, d, b, g, 1, 'O');
          const dP = simdMatmul(dO, transpose(vg, S, hd, 'vT'), R, hd, S, scratch('dP', R * S));
          // dS = P * (dP - rowsum(dO * O)): the softmax backward.
          for (let r = 0; r < R; r++) {
            let dot = 0;
            for (let e = 0; e < hd; e++) dot += dO[r * hd + e] * O[r * hd + e];
            for (let s = r * S; s < r * S + S; s++) dP[s] = p[s] * (dP[s] - dot);
          }
          scatterGroup(dq, simdMatmul(dP, kg, R, S, hd, scratch('dq', R * hd)), d, b, g, scale);
          const qg = gatherGroup(qv, d, b, g, scale, 'q');
          simdMatmul(transpose(dP, R, S, 'dPT'), qg, S, R, hd, dk.subarray(off, off + S * hd));
          simdMatmul(transpose(p, R, S, 'pT'), dO, S, R, hd, dv.subarray(off, off + S * hd));
        }
      return [tf.tensor4d(dq, q.shape), tf.tensor4d(dk, k.shape), tf.tensor4d(dv, v.shape)];
    };
    return { value, gradFunc };
  };
  type Body = Parameters<typeof tf.customGrad>[0];
  return tf.customGrad(body as unknown as Body)(q, k, v) as tf.Tensor2D;
}
