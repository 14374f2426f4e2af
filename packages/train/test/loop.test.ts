// The shared loop's NaN/Inf guard: bad steps are skipped and reported, repeated failures stop the
// run with a clear message, and the last good checkpoint is never replaced by a bad one.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import {
  accumulateGrads,
  memoryStore,
  newOptimizer,
  newTrainerState,
  readCheckpoint,
  runLoop,
  sftLoss,
  TrainingError,
  type TrainerState,
} from '@warmup/train';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');

async function snapshot(m: Qwen2Model): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of m.params) out.set(k, Float32Array.from((await v.data()) as Float32Array));
  return out;
}

/** Every element of every parameter identical, bit for bit (NaN-safe: compares the bytes). */
function expectBitEqual(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, v] of a) {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    const w = b.get(k)!;
    expect(Buffer.compare(bytes, new Uint8Array(w.buffer, w.byteOffset, w.byteLength)), k).toBe(0);
  }
}
const E = JSON.parse((await import('node:fs')).readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));

describe('runLoop NaN/Inf handling', () => {
  let model: Qwen2Model;
  beforeAll(async () => {
    await useNodeBackend('cpu');
    model = await loadModel(folderSource(FIXTURE));
  });
  const batch = {
    inputIds: E.sft.input_ids,
    attentionMask: E.sft.attention_mask,
    completionMask: E.sft.completion_mask,
  };
  const base = {
    schedule: { name: 'constant' as const, lr: 1e-3, warmupSteps: 0, totalSteps: 10 },
    maxGradNorm: 1,
    checkpointEvery: 1,
  };

  it('skips non-finite steps, stops after maxBadSteps and keeps the last good checkpoint', async () => {
    const store = memoryStore();
    const state: TrainerState = newTrainerState('sft', 0);
    const seen: Record<string, number>[] = [];
    let good = new Map<string, Float32Array>();
    const opt = newOptimizer({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
    const run = runLoop(
      model,
      opt,
      state,
      {
        ...base,
        maxSteps: 10,
        maxBadSteps: 3,
        store,
        onMetrics: async (m) => {
          seen.push(m);
          if (m.step === 2) good = await snapshot(model);
        },
      },
      async (s) => {
        // Steps 3 onwards produce an infinite loss (as an overflowing model would).
        const scale = s.step >= 2 ? Infinity : 1;
        return {
          grads: await accumulateGrads(model, () => tf.mul(sftLoss(model, batch), scale) as tf.Scalar, 1),
          consumed: 2,
          tokens: 10,
          metrics: {},
        };
      },
    );
    await expect(run).rejects.toThrow(TrainingError);
    await expect(run).rejects.toThrow(/3 consecutive steps had NaN\/Inf.*last good checkpoint is kept \(step 2\)/);
    expect(seen.map((m) => m.skipped)).toEqual([0, 0, 1, 1, 1]);
    const saved = JSON.parse(await (await store.open())!.readText('trainer_state.json'));
    expect(saved.step).toBe(2);
    // Skipped steps leave every weight bit-equal to step 2's, and the checkpoint holds exactly those.
    expect(good.size).toBe(model.params.size);
    expectBitEqual(await snapshot(model), good);
    const ck = await readCheckpoint(
      (await store.open())!,
      newOptimizer({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 }),
    );
    expectBitEqual(await snapshot(ck.model), good);
    ck.model.dispose();
  });

  it('stops a run whose finite updates blow the weights up (--lr 1e30), keeping the last good checkpoint', async () => {
    const m = await loadModel(folderSource(FIXTURE));
    const store = memoryStore();
    const state: TrainerState = newTrainerState('sft', 0);
    const opt = newOptimizer({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
    const run = runLoop(
      m,
      opt,
      state,
      {
        ...base,
        // two good steps at lr 1e-3, then the same state continues at lr 1e30 (finite steps:
        // clipping bounds the gradient, the update is what blows up)
        maxSteps: 2,
        maxBadSteps: 3,
        store,
      },
      async () => ({
        grads: await accumulateGrads(m, () => sftLoss(m, batch), 1),
        consumed: 2,
        tokens: 10,
        metrics: {},
      }),
    );
    await run;
    const bad = runLoop(
      m,
      opt,
      state,
      {
        ...base,
        schedule: { ...base.schedule, lr: 1e30 },
        maxSteps: 6,
        maxBadSteps: 3,
        store,
      },
      async () => ({
        grads: await accumulateGrads(m, () => sftLoss(m, batch), 1),
        consumed: 2,
        tokens: 10,
        metrics: {},
      }),
    );
    await expect(bad).rejects.toThrow(
      /diverged at step 3 \(.*weight norm.*; lower --lr.*last good checkpoint is kept \(step 2\), no final weights/,
    );
    const saved = JSON.parse(await (await store.open())!.readText('trainer_state.json'));
    expect(saved.step).toBe(2);
    m.dispose();
  });

  it('stops an SFT run whose smoothed loss climbs past 3x its best after warm-up', async () => {
    const m = await loadModel(folderSource(FIXTURE));
    const opt = newOptimizer({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
    const run = runLoop(
      m,
      opt,
      newTrainerState('sft', 0),
      { ...base, schedule: { ...base.schedule, lr: 1e-5 }, checkpointEvery: 0, maxSteps: 40, maxBadSteps: 3 },
      async (s) => ({
        // from step 12 the reported loss is 10x (the clipped update stays small)
        grads: await accumulateGrads(m, () => tf.mul(sftLoss(m, batch), s.step >= 12 ? 10 : 1) as tf.Scalar, 1),
        consumed: 2,
        tokens: 10,
        metrics: {},
      }),
    );
    await expect(run).rejects.toThrow(/diverged at step (1[3-9]|2\d) \(smoothed loss .* over 3x its best/);
    m.dispose();
  });
});
