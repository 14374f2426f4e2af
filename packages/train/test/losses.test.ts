// SFT and GRPO losses and gradients against the float64 reference of the qwen2-tiny fixture.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, hfGradNorms, paramSpecs, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import {
  accumulateGrads,
  globalNorm,
  grpoLoss,
  groupAdvantages,
  sftLoss,
  LOSS_TYPES,
  type GrpoBatch,
} from '@warmup/train';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');
const E = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
// Relative error, with an absolute floor of 1e-6 (float32 rounding) for expected values near 0
// (e.g. the GRPO loss with ratio 1 and zero-mean advantages is 0 up to float64 noise).
const relOrTiny = (a: number, b: number): number => (Math.abs(a - b) <= 1e-6 ? 0 : rel(a, b));

function flatMasked(values: number[][], mask: number[][]): number[] {
  const out: number[] = [];
  values.forEach((row, i) => row.forEach((v, j) => mask[i][j] && out.push(v)));
  return out;
}

async function gradNorms(
  model: Qwen2Model,
  lossFn: () => tf.Scalar,
): Promise<{ loss: number; norms: Record<string, number>; global: number }> {
  const g = await accumulateGrads(model, lossFn, 1);
  const norms = await hfGradNorms(paramSpecs(model.config), g.grads);
  const global = Math.sqrt(Object.values(norms).reduce((a, b) => a + b * b, 0));
  for (const t of g.grads.values()) t.dispose();
  return { loss: g.loss, norms, global };
}

// webgpu (Dawn on llvmpipe here) too: it caught a sync read and an 8-buffer addN limit.
for (const be of ['cpu', 'wasm', 'webgpu'] as const) {
  describe(`losses on ${be}`, () => {
    let model: Qwen2Model;
    beforeAll(async () => {
      await useNodeBackend(be);
      model = await loadModel(folderSource(FIXTURE));
    });

    it('SFT loss to 1e-5 relative and every gradient norm to 1e-4 relative', async () => {
      const s = E.sft;
      const before = tf.memory().numTensors;
      const r = await gradNorms(model, () =>
        sftLoss(model, { inputIds: s.input_ids, attentionMask: s.attention_mask, completionMask: s.completion_mask }),
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(rel(r.loss, s.loss)).toBeLessThan(1e-5);
      for (const [name, want] of Object.entries(s.grad_norms as Record<string, number>)) {
        expect(rel(r.norms[name], want), name).toBeLessThan(1e-4);
      }
      expect(rel(r.global, s.global_grad_norm)).toBeLessThan(1e-4);
    });

    const g = E.grpo;
    const batch = (adv: number[], old: number[][] | undefined): GrpoBatch => ({
      inputIds: g.input_ids,
      attentionMask: g.attention_mask,
      positionIds: g.input_ids.map((r: number[]) => r.map((_, i) => i)),
      promptLength: g.prompt_ids.length,
      completionIds: g.completion_ids,
      completionMask: g.completion_mask,
      advantages: adv,
      oldLogps: old ? flatMasked(old, g.completion_mask) : undefined,
      refLogps: flatMasked(g.ref_logps, g.completion_mask),
      maxCompletionLength: g.max_completion_length,
    });

    it('global gradient norm over many tensors (more than a shader stage can bind)', async () => {
      const grads = new Map(
        Array.from({ length: 40 }, (_, i) => [`g${i}`, tf.fill([3], i + 1)] as [string, tf.Tensor]),
      );
      const want = Math.sqrt(3 * Array.from({ length: 40 }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b, 0));
      expect(Math.abs((await globalNorm(grads)) - want) / want).toBeLessThan(1e-6);
      grads.forEach((g) => g.dispose());
    });

    it('advantages match both fixture variants exactly', () => {
      const scaled = groupAdvantages(g.rewards, 4, true, g.advantage_std_eps).advantages;
      const unscaled = groupAdvantages(g.rewards, 4, false).advantages;
      scaled.forEach((a, i) => expect(a).toBe(g.advantages_scaled[i]));
      unscaled.forEach((a, i) => expect(a).toBe(g.advantages_unscaled[i]));
    });

    it('per-token log-probs match', async () => {
      const out = tf.tidy(
        () =>
          grpoLoss(model, batch(g.advantages_unscaled, undefined), {
            lossType: 'grpo',
            epsilonLow: 0.2,
            epsilonHigh: 0.2,
            beta: 0,
            temperature: 1,
          }).logp,
      );
      const got = await out.data();
      out.dispose();
      const want = flatMasked(g.per_token_logps, g.completion_mask);
      want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThan(1e-5));
    });

    it('every stored GRPO case (loss type x beta x clipping x scaling) to 1e-5 relative', async () => {
      let checked = 0;
      for (const c of g.cases) {
        const adv = c.advantages === 'scaled' ? g.advantages_scaled : g.advantages_unscaled;
        const old = g.old_logps[c.old_logps];
        for (const lt of LOSS_TYPES) {
          const want = c.loss[lt];
          if (want === undefined) continue;
          const t = tf.tidy(
            () =>
              grpoLoss(model, batch(adv, old), {
                lossType: lt,
                epsilonLow: 0.2,
                epsilonHigh: 0.2,
                beta: c.beta,
                temperature: 1,
              }).loss,
          );
          const got = (await t.data())[0];
          t.dispose();
          expect(
            relOrTiny(got, want),
            `${JSON.stringify({ ...c, loss: undefined, per_token_loss: undefined })} ${lt}`,
          ).toBeLessThan(1e-5);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(24);
    });

    it('GRPO gradient norms to 1e-4 relative', async () => {
      const gr = g.gradient;
      const adv = gr.advantages === 'scaled' ? g.advantages_scaled : g.advantages_unscaled;
      const r = await gradNorms(
        model,
        () =>
          grpoLoss(model, batch(adv, g.old_logps[gr.old_logps]), {
            lossType: gr.loss_type,
            epsilonLow: 0.2,
            epsilonHigh: 0.2,
            beta: gr.beta,
            temperature: 1,
          }).loss,
      );
      expect(rel(r.loss, gr.loss)).toBeLessThan(1e-5);
      for (const [name, want] of Object.entries(gr.grad_norms as Record<string, number>))
        expect(rel(r.norms[name], want), name).toBeLessThan(1e-4);
      expect(rel(r.global, gr.global_grad_norm)).toBeLessThan(1e-4);
    });
  });
}
