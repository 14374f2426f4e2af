// Greedy generation parity with the fixture (with and without the KV cache), sampling
// reproducibility, and no tensor leaks across a generation.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { generate, loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource } from '@warmup/node';
import { FIXTURE, expected, backend } from './helpers.ts';
import { PARITY_BACKENDS } from './helpers.ts';

for (const be of PARITY_BACKENDS) {
  describe(`generate on ${be}`, () => {
    let model: Qwen2Model;
    beforeAll(async () => {
      await backend(be);
      model = await loadModel(folderSource(FIXTURE));
    });

    for (const noCache of [false, true]) {
      it(`greedy reproduces the 12 expected tokens ${noCache ? 'without' : 'with'} the KV cache`, async () => {
        const g = expected.greedy;
        const before = tf.memory().numTensors;
        const r = await generate(model, [g.prompt_ids], {
          greedy: true,
          maxNewTokens: g.num_new_tokens,
          eosTokenIds: [],
          noCache,
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(r.tokens[0]).toEqual(g.generated_ids);
        r.logprobs[0].forEach((lp, i) => expect(Math.abs(lp - g.chosen_logprobs[i])).toBeLessThan(1e-4));
      });
    }

    it('batched greedy with left padding gives each prompt its unbatched result', async () => {
      const g = expected.greedy;
      const short = g.prompt_ids.slice(2);
      const alone = await generate(model, [short], { greedy: true, maxNewTokens: 6, eosTokenIds: [] });
      const batched = await generate(model, [g.prompt_ids, short], { greedy: true, maxNewTokens: 6, eosTokenIds: [] });
      expect(batched.tokens[0]).toEqual(g.generated_ids.slice(0, 6));
      expect(batched.tokens[1]).toEqual(alone.tokens[0]);
    });

    it('sampling is reproducible for a seed and differs across seeds', async () => {
      const p = [expected.greedy.prompt_ids, expected.greedy.prompt_ids];
      const o = { temperature: 1.5, topP: 0.95, topK: 50, maxNewTokens: 10, eosTokenIds: [] };
      const a = await generate(model, p, { ...o, seed: 1 });
      const b = await generate(model, p, { ...o, seed: 1 });
      const c = await generate(model, p, { ...o, seed: 2 });
      expect(a.tokens).toEqual(b.tokens);
      expect(a.tokens).not.toEqual(c.tokens);
    });

    it('an async onStep that yields to timers lets a cancel set by a timer stop the generation', async () => {
      const g = expected.greedy;
      let cancelled = false;
      setTimeout(() => {
        cancelled = true;
      }, 0);
      const before = tf.memory().numTensors;
      const r = await generate(model, [g.prompt_ids], {
        greedy: true,
        maxNewTokens: 12,
        eosTokenIds: [],
        onStep: async () => {
          await new Promise((resolve) => setTimeout(resolve, 0));
          return !cancelled;
        },
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(r.tokens[0]).toEqual(g.generated_ids.slice(0, 1));
      // A promise resolving to nothing does not stop it.
      const full = await generate(model, [g.prompt_ids], {
        greedy: true,
        maxNewTokens: 5,
        eosTokenIds: [],
        onStep: async () => {},
      });
      expect(full.tokens[0]).toEqual(g.generated_ids.slice(0, 5));
    });

    it('stops rows independently at EOS', async () => {
      const g = expected.greedy;
      // EOS = the last token of the fixture's greedy sequence. Every row must equal its own greedy
      // continuation without EOS, cut just after its first EOS (finish 'eos'), or run to the
      // length limit (finish 'length'), while the other rows keep decoding.
      const eosTok = g.generated_ids[g.generated_ids.length - 1];
      const prompts = [g.prompt_ids.slice(1), g.prompt_ids, g.prompt_ids.slice(2), [g.prompt_ids[0], eosTok]];
      const opts = { greedy: true, maxNewTokens: 12 };
      const free = await generate(model, prompts, { ...opts, eosTokenIds: [] });
      const r = await generate(model, prompts, { ...opts, eosTokenIds: [eosTok] });
      prompts.forEach((_, i) => {
        const f = free.tokens[i];
        const k = f.indexOf(eosTok);
        expect(r.tokens[i], `row ${i}`).toEqual(k >= 0 ? f.slice(0, k + 1) : f);
        expect(r.finishReasons[i], `row ${i}`).toBe(k >= 0 ? 'eos' : 'length');
        expect(r.logprobs[i]).toHaveLength(r.tokens[i].length);
      });
      // The batch really mixes rows that stop at different steps with rows that go on.
      expect(r.finishReasons).toContain('eos');
      expect(new Set(r.tokens.map((t) => t.length)).size).toBeGreaterThan(1);
    });
  });
}
