// Forward parity with the float64 reference of the qwen2-tiny fixture on the CPU backends.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource } from '@warmup/node';
import { FIXTURE, expected, expectedBf16, backend, maxAbsDiff } from './helpers.ts';
import { PARITY_BACKENDS } from './helpers.ts';

for (const be of PARITY_BACKENDS) {
  describe(`forward on ${be}`, () => {
    let model: Qwen2Model;
    beforeAll(async () => {
      await backend(be);
      model = await loadModel(folderSource(FIXTURE));
    });

    async function check(
      caseData: typeof expected.forward.right_padded,
      m: Qwen2Model,
      usePositions: boolean,
    ): Promise<number> {
      const before = tf.memory().numTensors;
      const logits = tf.tidy(() => {
        const { hidden } = m.forward({
          inputIds: caseData.input_ids,
          attentionMask: caseData.attention_mask,
          positionIds: usePositions ? caseData.position_ids : undefined,
        });
        return m.logits(hidden);
      });
      // Async read: WebGPU has no synchronous download in Node (it would need OffscreenCanvas).
      const data = (await logits.array()) as number[][][];
      logits.dispose();
      expect(tf.memory().numTensors).toBe(before);
      let worst = 0;
      caseData.real_positions.forEach((cols: number[], b: number) => {
        cols.forEach((t: number, k: number) => {
          worst = Math.max(worst, maxAbsDiff(data[b][t], caseData.logits[b][k]));
        });
      });
      return worst;
    }

    it('matches expected logits, right-padded, to 1e-4', async () => {
      expect(await check(expected.forward.right_padded, model, true)).toBeLessThanOrEqual(1e-4);
    });
    it('matches expected logits, left-padded (explicit and derived positions), to 1e-4', async () => {
      expect(await check(expected.forward.left_padded, model, true)).toBeLessThanOrEqual(1e-4);
      expect(await check(expected.forward.left_padded, model, false)).toBeLessThanOrEqual(1e-4);
    });
    it('bfloat16 weights match expected-bf16 logits to 1e-4', async () => {
      const m16 = await loadModel(folderSource(FIXTURE), { weightsFile: 'model-bf16.safetensors' });
      expect(await check(expectedBf16.forward.right_padded ?? expectedBf16.forward, m16, true)).toBeLessThanOrEqual(
        1e-4,
      );
      m16.dispose();
    });
  });
}
