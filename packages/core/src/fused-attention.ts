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

/** Rows of group (b, g) of a [B, T, H, hd] array as [T*rep, hd] (row = t * rep + local head), times
 *  `scale`. Query-major, so that the queries that see a key are one run of rows (see KeyTiles). */
function gatherGroup(x: Float32Array, d: Dims, b: number, g: number, scale: number, role: string): Float32Array {
  const { T, H, hd, rep } = d;
  const out = scratch(role, rep * T * hd);
  for (let t = 0; t < T; t++)
    for (let hl = 0; hl < rep; hl++) {
      const src = ((b * T + t) * H + g * rep + hl) * hd;
      const dst = (t * rep + hl) * hd;
      for (let e = 0; e < hd; e++) out[dst + e] = x[src + e] * scale;
    }
  return out;
}

/** The inverse of gatherGroup: writes y [T*rep, hd] times `scale` into x [B, T, H, hd]. */
function scatterGroup(x: Float32Array, y: Float32Array, d: Dims, b: number, g: number, scale: number): void {
  const { T, H, hd, rep } = d;
  for (let t = 0; t < T; t++)
    for (let hl = 0; hl < rep; hl++) {
      const dst = ((b * T + t) * H + g * rep + hl) * hd;
      const src = (t * rep + hl) * hd;
      for (let e = 0; e < hd; e++) x[dst + e] = y[src + e] * scale;
    }
}

/** An additive mask at or below this is a dead key: its score + mask sits at least 1e8 - |scores|
 *  under the row's maximum, so exp() gives exactly 0 (model.ts masks with -1e9). */
const DEAD = -1e8;

let tileSkip = true;
/** Whether the fused attention skips the tiles a mask kills (default on); off computes every
 *  tile, for tests that compare the two. */
export function setAttentionTileSkip(on: boolean): void {
  tileSkip = on;
}

/** Per batch row: each query's live keys [lo[t], hi[t]) (outside them every probability is exactly
 *  0) and the kernel's per-4-row-block ranges (see simdMatmul) for the three product shapes. */
interface KeyTiles {
  lo: Int32Array;
  hi: Int32Array;
  /** rows = query rows, columns = keys (scores, dP): tiles up to the block's last live key. */
  scores: Int32Array;
  /** rows = query rows, k = keys (P V, dS K): k over the block's live keys. */
  byKey: Int32Array;
  /** rows = keys, k = query rows (dS^T q, P^T dO): k over the query rows that see the block. */
  byQuery: Int32Array;
}

function keyTiles(maskV: Float32Array, d: Dims, b: number): KeyTiles {
  const { T, S, hd, rep } = d;
  const R = T * rep;
  const lo = new Int32Array(T);
  const hi = new Int32Array(T).fill(S);
  if (tileSkip)
    for (let t = 0; t < T; t++) {
      const m = (b * T + t) * S;
      let first = 0;
      while (first < S && maskV[m + first] <= DEAD) first++;
      if (first === S) continue; // no live key: the softmax spreads over all of them, as unfused
      let last = S - 1;
      while (maskV[m + last] <= DEAD) last--;
      lo[t] = first;
      hi[t] = last + 1;
    }
  const rowBlocks = Math.ceil(R / 4);
  const scores = new Int32Array(rowBlocks * 3);
  const byKey = new Int32Array(rowBlocks * 3);
  for (let i = 0; i < rowBlocks; i++) {
    let kS = S;
    let kE = 0;
    for (let r = 4 * i; r < Math.min(R, 4 * i + 4); r++) {
      const t = (r / rep) | 0;
      kS = Math.min(kS, lo[t]);
      kE = Math.max(kE, hi[t]);
    }
    scores.set([kE, 0, hd], 3 * i);
    byKey.set([hd, kS, kE], 3 * i);
  }
  const keyBlocks = Math.ceil(S / 4);
  const byQuery = new Int32Array(keyBlocks * 3);
  for (let i = 0; i < keyBlocks; i++) {
    let kS = R;
    let kE = 0;
    for (let t = 0; t < T; t++)
      if (lo[t] < 4 * i + 4 && hi[t] > 4 * i) {
        kS = Math.min(kS, t * rep);
        kE = t * rep + rep;
      }
    byQuery.set([hd, Math.min(kS, kE), kE], 3 * i);
  }
  return { lo, hi, scores, byKey, byQuery };
}

/** dst[S*R] = transpose of src[R*S], into scratch `role`, copying only each row's live keys (the
 *  rest of src is zero there). Row r is query r / rep. */
