// GRPO trainer behaviour: rewards that throw or return NaN count as the minimum without stopping
// the run, a toy verifiable reward goes up, and tensors do not accumulate across steps.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import { newOptimizer, newTrainerState, trainGrpo, memoryStore, type TrainerState } from '@warmup/train';
import { toyGrpoOptions } from './toy-grpo.ts';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');
const TARGET = 7; // the toy task: emit token 7

const prompts = [
  { id: 'a', promptIds: [1, 40, 41, 42] },
  { id: 'b', promptIds: [1, 50, 51] },
  { id: 'c', promptIds: [1, 60, 61, 62, 63] },
];
const fresh = (): TrainerState => newTrainerState('grpo', 1);

describe('trainGrpo', () => {
  let model: Qwen2Model;
  beforeAll(async () => {
    await useNodeBackend('wasm');
    model = await loadModel(folderSource(FIXTURE));
  });

  it('counts a throwing or NaN reward as the minimum and keeps going', async () => {
    const seen: Record<string, number>[] = [];
    const errors: string[] = [];
    let calls = 0;
    const before = tf.memory().numTensors;
    await trainGrpo(model, newOptimizer({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 }), fresh(), prompts, {
      ...toyGrpoOptions({}),
      rewards: [
        {
          name: 'flaky',
          weight: 1,
          minReward: -2,
          score: () => {
            calls++;
            if (calls % 5 === 0) throw new Error('boom');
            if (calls % 7 === 0) return NaN;
            return { reward: calls % 2, correct: calls % 2 === 1 };
          },
        },
      ],
      onRewardError: (fn, id, msg) => errors.push(`${fn}:${id}:${msg}`),
      onMetrics: (m) => {
        seen.push(m);
      },
    });
    expect(seen).toHaveLength(3);
    const errCount = seen.reduce((a, m) => a + m.reward_errors, 0);
    expect(errCount).toBe(errors.length);
    expect(errCount).toBeGreaterThan(0);
    expect(errors.some((e) => e.includes('boom'))).toBe(true);
    expect(errors.some((e) => e.includes('NaN'))).toBe(true);
    for (const m of seen) {
      for (const k of [
        'reward',
        'reward_std',
        'correct_frac',
        'frac_reward_zero_std',
        'completions/mean_length',
        'completions/clipped_ratio',
        'entropy',
        'clip_ratio/region_mean',
        'grad_norm',
        'lr',
        'gen_s',
        'opt_s',
        'gen_tokens_per_s',
        'tokens_per_s',
        'rewards/flaky/mean',
      ]) {
        expect(Number.isFinite(m[k]), k).toBe(true);
      }
    }
    // Exact values: the n-th call (1-based) throws when n % 5 == 0, is NaN when n % 7 == 0 (both
    // count as minReward -2 and not correct) and is n % 2 otherwise; 8 calls per step.
    const value = (n: number): number => (n % 5 === 0 || n % 7 === 0 ? -2 : n % 2);
    seen.forEach((m, step) => {
      const ns = Array.from({ length: 8 }, (_, i) => 8 * step + i + 1);
      const rs = ns.map(value);
      const mu = rs.reduce((a, b) => a + b, 0) / 8;
      const sd = Math.sqrt(rs.reduce((a, b) => a + (b - mu) ** 2, 0) / 7);
      expect(m.reward).toBeCloseTo(mu, 12);
      expect(m['rewards/flaky/mean']).toBeCloseTo(mu, 12);
      expect(m.reward_std).toBeCloseTo(sd, 12);
      expect(m.reward_errors).toBe(ns.filter((n) => n % 5 === 0 || n % 7 === 0).length);
      expect(m.correct_frac).toBe(ns.filter((n) => value(n) === 1).length / 8);
    });
    // The optimizer's two moments per parameter are the only tensors the run may add, and the
    // count is flat from step to step.
    const moments = 2 * model.params.size;
    expect(tf.memory().numTensors).toBe(before + moments);
    expect(new Set(seen.map((m) => m.num_tensors)).size).toBe(1);
  });

  it('rejects a KL term without a reference model before generating or scoring anything', async () => {
    let scored = 0;
    const run = trainGrpo(
      model,
      newOptimizer({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 }),
      fresh(),
      prompts,
      {
        ...toyGrpoOptions({ beta: 0.04 }),
        rewards: [{ name: 'count', weight: 1, minReward: 0, score: () => (scored++, 0) }],
      },
    );
    await expect(run).rejects.toThrow(/beta 0.04 > 0 needs a reference model/);
    expect(scored).toBe(0);
  });

  it('num_iterations 2: one rollout per two steps, its old log-probs held fixed (ratio 1, then clipped)', async () => {
    const m = await loadModel(folderSource(FIXTURE));
    const seen: Record<string, number>[] = [];
    let scored = 0;
    await trainGrpo(m, newOptimizer({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 }), fresh(), prompts, {
      ...toyGrpoOptions({
        maxSteps: 4,
        numIterations: 2,
        schedule: { name: 'constant', lr: 0.5, warmupSteps: 0, totalSteps: 4 },
      }),
      rewards: [{ name: 'count', weight: 1, minReward: 0, score: (_i, text) => (scored++, text.charCodeAt(0) % 3) }],
      onMetrics: (x) => void seen.push(x),
    });
    m.dispose();
    expect(seen.map((x) => x.iteration)).toEqual([1, 2, 1, 2]);
    expect(scored).toBe(2 * 8); // two rollouts of 2 prompts x G=4
    // first pass of a rollout: the policy is the one that sampled, nothing is clipped
    expect(seen[0]['clip_ratio/region_mean']).toBe(0);
    // second pass: a large step moved the policy away from the held old log-probs
    expect(seen[1]['clip_ratio/region_mean']).toBeGreaterThan(0);
  });

  it('stops in the middle of a rollout when asked, applying nothing from the cut step', async () => {
    const seen: Record<string, number>[] = [];
    let polls = 0;
    let stopAfter = Infinity;
    let scored = 0;
    const state = fresh();
    await trainGrpo(model, newOptimizer({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 }), state, prompts, {
      ...toyGrpoOptions({ maxSteps: 5, maxCompletionLength: 6 }),
      rewards: [{ name: 'count', weight: 1, minReward: 0, score: () => (scored++, 0) }],
      // Polled before each step and after each generated token; Stop comes 3 polls into step 2.
      shouldStop: () => ++polls > stopAfter,
      onMetrics: (m) => {
        seen.push(m);
        stopAfter = polls + 3;
      },
    });
    expect(seen).toHaveLength(1);
    expect(state.step).toBe(1);
    expect(scored).toBe(8); // only step 1's 2 prompts x 4 samples were graded
    // generation broke off at the first poll that said stop; one more check ends the step
    expect(polls - stopAfter).toBeLessThanOrEqual(2);
  });

  it('raises a toy verifiable reward (share of sampled tokens equal to a target id)', async () => {
    const m = await loadModel(folderSource(FIXTURE));
    const rewards: number[] = [];
    const encodeBack = new Map<string, number>();
    await trainGrpo(m, newOptimizer({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 }), fresh(), prompts, {
      ...toyGrpoOptions({
        maxSteps: 30,
        schedule: { name: 'constant', lr: 3e-2, warmupSteps: 0, totalSteps: 30 },
        numGenerations: 8,
        scaleRewards: true,
      }),
      decode: (ids) => {
        const s = ids.join(',');
        encodeBack.set(s, ids.filter((i) => i === TARGET).length / Math.max(ids.length, 1));
        return s;
      },
      rewards: [{ name: 'target', weight: 1, minReward: 0, score: (_i, text) => encodeBack.get(text) ?? 0 }],
      onMetrics: (x) => {
        rewards.push(x.reward);
      },
    });
    const first = rewards.slice(0, 5).reduce((a, b) => a + b, 0) / 5;
    const last = rewards.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(last).toBeGreaterThan(first + 0.2);
    m.dispose();
  });

  it('saves through a checkpoint store that a new run can open', async () => {
    const store = memoryStore();
    const m = await loadModel(folderSource(FIXTURE));
    await trainGrpo(m, newOptimizer({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 }), fresh(), prompts, {
      ...toyGrpoOptions({ maxSteps: 2, store }),
      rewards: [{ name: 'zero', weight: 1, minReward: 0, score: () => 0 }],
    });
    const src = await store.open();
    expect(src).toBeDefined();
    const state = JSON.parse(await src!.readText('trainer_state.json'));
    expect(state.step).toBe(2);
    expect(state.kind).toBe('grpo');
    m.dispose();
  });
});
