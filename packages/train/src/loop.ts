// The training loop shared by SFT and GRPO: schedule, the optimisation step, NaN/Inf handling,
// periodic checkpoints, metrics, and cooperative stopping. Trainers only supply `computeStep`.
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Model } from '@warmup/core';
import { applyGrads, type Grads } from './step.ts';
import { AdamW, globalNorm, type AdamWOptions } from './optimizer.ts';
import { learningRate, type ScheduleOptions } from './schedule.ts';
import type { CheckpointStore, TrainerState } from './checkpoint.ts';

export class TrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingError';
  }
}

export interface LoopOptions {
  maxSteps: number;
  schedule: ScheduleOptions;
  maxGradNorm: number;
  /** Save every N steps (0: only at the end). */
  checkpointEvery: number;
  /** Stop after this many consecutive non-finite steps. */
  maxBadSteps: number;
  store?: CheckpointStore;
  /** Files saved beside every checkpoint (tokenizer). */
  extraFiles?: Record<string, string>;
  onMetrics?: (m: Record<string, number>) => void | Promise<void>;
  shouldStop?: () => boolean;
  /** Whether a checkpoint taken now would resume identically (GRPO: only between rollout cycles);
   *  a due checkpoint waits for the next step where it is. Default: always. */
  checkpointable?: (state: TrainerState) => boolean;
}

export interface StepComputation {
  grads: Grads;
  /** Examples consumed by this step (advances the data cursor). */
  consumed: number;
  /** Tokens processed by the backward pass (for tokens/s). */
  tokens: number;
  metrics: Record<string, number>;
}

/** Parameters that get weight decay: matrices, not biases or norm weights (HF's convention). */
export function decays(name: string): boolean {
  return !name.endsWith('.bias') && !name.includes('norm');
}

export function newOptimizer(o: AdamWOptions): AdamW {
  return new AdamW(o, decays);
}

/** Weight norm this many times its starting value means the updates blew the weights up. */
export const MAX_WEIGHT_GROWTH = 100;
/** SFT loss (smoothed) this many times its best value, and 1 nat above it, after warm-up. */
export const MAX_LOSS_FACTOR = 3;

/** Stops a run whose weights or loss blow up, though each step is finite (e.g. `--lr 1e30`).
 *  The loss rule applies to SFT only: a GRPO loss hovers around zero and may be negative. */
function divergenceGuard(
  initialNorm: number,
  warmupSteps: number,
): { check(model: Qwen2Model, loss: number, state: TrainerState): Promise<string | undefined> } {
  let smooth: number | undefined;
  let best = Infinity;
  return {
    async check(model, loss, state) {
      const norm = await globalNorm(model.trainableParams());
      if (!Number.isFinite(norm)) return 'the weight norm is no longer finite';
      if (initialNorm > 0 && norm > MAX_WEIGHT_GROWTH * initialNorm)
        return `weight norm ${norm.toPrecision(3)} is over ${MAX_WEIGHT_GROWTH}x its starting ${initialNorm.toPrecision(3)}`;
      if (state.kind !== 'sft' || !Number.isFinite(loss)) return undefined;
      smooth = smooth === undefined ? loss : 0.9 * smooth + 0.1 * loss;
      if (state.step <= Math.max(10, warmupSteps)) {
        best = Math.min(best, smooth);
        return undefined;
      }
      if (smooth > MAX_LOSS_FACTOR * best && smooth > best + 1)
        return `smoothed loss ${smooth.toPrecision(3)} is over ${MAX_LOSS_FACTOR}x its best ${best.toPrecision(3)}`;
      best = Math.min(best, smooth);
      return undefined;
    },
  };
}

export async function runLoop(
  model: Qwen2Model,
  optimizer: AdamW,
  state: TrainerState,
  o: LoopOptions,
  /** Resolves undefined when `shouldStop` interrupted the step midway: nothing is applied. */
  computeStep: (state: TrainerState) => Promise<StepComputation | undefined>,
  afterStep?: (state: TrainerState) => Promise<Record<string, number>>,
): Promise<TrainerState> {
  let bad = 0;
  const t0 = Date.now();
  let lastSaved = state.step;
  let due = false;
  const guard = divergenceGuard(await globalNorm(model.trainableParams()), o.schedule.warmupSteps);
  const canSave = (): boolean => o.checkpointable?.(state) ?? true;
  const save = async (): Promise<void> => {
    if (!o.store) return;
    state.adamT = optimizer.t;
    await o.store.save({ model, optimizer, state }, o.extraFiles);
    lastSaved = state.step;
  };
  while (state.step < o.maxSteps && !o.shouldStop?.()) {
    const lr = learningRate(o.schedule, state.step);
    const start = Date.now();
    const c = await computeStep(state);
    if (!c) break;
    const { gradNorm, skipped } = await applyGrads(model, optimizer, c.grads, lr, o.maxGradNorm);
    state.cursor += c.consumed;
    state.step++;
    const secs = (Date.now() - start) / 1000;
    bad = skipped ? bad + 1 : 0;
    const metrics: Record<string, number> = {
      step: state.step,
      loss: c.grads.loss,
      lr,
      grad_norm: gradNorm,
      tokens: c.tokens,
      tokens_per_s: c.tokens / Math.max(secs, 1e-9),
      step_s: secs,
      elapsed_s: (Date.now() - t0) / 1000,
      num_tensors: tf.memory().numTensors,
      memory_mb: tf.memory().numBytes / 2 ** 20,
      skipped: skipped ? 1 : 0,
      ...c.metrics,
    };
    if (afterStep) Object.assign(metrics, await afterStep(state));
    await o.onMetrics?.(metrics);
    if (!skipped) {
      const why = await guard.check(model, c.grads.loss, state);
      if (why)
        throw new TrainingError(
          `stopping: training diverged at step ${state.step} (${why}); lower --lr. ${lastSaved > 0 ? `The last good checkpoint is kept (step ${lastSaved})` : 'No checkpoint was written'}, no final weights were written`,
        );
    }
    if (bad >= o.maxBadSteps) {
      throw new TrainingError(
        `stopping: ${bad} consecutive steps had NaN/Inf loss or gradients (last at step ${state.step}); the last good checkpoint is kept (step ${lastSaved})`,
      );
    }
    if (o.checkpointEvery > 0 && state.step % o.checkpointEvery === 0) due = true;
    if (due && !skipped && canSave()) {
      await save();
      due = false;
    }
  }
  // the end of the run is always saved; a stop mid-cycle keeps the last whole checkpoint
  if (bad === 0 && state.step !== lastSaved && (state.step >= o.maxSteps || canSave())) await save();
  return state;
}
