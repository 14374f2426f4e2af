// GRPO with num_iterations 2 taking its old log-probs from generation against the explicit no-grad
// pass: the same losses, gradient norms and clip ratios over a whole rollout cycle, one full forward
// fewer per rollout, and the reuse recorded in the metrics. On cpu and wasm.
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import { newOptimizer, newTrainerState, trainGrpo } from '@warmup/train';
import { toyGrpoOptions } from './toy-grpo.ts';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');
const prompts = [
  { id: 'a', promptIds: [1, 40, 41, 42] },
  { id: 'b', promptIds: [1, 50, 51] },
];

/** One rollout, two optimisation passes; counts the full (uncached) forwards outside generation. */
async function cycle(reuse: boolean): Promise<{ seen: Record<string, number>[]; fullForwards: number }> {
  const m: Qwen2Model = await loadModel(folderSource(FIXTURE));
  let fullForwards = 0;
  const forward = m.forward.bind(m);
  m.forward = ((...args: Parameters<Qwen2Model['forward']>) => {
    if (!args[1]?.useCache) fullForwards++; // generation runs with the cache; loss and old-logp passes without
    return forward(...args);
  }) as Qwen2Model['forward'];
  const seen: Record<string, number>[] = [];
  await trainGrpo(
    m,
    newOptimizer({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 }),
    newTrainerState('grpo', 1),
    prompts,
    {
      ...toyGrpoOptions({
        maxSteps: 2,
        numIterations: 2,
        temperature: 0.7,
        topP: 0.9,
        // a large step, so that the second pass moves away from the old log-probs and clips
        schedule: { name: 'constant', lr: 0.5, warmupSteps: 0, totalSteps: 2 },
      }),
      reuseGenerationLogps: reuse,
      rewards: [{ name: 'count', weight: 1, minReward: 0, score: (_i, text) => text.charCodeAt(0) % 3 }],
      onMetrics: (x) => void seen.push(x),
    },
  );
  m.dispose();
  return { seen, fullForwards };
}

describe.each(['cpu', 'wasm'] as const)('GRPO old log-probs from generation on %s', (name) => {
  it('give the explicit pass`s losses and ratios, without its forward', async () => {
    await useNodeBackend(name);
    const explicit = await cycle(false);
    const reused = await cycle(true);
    expect(reused.seen.map((x) => x.iteration)).toEqual([1, 2]);
    expect(reused.seen.map((x) => x.old_logps_reused)).toEqual([1, 1]);
    expect(explicit.seen.map((x) => x.old_logps_reused)).toEqual([0, 0]);
    // 2 steps x 2 micro-batches (8 rows = 2 prompts x G 4, 4 a pass) of loss passes in both; the
    // explicit run adds its one no-grad pass over the rollout.
    expect(reused.fullForwards).toBe(4);
    expect(explicit.fullForwards).toBe(5);
    // Same sampled completions (same seed, same weights), so the same rewards.
    expect(reused.seen.map((x) => x.reward)).toEqual(explicit.seen.map((x) => x.reward));
    // First pass: current vs reused old log-probs differ by float rounding only.
    expect(reused.seen[0]['old_logps/max_abs_diff']).toBeLessThan(1e-5);
    for (let i = 0; i < 2; i++) {
      const [a, b] = [reused.seen[i], explicit.seen[i]];
      // Ratios exp(logp - old) move by at most ~1e-5 relative; the loss and gradient with them.
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      expect(Math.abs(a.grad_norm - b.grad_norm)).toBeLessThan(1e-4 * b.grad_norm);
      for (const k of ['clip_ratio/low_mean', 'clip_ratio/high_mean']) expect(a[k], k).toBe(b[k]);
    }
    expect(explicit.seen[1]['clip_ratio/region_mean']).toBeGreaterThan(0); // the ratios were exercised
    for (const k of ['gen_s', 'reward_s', 'logps_s', 'opt_s']) expect(Number.isFinite(reused.seen[0][k]), k).toBe(true);
  });
});