function transposeLive(src: Float32Array, R: number, S: number, kt: KeyTiles, rep: number, role: string): Float32Array {
  const dst = scratch(role, R * S).fill(0);
  for (let r = 0; r < R; r++) {
    const t = (r / rep) | 0;
    for (let s = kt.lo[t]; s < kt.hi[t]; s++) dst[s * R + r] = src[r * S + s];
  }
  return dst;
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
    const probs = new Float32Array(B * KV * R * S); // kept for the backward pass; zero at dead keys
    const ctx = new Float32Array(B * T * H * hd);
    const tiles = Array.from({ length: B }, (_, b) => keyTiles(maskV, d, b));
    for (let b = 0; b < B; b++)
      for (let g = 0; g < KV; g++) {
        const kt = tiles[b];
        const kg = kv.subarray((b * KV + g) * S * hd, (b * KV + g + 1) * S * hd);
        const vg = vv.subarray((b * KV + g) * S * hd, (b * KV + g + 1) * S * hd);
        const qg = gatherGroup(qv, d, b, g, scale, 'q');
        const scores = simdMatmul(qg, transpose(kg, S, hd, 'kT'), R, hd, S, scratch('scores', R * S), kt.scores);
        const p = probs.subarray((b * KV + g) * R * S, (b * KV + g + 1) * R * S);
        // Only live keys: a dead key's probability is exactly 0 (it adds 0 to the sum and is never
        // the maximum), and that is what p already holds there.
        for (let r = 0; r < R; r++) {
          const t = (r / d.rep) | 0;
          const m = (b * T + t) * S;
          const o = r * S;
          const [lo, hi] = [kt.lo[t], kt.hi[t]];
          let max = -Infinity;
          for (let s = lo; s < hi; s++) {
            const z = scores[o + s] + maskV[m + s];
            scores[o + s] = z;
            if (z > max) max = z;
          }
          let sum = 0;
          for (let s = lo; s < hi; s++) {
            const e = Math.exp(scores[o + s] - max);
            p[o + s] = e;
            sum += e;
          }
          const inv = 1 / sum;
          for (let s = lo; s < hi; s++) p[o + s] *= inv;
        }
        scatterGroup(ctx, simdMatmul(p, vg, R, S, hd, scratch('o', R * hd), kt.byKey), d, b, g, 1);
      }
    const value = tf.tensor2d(ctx, [B * T, H * hd]);
    const gradFunc = (dy: tf.Tensor) => {
      const dyv = dy.dataSync() as Float32Array; // [B*T, H*hd] = [B, T, H, hd]
      const dq = new Float32Array(qv.length);
      const dk = new Float32Array(kv.length);
      const dv = new Float32Array(vv.length);
      for (let b = 0; b < B; b++)
        for (let g = 0; g < KV; g++) {
          const kt = tiles[b];
          const off = (b * KV + g) * S * hd;
          const kg = kv.subarray(off, off + S * hd);
          const vg = vv.subarray(off, off + S * hd);
          const p = probs.subarray((b * KV + g) * R * S, (b * KV + g + 1) * R * S);
          const dO = gatherGroup(dyv, d, b, g, 1, 'dO');
          const O = gatherGroup(ctx, d, b, g, 1, 'O');
          const dP = simdMatmul(dO, transpose(vg, S, hd, 'vT'), R, hd, S, scratch('dP', R * S), kt.scores);
          // dS = P * (dP - rowsum(dO * O)): the softmax backward; 0 at dead keys (P is 0 there, and
          // dP was not computed there).
          for (let r = 0; r < R; r++) {
            const t = (r / d.rep) | 0;
            const [lo, hi] = [r * S + kt.lo[t], r * S + kt.hi[t]];
            let dot = 0;
            for (let e = 0; e < hd; e++) dot += dO[r * hd + e] * O[r * hd + e];
            dP.fill(0, r * S, lo);
            for (let s = lo; s < hi; s++) dP[s] = p[s] * (dP[s] - dot);
            dP.fill(0, hi, r * S + S);
          }
          scatterGroup(dq, simdMatmul(dP, kg, R, S, hd, scratch('dq', R * hd), kt.byKey), d, b, g, scale);
          const qg = gatherGroup(qv, d, b, g, scale, 'q');
          const dPT = transposeLive(dP, R, S, kt, d.rep, 'dPT');
          simdMatmul(dPT, qg, S, R, hd, dk.subarray(off, off + S * hd), kt.byQuery);
          const pT = transposeLive(p, R, S, kt, d.rep, 'pT');
          simdMatmul(pT, dO, S, R, hd, dv.subarray(off, off + S * hd), kt.byQuery);
        }
      return [tf.tensor4d(dq, q.shape), tf.tensor4d(dk, k.shape), tf.tensor4d(dv, v.shape)];
    };
    return { value, gradFunc };
  };
  type Body = Parameters<typeof tf.customGrad>[0];
  return tf.customGrad(body as unknown as Body)(q, k, v) as tf.Tensor2D;
}
