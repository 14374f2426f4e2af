// modelSampler on the byte-sized `tiny` preset with a one-byte-per-token stand-in tokenizer: row
// layout across chunks, seeding (reproducible, seed-dependent), greedy decoding and truncation.
import { initModel, type Qwen2Model, type TextTokenizer } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkSeed, modelSampler } from '../src/eval-sampler.ts';
import { readPreset } from '../src/model-spec.ts';

// Token ids 3..255 are the bytes; 2 is the tiny preset's EOS.
const byteTokenizer = {
  eosTokenIds: [2],
  padTokenId: 0,
  encode: (s: string) => [...s].map((c) => 3 + (c.charCodeAt(0) % 253)),
  decode: (ids: number[]) => ids.map((i) => (i >= 3 ? String.fromCharCode(0x100 + i) : `<${i}>`)).join(''),
} as unknown as TextTokenizer;

let model: Qwen2Model;
const base = { temperature: 1, topP: 1, topK: 0, maxNewTokens: 6, seed: 3, batchSize: 4 };

beforeAll(async () => {
  await useNodeBackend('cpu');
  model = initModel(readPreset('tiny')!.config, 0, 0.5); // large init: a peaked, varied distribution
});
afterAll(() => model.dispose());

describe('modelSampler', () => {
  it('returns n samples per prompt, with text, token counts and truncation that agree', async () => {
    // 3 prompts × 3 samples = 9 rows: chunks of 4, 4 and 1, one prompt split over two chunks
    const out = await modelSampler(model, byteTokenizer, base).sample(['ab', 'cde', 'f'], 3);
    expect(out.map((p) => p.length)).toEqual([3, 3, 3]);
    for (const s of out.flat()) {
      expect(s.tokens).toBeGreaterThanOrEqual(0);
      expect(s.tokens).toBeLessThanOrEqual(6);
      // one character per token, and no EOS token left in the text
      expect([...s.text]).toHaveLength(s.tokens);
      expect(s.text).not.toContain('<2>');
      // stopped at the limit exactly when it did not stop at EOS
      expect(s.truncated).toBe(s.tokens === 6);
    }
  });

  it('is reproducible for the same prompts and seed, and changes with the seed', async () => {
    const prompts = ['hello', 'world'];
    const a = await modelSampler(model, byteTokenizer, base).sample(prompts, 4);
    const b = await modelSampler(model, byteTokenizer, base).sample(prompts, 4);
    const c = await modelSampler(model, byteTokenizer, { ...base, seed: 4 }).sample(prompts, 4);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    // samples of one prompt are independent draws, not copies
    expect(new Set(a[0].map((s) => s.text)).size).toBeGreaterThan(1);
  });

  it('decodes greedily at temperature 0: every sample of a prompt is the same, in any chunk', async () => {
    const out = await modelSampler(model, byteTokenizer, { ...base, temperature: 0, batchSize: 3 }).sample(
      ['xy', 'z'],
      4,
    );
    for (const p of out) expect(new Set(p.map((s) => s.text)).size).toBe(1);
  });

  it('seeds chunks from the base seed, the chunk index and the prompts', () => {
    const s = chunkSeed(0, 0, ['a', 'b']);
    expect(chunkSeed(0, 0, ['a', 'b'])).toBe(s);
    expect(
      new Set([
        s,
        chunkSeed(1, 0, ['a', 'b']),
        chunkSeed(0, 1, ['a', 'b']),
        chunkSeed(0, 0, ['ab']),
        chunkSeed(0, 0, ['b', 'a']),
      ]).size,
    ).toBe(5);
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
