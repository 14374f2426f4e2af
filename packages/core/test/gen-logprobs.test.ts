// generate()'s scaledLogprobs against a full forward over the packed prompt + completion (what GRPO's
// old-log-prob pass computes), at temperature 1 and 0.7 with top-k / top-p on, left-padded prompts
// of different lengths and rows ending early on EOS, on every parity backend (webgpu where an adapter
// works): GRPO reuses them only because they agree.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { generate, initModel, parseConfig, selectedLogprobs } from '@warmup/core';
import { backend, maxAbsDiff, PARITY_BACKENDS } from './helpers.ts';

/** Float rounding only: the decode steps attend over the cache in float64, the forward in float32. */
const TOL = 1e-5;

const model = () =>
  initModel(
    parseConfig({
      architectures: ['Qwen2ForCausalLM'],
      model_type: 'qwen2',
      vocab_size: 97,
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
      tie_word_embeddings: true,
      eos_token_id: 3,
    }),
    5,
  );

describe.each(PARITY_BACKENDS)('generation log-probs on %s', (name) => {
  it.each([
    { temperature: 1, topK: 0, topP: 1 },
    { temperature: 0.7, topK: 20, topP: 0.9 },
    { temperature: 1.3, topK: 0, topP: 0.95 },
  ])('scaledLogprobs equal the forward pass of the packed sequences: %o', async (o) => {
    await backend(name);
    const m = model();
    const prompts = [[1, 5, 9, 12], [7, 8], [20, 21, 22, 23, 24, 25], [4]];
    const run = (eos: number[]) =>
      generate(m, prompts, { ...o, maxNewTokens: 12, eosTokenIds: eos, padTokenId: 0, seed: 11 });
    // The same seed draws the same tokens until a row stops: make row 0's fifth token the EOS.
    const gen = await run([(await run([])).tokens[0][4]]);
    // Pack as GRPO does: prompts left-padded to P, completions right-padded to C.
    const P = Math.max(...prompts.map((p) => p.length));
    const C = Math.max(...gen.tokens.map((t) => t.length));
    const inputIds: number[][] = [];
    const attentionMask: number[][] = [];
    const positionIds: number[][] = [];
    const sel = { rows: [] as number[], cols: [] as number[], targets: [] as number[] };
    prompts.forEach((p, r) => {
      const c = gen.tokens[r];
      const row = [...new Array(P - p.length).fill(0), ...p, ...c, ...new Array(C - c.length).fill(0)];
      const mask = row.map((_, i) => (i >= P - p.length && i < P + c.length ? 1 : 0));
      let pos = 0;
      inputIds.push(row);
      attentionMask.push(mask);
      positionIds.push(mask.map((x) => (x ? pos++ : 1)));
      c.forEach((tok, j) => {
        sel.rows.push(r);
        sel.cols.push(P - 1 + j);
        sel.targets.push(tok);
      });
    });
    const t = tf.tidy(() => selectedLogprobs(m, { inputIds, attentionMask, positionIds }, sel, o.temperature));
    const want = await t.data();
    t.dispose();
    const got = gen.scaledLogprobs.flat();
    expect(got.length).toBe(want.length);
    expect(gen.finishReasons).toContain('eos'); // a row that ended early is in the comparison
    expect(maxAbsDiff(got, want)).toBeLessThan(TOL);
    // At temperature 1 the scaled log-prob is the plain one; elsewhere it is not.
    const plainDiff = maxAbsDiff(gen.logprobs.flat(), got);
    if (o.temperature === 1) expect(plainDiff).toBeLessThan(1e-12);
    else expect(plainDiff).toBeGreaterThan(1e-3);
    m.dispose();
  });
});
