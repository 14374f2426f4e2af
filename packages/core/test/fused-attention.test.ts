// The fused attention op (host SIMD matmuls, hand-written gradient) against the unfused TF.js ops,
// element-wise, values and gradients: directly on random q/k/v/masks, and through the whole model
// (logits and every parameter's gradient) with the fused path on and off. On cpu and wasm.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fusedAttentionActive, initModel, parseConfig, type Qwen2Config, setFusedOps } from '@warmup/core';
import { fusedAttention } from '../src/fused-attention.ts';
import { simdMatmul } from '../src/wasm-gemm.ts';
import {
  attentionAndGrads,
  causalMask,
  expectLossAndGradsClose,
  lossAndParamGrads,
  referenceAttention,
} from './fused-reference.ts';
import { backend, maxAbsDiff } from './helpers.ts';

let seed = 1;
const rand = (shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed++);

describe.each(['cpu', 'wasm'] as const)('fused attention on %s', (name) => {
  afterAll(() => setFusedOps(true));

  it('the SIMD matmul equals a float64 product on odd shapes (padding paths)', async () => {
    await backend(name);
    for (const [M, K, N] of [
      [1, 1, 1],
      [5, 7, 9],
      [12, 64, 40],
    ]) {
      const a = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i + 1));
      const b = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.7));
      const want = new Float64Array(M * N);
      for (let i = 0; i < M; i++)
        for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) want[i * N + j] += a[i * K + k] * b[k * N + j];
      expect(maxAbsDiff(simdMatmul(a, b, M, K, N), want)).toBeLessThan(1e-5);
    }
  });

  // GQA (6 heads on 2 kv heads), plain MHA, a cached prefix (S > T) with padding, one new token.
  it.each([
    { B: 2, T: 9, H: 6, KV: 2, hd: 8, P: 0, pad: 3 },
    { B: 3, T: 16, H: 3, KV: 3, hd: 64, P: 0, pad: 0 },
    { B: 2, T: 5, H: 4, KV: 2, hd: 16, P: 7, pad: 2 },
    { B: 1, T: 1, H: 4, KV: 1, hd: 32, P: 11, pad: 0 },
  ])('values and q/k/v gradients equal the unfused ops: %o', async ({ B, T, H, KV, hd, P, pad }) => {
    await backend(name);
    const S = P + T;
    const [q, k, v, w] = [rand([B, T, H, hd]), rand([B, KV, S, hd]), rand([B, KV, S, hd]), rand([B * T, H * hd])];
    const mask = causalMask(B, T, P, pad);
    const want = await attentionAndGrads(referenceAttention, q, k, v, mask, w);
    const got = await attentionAndGrads(fusedAttention, q, k, v, mask, w);
    // float32 rounding of sums over S and hd terms of unit-size values: ~1e-6 relative.
    for (let i = 0; i < want.length; i++) expect(maxAbsDiff(got[i], want[i])).toBeLessThan(2e-5);
    tf.dispose([q, k, v, w, mask]);
  });

  it('the model: logits-side log-probs and every parameter gradient equal the unfused path', async () => {
    await backend(name);
    const config = CONFIG;
    // Weights of std 0.3 (not 0.02): attention far from uniform, so a wrong softmax gradient shows.
    const model = initModel(config, 3, 0.3);
    const ids = [
      [5, 9, 3, 77, 12, 200, 41, 8, 19, 4],
      [0, 0, 0, 6, 100, 7, 55, 2, 81, 33],
    ];
    const mask = ids.map((r, b) => r.map((_, t) => (b === 1 && t < 3 ? 0 : 1)));
    const targets = ids.flat().map((t) => (t * 7 + 1) % config.vocabSize);
    const lossAndGrads = () => lossAndParamGrads(model, ids, mask, targets);
    setFusedOps(true);
    expect(fusedAttentionActive()).toBe(true);
    const fused = await lossAndGrads();
    setFusedOps(false);
    expect(fusedAttentionActive()).toBe(false);
    const unfused = await lossAndGrads();
    setFusedOps(true);
    expectLossAndGradsClose(fused, unfused, 1e-4);
    model.dispose();
  });
});

/** A small GQA model (2 layers, 6 heads on 2 kv heads of 8) so both attention groupings are used. */
const CONFIG: Qwen2Config = parseConfig({
  model_type: 'qwen2',
  vocab_size: 256,
  hidden_size: 48,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 6,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: true,
});
