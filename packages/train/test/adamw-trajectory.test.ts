// Ten optimizer steps against PyTorch (float64): loss and gradient norm per step and samples of the
// final weights, through the real loop (schedule, clipping, AdamW with decoupled decay on
// matrices and embeddings only). The reference comes from scripts/adamw_trajectory_torch.py.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, paramSpecs, joinedValues, rowSize, toHfLayout, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import { newOptimizer, newTrainerState, runLoop, sftStepGrads } from '@warmup/train';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');
const E = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));
const REF = JSON.parse(readFileSync(path.resolve(import.meta.dirname, 'fixtures/adamw-trajectory.json'), 'utf8'));
const S = REF.settings;

/** Final weights in HF names and layout. */
async function hfWeights(model: Qwen2Model): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const spec of paramSpecs(model.config)) {
    const values = await joinedValues(spec, (n) => model.params.get(n));
    if (!values) continue;
    const all = toHfLayout(spec, values);
    const row = spec.transposed ? spec.shape[0] : rowSize(spec.shape);
    for (const p of spec.parts) out.set(p.hfName, all.slice(p.rowStart * row, (p.rowStart + p.rows) * row));
  }
  return out;
}

for (const be of ['cpu', 'wasm', 'webgpu'] as const) {
  describe(`AdamW trajectory on ${be}`, () => {
    let model: Qwen2Model;
    beforeAll(async () => {
      await useNodeBackend(be);
      model = await loadModel(folderSource(FIXTURE));
    });

    it('10 steps: loss and gradient norm per step, and the final weights, match PyTorch float64', async () => {
      const batch = {
        inputIds: E.sft.input_ids,
        attentionMask: E.sft.attention_mask,
        completionMask: E.sft.completion_mask,
      };
      const seen: Record<string, number>[] = [];
      const opt = newOptimizer({ beta1: S.beta1, beta2: S.beta2, eps: S.eps, weightDecay: S.weight_decay });
      await runLoop(
        model,
        opt,
        newTrainerState('sft', 0),
        {
          maxSteps: S.steps,
          schedule: {
            name: S.schedule,
            lr: S.lr,
            warmupSteps: S.warmup_steps,
            totalSteps: S.steps,
            minRatio: S.min_lr_ratio,
          },
          maxGradNorm: S.max_grad_norm,
          checkpointEvery: 0,
          maxBadSteps: 1,
          onMetrics: (m) => void seen.push(m),
        },
        async () => ({ ...(await sftStepGrads(model, [batch])), consumed: 1, tokens: 0, metrics: {} }),
      );
      opt.dispose();
      expect(seen).toHaveLength(S.steps);
      seen.forEach((m, i) => {
        expect(m.lr, `lr ${i}`).toBeCloseTo(REF.lr[i], 12);
        expect(Math.abs(m.loss - REF.loss[i]) / REF.loss[i], `loss at step ${i + 1}`).toBeLessThan(1e-4);
        expect(Math.abs(m.grad_norm - REF.grad_norm[i]) / REF.grad_norm[i], `grad norm at step ${i + 1}`).toBeLessThan(
          1e-3,
        );
      });
      const w = await hfWeights(model);
      let worst = 0;
      for (const [name, f] of Object.entries(
        REF.final as Record<string, { sum: number; sumsq: number; samples: number[] }>,
      )) {
        const got = w.get(name);
        expect(got, name).toBeDefined();
        f.samples.forEach((want, k) => {
          worst = Math.max(worst, Math.abs(got![k * S.sample_every] - want));
        });
        const sumsq = got!.reduce((a, x) => a + x * x, 0);
        expect(Math.abs(sumsq - f.sumsq) / f.sumsq, `${name} sum of squares`).toBeLessThan(1e-4);
      }
      // Ten steps of at most lr = 1e-2 each move a weight by up to ~0.1; float32 keeps them to ~1e-5.
      expect(worst).toBeLessThan(2e-4);
    });
  });
}
