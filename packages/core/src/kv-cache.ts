// A KV cache allocated once for a whole generation and written in place, token by token, instead
// of growing every layer's keys and values by a concat per token (O(S) copies and allocations).
import * as tf from '@tensorflow/tfjs-core';
import { hostStorage } from './host-storage.ts';
import type { KVCache } from './model.ts';

/** Whether the active backend keeps tensors in host memory that can be written in place (cpu,
 *  wasm). Elsewhere (WebGPU, tfjs-node) generation keeps the concat cache. */
export function canWriteInPlace(): boolean {
  const name = tf.getBackend();
  return name === 'cpu' || name === 'wasm';
}

/** An empty cache with room for `capacity` positions per row: every layer's keys and values are
 *  zero tensors [B, KV, capacity, hd] that forward fills in place. Dispose with disposeCache. */
export function preallocatedCache(
  shape: { layers: number; kvHeads: number; headDim: number },
  batch: number,
  capacity: number,
): KVCache {
  if (!canWriteInPlace()) throw new Error(`preallocated KV cache: backend ${tf.getBackend()} cannot write in place`);
  const dims: [number, number, number, number] = [batch, shape.kvHeads, capacity, shape.headDim];
  return {
    layers: Array.from({ length: shape.layers }, () => ({ k: tf.zeros(dims), v: tf.zeros(dims) })),
    mask: Array.from({ length: batch }, () => []),
    nextPos: new Array(batch).fill(0),
    capacity,
  };
}

/** Copy x [B, KV, T, hd] into positions [at, at + T) of cache [B, KV, capacity, hd], in place. */
export function writeSlots(cache: tf.Tensor4D, x: tf.Tensor4D, at: number): void {
  const [B, H, cap, hd] = cache.shape;
  const T = x.shape[2];
  if (x.shape[0] !== B || x.shape[1] !== H || x.shape[3] !== hd)
    throw new Error(`KV cache write: block ${x.shape} does not match cache ${cache.shape}`);
  if (at + T > cap) throw new Error(`KV cache full: ${at} + ${T} positions exceed its capacity ${cap}`);
  const src = hostStorage(x);
  const dst = hostStorage(cache);
  if (!src || !dst) throw new Error(`KV cache write: backend ${tf.getBackend()} has no host storage for it`);
  const n = T * hd;
  for (let r = 0; r < B * H; r++) dst.set(src.subarray(r * n, r * n + n), (r * cap + at) * hd);
}

/** Attention of q [B, T, H, hd] (positions P … P + T - 1) over the first P + T slots of a
 *  preallocated cache [B, KV, capacity, hd], read where it lies: no copy of the cache and no
 *  attention over the unwritten slots. keyMask [B][P + T]: 1 = a real token. Causal, grouped-query
 *  (query head h reads kv head h / (H / KV)), accumulated in float64. Returns [B*T, H*hd]. For
 *  inference only: it has no gradient. */
export function cachedAttention(
  q: tf.Tensor4D,
  kCache: tf.Tensor4D,
  vCache: tf.Tensor4D,
  keyMask: number[][],
  P: number,
): tf.Tensor2D {
  const [B, T, H, hd] = q.shape;
  const [, KV, cap] = kCache.shape;
  const qv = q.dataSync() as Float32Array;
  // Views taken after the read: nothing below allocates in the wasm heap until the loop ends.
  const K = hostStorage(kCache);
  const V = hostStorage(vCache);
  if (!K || !V) throw new Error(`KV cache read: backend ${tf.getBackend()} has no host storage for it`);
  const out = new Float32Array(B * T * H * hd);
  const rep = H / KV;
  const scale = 1 / Math.sqrt(hd);
  const S = P + T;
  const w = new Float64Array(S);
  const acc = new Float64Array(hd);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++) {
        const qo = ((b * T + t) * H + h) * hd;
        const base = (b * KV + Math.floor(h / rep)) * cap * hd;
        const last = P + t; // causal: keys 0 … P + t
        let max = -Infinity;
        for (let s = 0; s <= last; s++) {
          if (!keyMask[b][s]) {
            w[s] = Number.NaN;
            continue;
          }
          let dot = 0;
          const ko = base + s * hd;
          for (let e = 0; e < hd; e++) dot += qv[qo + e] * K[ko + e];
          w[s] = dot * scale;
          if (w[s] > max) max = w[s];
        }
        acc.fill(0);
        let sum = 0;
        // No visible key (a padded query): uniform over all S slots, as the additive mask gives.
        const n = max === -Infinity ? S : last + 1;
        for (let s = 0; s < n; s++) {
          const p = max === -Infinity ? 1 : Number.isNaN(w[s]) ? 0 : Math.exp(w[s] - max);
          if (p === 0) continue;
          sum += p;
          const vo = base + s * hd;
          for (let e = 0; e < hd; e++) acc[e] += p * V[vo + e];
        }
        for (let e = 0; e < hd; e++) out[qo + e] = acc[e] / sum;
      }
  return tf.tensor2d(out, [B * T, H * hd]);
}
