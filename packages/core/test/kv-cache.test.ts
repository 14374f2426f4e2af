// The preallocated, written-in-place KV cache against the concat cache it replaces: the same
// greedy ids, log-probs within 2e-5, the same sampled ids for a seed, and no tensor growth.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  generate,
  initModel,
  parseConfig,
  preallocatedCache,
  type BackendName,
  type GenerateOptions,
  type Qwen2Model,
} from '@warmup/core';
import { backend, maxAbsDiff } from './helpers.ts';

/** Log-probs may differ by float rounding: the in-place path sums attention in float64. */
const LOGPROB_TOL = 2e-5;

function tinyModel(heads: number, kvHeads: number, seed: number): Qwen2Model {
  const config = parseConfig({
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: 97,
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 2,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    eos_token_id: 3,
  });
  return initModel(config, seed);
}

async function both(model: Qwen2Model, prompts: number[][], o: Omit<GenerateOptions, 'kvCache'>) {
  const before = tf.memory().numTensors;
  const concat = await generate(model, prompts, { ...o, kvCache: 'concat' });
  const pre = await generate(model, prompts, { ...o, kvCache: 'preallocated' });
  expect(tf.memory().numTensors).toBe(before);
  return { concat, pre };
}

// Rows of different lengths: the in-place path must handle left padding like the old one.
const PROMPTS = [
  [5, 9, 17, 33, 2, 40, 41],
  [7, 8],
  [11, 12, 13, 14, 15],
];

for (const be of ['cpu', 'wasm'] as BackendName[]) {
  describe(`preallocated KV cache on ${be}`, () => {
    let gqa: Qwen2Model;
    beforeAll(async () => {
      await backend(be);
      gqa = tinyModel(4, 2, 1);
    });

    it('greedy: the same ids as the concat cache and the uncached forward, log-probs within 2e-5', async () => {
      const o = { greedy: true, maxNewTokens: 24, eosTokenIds: [] };
      const { concat, pre } = await both(gqa, PROMPTS, o);
      const none = await generate(gqa, PROMPTS, { ...o, noCache: true });
      expect(pre.tokens).toEqual(concat.tokens);
      expect(pre.tokens).toEqual(none.tokens);
      expect(pre.tokens.every((t) => t.length === 24)).toBe(true);
      for (let b = 0; b < PROMPTS.length; b++)
        expect(maxAbsDiff(pre.logprobs[b], concat.logprobs[b])).toBeLessThan(LOGPROB_TOL);
    });

    it('sampling: the same ids for a seed (temperature, top-k, top-p), EOS ending rows early', async () => {
      const o = { temperature: 1.3, topK: 40, topP: 0.9, maxNewTokens: 30, seed: 11, eosTokenIds: [3, 4] };
      const { concat, pre } = await both(gqa, PROMPTS, o);
      expect(pre.tokens).toEqual(concat.tokens);
      expect(pre.finishReasons).toEqual(concat.finishReasons);
      for (let b = 0; b < PROMPTS.length; b++) {
        expect(maxAbsDiff(pre.logprobs[b], concat.logprobs[b])).toBeLessThan(LOGPROB_TOL);
        expect(maxAbsDiff(pre.entropies[b], concat.entropies[b])).toBeLessThan(LOGPROB_TOL);
      }
    });

    it('one row and one kv head (a single-batch matmul operand) match too', async () => {
      const mha = tinyModel(2, 1, 3);
      const o = { temperature: 1, maxNewTokens: 20, seed: 5, eosTokenIds: [] };
      const { concat, pre } = await both(mha, [PROMPTS[0]], o);
      expect(pre.tokens).toEqual(concat.tokens);
      expect(maxAbsDiff(pre.logprobs[0], concat.logprobs[0])).toBeLessThan(LOGPROB_TOL);
      mha.dispose();
    });

    it('tensor count stays flat over repeated generations', async () => {
      const o = { temperature: 1, maxNewTokens: 8, seed: 2, eosTokenIds: [] };
      await generate(gqa, PROMPTS, o);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await generate(gqa, PROMPTS, { ...o, seed: i });
      expect(tf.memory().numTensors).toBe(before);
    });

    it('forward refuses to write past the capacity, naming it', () => {
      const c = gqa.config;
      const cache = preallocatedCache({ layers: c.numLayers, kvHeads: c.numKvHeads, headDim: c.headDim }, 1, 4);
      try {
        expect(() =>
          tf.tidy(() => gqa.forward({ inputIds: [[1, 2, 3, 4, 5]] }, { past: cache, useCache: true }).hidden),
        ).toThrow(/exceed the KV cache's capacity 4/);
      } finally {
        for (const l of cache.layers) tf.dispose([l.k, l.v]);
      }
    });
  });
}
