// The WGSL attention programs (webgpu-attention.ts) against the unfused TF.js ops on the webgpu
// backend, element-wise, values and q/k/v gradients: GQA/MHA, causal + padding masks, a cached
// prefix, head dims that are not multiples of 4, row counts that are not multiples of the workgroup;
// through the whole model (every parameter's gradient); the fallback past the binding limit; no leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initModel, parseConfig, type Qwen2Config, setFusedOps, setMaxBindingBytes } from '@warmup/core';
import { installNodeWebgpu } from '@warmup/node';
import { webgpuAttention, webgpuAttentionActive, webgpuAttentionFits } from '../src/webgpu-attention.ts';
import {
  attentionAndGrads,
  causalMask,
  expectLossAndGradsClose,
  lossAndParamGrads,
  referenceAttention,
} from './fused-reference.ts';
import { backend, maxAbsDiff } from './helpers.ts';

/** Whether Dawn gives an adapter here (the `webgpu` package and a Vulkan driver). */
const gpu =
  (await installNodeWebgpu()) &&
  (await (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu?.requestAdapter()) != null;

let seed = 1;
const rand = (shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed++);

/** A small GQA model (2 layers, 6 heads on 2 kv heads of 8). */
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

describe.skipIf(!gpu)('WGSL attention on webgpu', () => {
  beforeAll(async () => {
    await backend('webgpu');
  });
  afterAll(() => {
    setFusedOps(true);
    setMaxBindingBytes(undefined);
  });

  // GQA with padding, MHA with 402 query rows (not a multiple of the 64-wide workgroup), odd head
  // dims (6, 10), a cached prefix (S > T) with padding, one new token over a cache.
  it.each([
    { B: 2, T: 9, H: 6, KV: 2, hd: 8, P: 0, pad: 3 },
    { B: 2, T: 67, H: 3, KV: 3, hd: 64, P: 0, pad: 5 },
    { B: 3, T: 13, H: 4, KV: 1, hd: 6, P: 0, pad: 2 },
    { B: 2, T: 5, H: 4, KV: 2, hd: 10, P: 7, pad: 2 },
    { B: 1, T: 1, H: 4, KV: 1, hd: 32, P: 11, pad: 0 },
  ])('values and q/k/v gradients equal the unfused ops: %o', async ({ B, T, H, KV, hd, P, pad }) => {
    const S = P + T;
    const [q, k, v, w] = [rand([B, T, H, hd]), rand([B, KV, S, hd]), rand([B, KV, S, hd]), rand([B * T, H * hd])];
    const mask = causalMask(B, T, P, pad);
    const want = await attentionAndGrads(referenceAttention, q, k, v, mask, w);
    const got = await attentionAndGrads(webgpuAttention, q, k, v, mask, w);
    // float32 sums over S and hd terms of unit-size values, in another order (online softmax).
    for (let i = 0; i < want.length; i++) expect(maxAbsDiff(got[i], want[i])).toBeLessThan(2e-5);
    tf.dispose([q, k, v, w, mask]);
  });

  it('the model: loss and every parameter gradient equal the unfused path, with no tensor left over', async () => {
    // Weights of std 0.3 (not 0.02): attention far from uniform, so a wrong softmax gradient shows.
    const model = initModel(CONFIG, 3, 0.3);
    const ids = [
      [5, 9, 3, 77, 12, 200, 41, 8, 19, 4],
      [0, 0, 0, 6, 100, 7, 55, 2, 81, 33],
    ];
    const mask = ids.map((r, b) => r.map((_, t) => (b === 1 && t < 3 ? 0 : 1)));
    const targets = ids.flat().map((t) => (t * 7 + 1) % CONFIG.vocabSize);
    const lossAndGrads = () => lossAndParamGrads(model, ids, mask, targets);
    setFusedOps(true);
    expect(webgpuAttentionActive()).toBe(true);
    const fused = await lossAndGrads();
    setFusedOps(false);
    expect(webgpuAttentionActive()).toBe(false);
    const unfused = await lossAndGrads();
    setFusedOps(true);
    expectLossAndGradsClose(fused, unfused, 1e-4);
    model.dispose();
  });

  it('past the binding limit the model keeps the unfused ops (no oversized binding), same logits', async () => {
    const model = initModel(CONFIG, 5, 0.3);
    const ids = [[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]];
    const forward = async () => {
      let logits: tf.Tensor | undefined;
      const info = await tf.profile(() => {
        logits = tf.tidy(() => model.logits(model.forward({ inputIds: ids }).hidden));
      });
      const data = (await logits!.data()) as Float32Array;
      logits!.dispose();
      return { data, kernels: new Set(info.kernelNames) };
    };
    const fused = await forward();
    expect(fused.kernels.has('Softmax')).toBe(false);
    // The key/value gradients [2, 1, 2, 12, 8] take 1,536 bytes, q [1, 12, 6, 8] 2,304: the model
    // splits attention by query positions (q fits then), but the key side never fits in 1,024.
    const q = tf.zeros([1, 12, 6, 8]) as tf.Tensor4D;
    const k = tf.zeros([1, 2, 12, 8]) as tf.Tensor4D;
    const m = tf.zeros([1, 1, 12, 12]) as tf.Tensor4D;
    expect(webgpuAttentionFits(q, k, m, 2304)).toBe(true);
    expect(webgpuAttentionFits(q, k, m, 2300)).toBe(false);
    expect(webgpuAttentionFits(tf.slice(q, 0, [1, 3]) as tf.Tensor4D, k, m, 1024)).toBe(false);
    tf.dispose([q, k, m]);
    setMaxBindingBytes(1024);
    const split = await forward();
    setMaxBindingBytes(undefined);
    expect(split.kernels.has('Softmax')).toBe(true);
    expect(maxAbsDiff(split.data, fused.data)).toBeLessThan(1e-4);
    model.dispose();
  });
});
