// The fused attention's causal tile skipping against the same op computing every tile: values and
// q/k/v gradients element-wise (the skipped terms are exact zeros, so the results are identical),
// on causal, left-padded, cached (past keys), GQA and holed (packed-segment-like) masks; plus the
// SIMD kernel's ranged products against a float64 reference. On cpu and wasm.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fusedAttention, setAttentionTileSkip } from '../src/fused-attention.ts';
import { simdMatmul } from '../src/wasm-gemm.ts';
import { backend, maxAbsDiff } from './helpers.ts';

let seed = 7;
const rand = (shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed++);

/** Causal mask over S = P + T keys; batch row b has pad[b] left-padded keys; with `holes`, key s
 *  is also hidden from query t when (s + t) % 5 === 0 and s < P + t (a mask that is not a prefix). */
function mask(B: number, T: number, P: number, pad: number[], holes: boolean): tf.Tensor4D {
  const S = P + T;
  const m = new Float32Array(B * T * S);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let s = 0; s < S; s++) {
        const live = s <= P + t && s >= pad[b] && !(holes && s < P + t && (s + t) % 5 === 0);
        m[(b * T + t) * S + s] = live ? 0 : -1e9;
      }
  return tf.tensor4d(m, [B, 1, T, S]);
}

describe.each(['cpu', 'wasm'] as const)('attention tile skipping on %s', (name) => {
  afterAll(() => setAttentionTileSkip(true));

  it('ranged SIMD products equal a float64 product over the kept tiles and k range', async () => {
    await backend(name);
    const [M, K, N] = [10, 13, 21];
    const a = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i + 1));
    const b = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.7));
    // blocks of rows 0-3, 4-7, 8-9: [jEnd, kStart, kEnd]
    const ranges = Int32Array.from([5, 0, 13, 21, 3, 9, 16, 4, 4]);
    const out = simdMatmul(a, b, M, K, N, undefined, ranges);
    for (let i = 0; i < M; i++) {
      const [jEnd, kS, kE] = ranges.subarray(3 * (i >> 2), 3 * (i >> 2) + 3);
      // columns of every 8-wide tile that starts below jEnd are computed (the others hold stale values)
      for (let j = 0; j < Math.min(N, Math.ceil(jEnd / 8) * 8); j++) {
        let want = 0;
        for (let k = kS; k < kE; k++) want += a[i * K + k] * b[k * N + j];
        expect(Math.abs(out[i * N + j] - want), `${i},${j}`).toBeLessThan(1e-5);
      }
    }
    expect(() => simdMatmul(a, b, M, K, N, undefined, Int32Array.from([25, 0, 13, 24, 0, 13, 24, 0, 13]))).toThrow(
      /bad range/,
    );
  });

  it.each([
    { B: 2, T: 9, H: 6, KV: 2, hd: 8, P: 0, pad: [3, 0], holes: false }, // GQA; batch 0 has dead query rows
    { B: 2, T: 37, H: 3, KV: 3, hd: 64, P: 0, pad: [0, 5], holes: false }, // MHA, rows not a multiple of 4
    { B: 2, T: 5, H: 4, KV: 2, hd: 16, P: 7, pad: [2, 0], holes: false }, // cached prefix (past keys), padded
    { B: 1, T: 1, H: 4, KV: 1, hd: 32, P: 11, pad: [0], holes: false }, // one new token on a cache
    { B: 2, T: 20, H: 6, KV: 2, hd: 8, P: 3, pad: [1, 4], holes: true }, // live keys that are not one run
  ])('values and q/k/v gradients equal the full path exactly: %o', async ({ B, T, H, KV, hd, P, pad, holes }) => {
    await backend(name);
    const S = P + T;
    const [q, k, v, w] = [rand([B, T, H, hd]), rand([B, KV, S, hd]), rand([B, KV, S, hd]), rand([B * T, H * hd])];
    const m = mask(B, T, P, pad, holes);
    const run = (skip: boolean) => {
      setAttentionTileSkip(skip);
      return tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          fusedAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, m);
        const out = f(q, k, v);
        const grads = tf.grads((a, b, c) => tf.sum(tf.mul(f(a, b, c), w)))([q, k, v]);
        return [out, ...grads].map((t) => t.dataSync().slice());
      });
    };
    const full = run(false);
    const skipped = run(true);
    for (let i = 0; i < full.length; i++) {
      expect(full[i].every(Number.isFinite)).toBe(true);
      expect(maxAbsDiff(skipped[i], full[i]), ['value', 'dq', 'dk', 'dv'][i]).toBe(0);
    }
    tf.dispose([q, k, v, w, m]);
  });
});
