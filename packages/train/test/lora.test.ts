// LoRA through the shared trainer code: SFT and GRPO update only the adapters (the base stays
// bit-identical), the loss goes down, tensor counts stay flat, and a checkpoint resumes the
// adapters, their optimizer moments and the dropout stream exactly.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { attachLora, loadModel } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import {
  memoryStore,
  newOptimizer,
  readCheckpoint,
  sftEvalLoss,
  trainGrpo,
  trainSft,
  type SftExample,
  type SftOptions,
  type TrainerState,
} from '@warmup/train';
import { toyGrpoOptions } from './toy-grpo.ts';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');
const ADAMW = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 };

// A learnable toy task: the completion repeats the prompt's two content tokens.
const data: SftExample[] = Array.from({ length: 8 }, (_, i) => ({
  promptIds: [1, 10 + i, 30 + i],
  completionIds: [10 + i, 30 + i, 10 + i, 30 + i, 2],
}));

function sftOptions(over: Partial<SftOptions>): SftOptions {
  return {
    maxSteps: 8,
    schedule: { name: 'constant', lr: 1e-2, warmupSteps: 0, totalSteps: 8 },
    maxGradNorm: 1,
    checkpointEvery: 0,
    maxBadSteps: 3,
    batchSize: 4,
    gradAccum: 1,
    padTokenId: 0,
    seed: 4,
    bucketWindow: 0,
    evalEvery: 0,
    ...over,
  };
}

const fresh = (kind: 'sft' | 'grpo'): TrainerState => ({
  version: 1,
  kind,
  step: 0,
  cursor: 0,
  seed: 4,
  adamT: 0,
  extra: {},
});

async function snapshot(params: Map<string, tf.Variable>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of params) out.set(k, Float32Array.from((await v.data()) as Float32Array));
  return out;
}

function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...a.keys()]).toEqual([...b.keys()]);
  let m = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  }
  return m;
}

describe('LoRA training', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('SFT trains only the adapters, lowers the loss, keeps tensor counts flat', async () => {
    const model = await loadModel(folderSource(FIXTURE));
    attachLora(model, {
      rank: 4,
      alpha: 8,
      dropout: 0.1,
      targets: ['q_proj', 'v_proj', 'o_proj', 'up_proj', 'down_proj'],
      seed: 4,
    });
    const base = await snapshot(model.params);
    const before = await sftEvalLoss(model, data, 8, 0);
    const seen: Record<string, number>[] = [];
    const opt = newOptimizer(ADAMW);
    // Held-out evaluation every step also exercises the forward pass outside a tape.
    await trainSft(
      model,
      opt,
      fresh('sft'),
      data,
      data.slice(0, 2),
      sftOptions({ evalEvery: 1, onMetrics: (m) => void seen.push(m) }),
    );
    expect(seen).toHaveLength(8);
    expect(seen.every((m) => m.skipped === 0 && Number.isFinite(m.eval_loss))).toBe(true);
    expect(maxDiff(base, await snapshot(model.params))).toBe(0);
    // The optimizer holds moments for the adapters only.
    expect([...opt.m.keys()].sort()).toEqual([...model.lora!.params.keys()].sort());
    const bNorm = tf.tidy(
      () =>
        tf
          .addN([...model.lora!.params].filter(([k]) => k.endsWith('lora_B')).map(([, v]) => tf.sum(tf.abs(v))))
          .dataSync()[0],
    );
    expect(bNorm).toBeGreaterThan(0);
    const after = await sftEvalLoss(model, data, 8, 0);
    expect(after).toBeLessThan(before - 0.5);
    expect(new Set(seen.slice(1).map((m) => m.num_tensors)).size).toBe(1);
    model.dispose();
  });

  it('a checkpoint restores the adapters, moments and dropout stream: resumed = uninterrupted', async () => {
    const model = await loadModel(folderSource(FIXTURE));
    attachLora(model, { rank: 2, dropout: 0.2, seed: 9 });
    const base = await snapshot(model.params);
    const store = memoryStore();
    const opt = newOptimizer(ADAMW);
    const state = fresh('sft');
    await trainSft(model, opt, state, data, [], sftOptions({ maxSteps: 3, store, checkpointEvery: 3 }));
    const saved = await snapshot(model.lora!.params);

    const src = (await store.open())!;
    expect(await src.has('adapter_model.safetensors')).toBe(true);
    const opt2 = newOptimizer(ADAMW);
    const r = await readCheckpoint(src, opt2);
    expect(r.state.step).toBe(3);
    expect(r.model.lora!.config).toEqual(model.lora!.config);
    expect(maxDiff(saved, await snapshot(r.model.lora!.params))).toBe(0);
    expect(maxDiff(base, await snapshot(r.model.params))).toBe(0); // the checkpoint's base is the frozen base
    expect([...r.model.params.values()].every((v) => !v.trainable)).toBe(true);
    expect(opt2.t).toBe(3);
    expect(maxDiff(await snapshot(opt.m), await snapshot(opt2.m))).toBe(0);

    // Both continue for 3 more steps (with dropout on): the same updates, mask for mask.
    await trainSft(model, opt, state, data, [], sftOptions({ maxSteps: 6 }));
    await trainSft(r.model, opt2, r.state, data, [], sftOptions({ maxSteps: 6 }));
    const a = await snapshot(model.lora!.params);
    expect(maxDiff(saved, a)).toBeGreaterThan(1e-4);
    expect(maxDiff(a, await snapshot(r.model.lora!.params))).toBeLessThan(1e-6);
    model.dispose();
    r.model.dispose();
  });

  it('GRPO trains only the adapters through the same step code, with flat tensor counts', async () => {
    const model = await loadModel(folderSource(FIXTURE));
    attachLora(model, { rank: 4, seed: 1 });
    const base = await snapshot(model.params);
    const adapters = await snapshot(model.lora!.params);
    const seen: Record<string, number>[] = [];
    const o = toyGrpoOptions({
      decode: (ids) => ids.join(','),
      // Reward: share of even token ids (varies within groups, so advantages are non-zero).
      rewards: [
        {
          name: 'even',
          weight: 1,
          minReward: 0,
          score: (_i, t) => (t ? t.split(',').filter((x) => Number(x) % 2 === 0).length / t.split(',').length : 0),
        },
      ],
      onMetrics: (m) => void seen.push(m),
    });
    await trainGrpo(
      model,
      newOptimizer(ADAMW),
      fresh('grpo'),
      [
        { id: 'a', promptIds: [1, 40, 41] },
        { id: 'b', promptIds: [1, 50, 51, 52] },
      ],
      o,
    );
    expect(seen).toHaveLength(3);
    expect(maxDiff(base, await snapshot(model.params))).toBe(0);
    expect(maxDiff(adapters, await snapshot(model.lora!.params))).toBeGreaterThan(1e-4);
    expect(new Set(seen.map((m) => m.num_tensors)).size).toBe(1);
    model.dispose();
  });
});
