// Memory discipline: forwards, generation, load/save/dispose and failed loads (including one that
// fails after some variables were created) leave no tensors or variables behind.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  generate,
  loadModel,
  memorySink,
  memorySource,
  saveModel,
  type ModelSource,
} from '@warmup/core';
import { backend } from './helpers.ts';
import { randomWeights, rawConfig, writeCheckpoint } from './ckpt.ts';

const RAW = rawConfig({
  vocab: 40,
  hidden: 16,
  inter: 24,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  theta: 10000,
  eps: 1e-6,
  tied: false,
});
const WEIGHTS = randomWeights(RAW, 3);

function counts(): { tensors: number; variables: number } {
  return { tensors: tf.memory().numTensors, variables: Object.keys(tf.engine().registeredVariables).length };
}

/** A source whose byte reads fail after `okReads` successful ones (a dropped connection or a
 *  disk error half way through a load). */
function failingSource(
  files: Map<string, Uint8Array | string>,
  okReads: number,
): ModelSource & { reads: () => number } {
  const inner = memorySource(files, 'flaky');
  let n = 0;
  return {
    ...inner,
    reads: () => n,
    async open(name) {
      const f = await inner.open(name);
      return {
        ...f,
        async read(o, l) {
          if (++n > okReads) throw new CheckpointError(`flaky/${name}: read failed at byte ${o}`);
          return f.read(o, l);
        },
      };
    },
  };
}

for (const be of ['cpu', 'wasm'] as const) {
  describe(`memory on ${be}`, () => {
    beforeAll(async () => {
      await backend(be);
    });

    it('load + forward in tidy + save + dispose leave nothing behind', async () => {
      const before = counts();
      const ck = writeCheckpoint(RAW, WEIGHTS, 'F16', 2);
      const m = await loadModel(memorySource(ck.files));
      // One variable per (fused) parameter: 7 per layer (q/k/v and gate/up fused), embeddings,
      // final norm, lm_head.
      expect(counts().variables - before.variables).toBe(2 * 7 + 3);
      const mid = counts();
      const logits = tf.tidy(() =>
        m.logits(
          m.forward({
            inputIds: [
              [0, 3, 5],
              [7, 8, 9],
            ],
            attentionMask: [
              [0, 1, 1],
              [1, 1, 1],
            ],
          }).hidden,
        ),
      );
      expect(logits.shape).toEqual([2, 3, 40]);
      logits.dispose();
      expect(counts()).toEqual(mid);
      await saveModel(m, memorySink());
      expect(counts()).toEqual(mid);
      m.dispose();
      expect(counts()).toEqual(before);
    });

    it('generation with and without the KV cache leaves nothing behind', async () => {
      const m = await loadModel(memorySource(writeCheckpoint(RAW, WEIGHTS, 'F32').files));
      const before = counts();
      for (const noCache of [false, true]) {
        const r = await generate(m, [[1, 2, 3, 4], [5]], { greedy: true, maxNewTokens: 5, eosTokenIds: [], noCache });
        expect(r.tokens.map((t) => t.length)).toEqual([5, 5]);
        expect(counts()).toEqual(before);
      }
      // Rows stopping early (EOS) and sampling take other paths through the loop.
      const first = await generate(m, [[1, 2, 3]], { greedy: true, maxNewTokens: 1, eosTokenIds: [] });
      await generate(
        m,
        [
          [1, 2, 3],
          [4, 4],
        ],
        { temperature: 1, topK: 5, maxNewTokens: 4, eosTokenIds: [first.tokens[0][0]], seed: 2 },
      );
      expect(counts()).toEqual(before);
      m.dispose();
    });

    it('a load that fails before any tensor is created (missing shard) leaks nothing', async () => {
      const ck = writeCheckpoint(RAW, WEIGHTS, 'F16', 3);
      ck.files.delete('model-00003-of-00003.safetensors');
      const before = counts();
      await expect(loadModel(memorySource(ck.files))).rejects.toThrow(CheckpointError);
      expect(counts()).toEqual(before);
    });

    it('a load that fails after some variables were created disposes them', async () => {
      const ck = writeCheckpoint(RAW, WEIGHTS, 'F32', 2);
      // Two header reads per shard, then tensor reads: fail on the 8th tensor.
      const src = failingSource(ck.files, 4 + 7);
      const before = counts();
      await expect(loadModel(src)).rejects.toThrow(/flaky\/model-0000\d-of-00002\.safetensors: read failed/);
      expect(src.reads()).toBe(12);
      expect(counts()).toEqual(before);
      // The same checkpoint loads once the source behaves.
      const m = await loadModel(memorySource(ck.files));
      m.dispose();
      expect(counts()).toEqual(before);
    });
  });
}
