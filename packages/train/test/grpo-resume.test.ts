// GRPO with μ = 2 iterations per rollout: resuming from the latest checkpoint at or before any
// step ends at bit-identical weights. A checkpoint taken mid-cycle could not do that (the rollout
// and its old log-probs are not in it), so checkpoints are only taken at cycle boundaries.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import {
  memoryStore,
  newOptimizer,
  newTrainerState,
  readCheckpoint,
  trainGrpo,
  type CheckpointStore,
  type GrpoOptions,
} from '@warmup/train';
import { toyGrpoOptions } from './toy-grpo.ts';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');
const prompts = [
  { id: 'a', promptIds: [1, 40, 41, 42] },
  { id: 'b', promptIds: [1, 50, 51] },
  { id: 'c', promptIds: [1, 60, 61, 62, 63] },
];
const adam = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 };

function options(store: CheckpointStore | undefined, losses: number[]): GrpoOptions {
  return toyGrpoOptions({
    maxSteps: 6,
    numIterations: 2,
    checkpointEvery: 1,
    store,
    schedule: { name: 'constant', lr: 3e-2, warmupSteps: 0, totalSteps: 6 },
    // a reward that varies within a group, so every step moves the weights
    decode: (ids) => ids.join(','),
    rewards: [{ name: 'first', weight: 1, minReward: 0, score: (_i, text) => Number(text.split(',')[0] || 0) % 5 }],
    onMetrics: (m) => {
      losses.push(m.grad_norm, m.reward, m.loss);
    },
  });
}

async function weights(m: Qwen2Model): Promise<Float32Array[]> {
  return Promise.all([...m.trainableParams()].map(async ([, v]) => (await v.data()) as Float32Array));
}

describe('trainGrpo with --num-iterations 2: resume', () => {
  beforeAll(async () => {
    await useNodeBackend('wasm');
  });

  it('resumes from the checkpoint a kill after step 3 leaves to the same metrics and weights', async () => {
    const snaps = new Map<number, CheckpointStore>();
    const recording: CheckpointStore = {
      async save(c, extra) {
        const s = memoryStore();
        await s.save(c, extra);
        snaps.set(c.state.step, s);
      },
      async open() {
        return undefined;
      },
    };
    const fullLosses: number[] = [];
    const full = await loadModel(folderSource(FIXTURE));
    await trainGrpo(full, newOptimizer(adam), newTrainerState('grpo', 1), prompts, options(recording, fullLosses));
    expect(fullLosses.filter((_, i) => i % 3 === 0).every((g) => g > 0)).toBe(true); // every step moves the weights

    // a kill -9 right after step 3 leaves the latest checkpoint saved at or before step 3
    const at = Math.max(...[...snaps.keys()].filter((s) => s <= 3));
    const optimizer = newOptimizer(adam);
    const src = await snaps.get(at)!.open();
    const { model, state } = await readCheckpoint(src!, optimizer);
    const losses: number[] = [];
    await trainGrpo(model, optimizer, state, prompts, options(undefined, losses));
    expect(losses).toEqual(fullLosses.slice(3 * at));
    const [a, b] = [await weights(full), await weights(model)];
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(Buffer.from(b[i].buffer).equals(Buffer.from(w.buffer))).toBe(true));
    full.dispose();
    model.dispose();
  });
});
