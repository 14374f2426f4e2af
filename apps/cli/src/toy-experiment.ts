// The default experiment (`warmup pipeline` with no flags) in one place: the shipped toy base,
// K&K warmup, RLVR on ≤100 toy multiple-choice items, evaluation on the held-out toy-mcq split and
// on the other toy domains (cross-domain). The target is mcq because the 0.2M-parameter base
// solves no toy-math problem (0/48 samples at 325 pretraining steps) but answers in the mcq format. Optimizer settings come from the recipes (SFT_SCRATCH,
// GRPO_SCRATCH, EVAL_PAPER); these are the experiment's own sizes, chosen to finish in minutes.
import { fileURLToPath } from 'node:url';

export const TOY_EXPERIMENT = {
  /** The shipped base (made by `warmup pretrain`; see models/warmup-base/README.md). */
  model: fileURLToPath(new URL('../../../models/warmup-base', import.meta.url)),
  seed: 0,
  // 60 steps at 3e-3 (SFT_SCRATCH) left the SFT loss at 1.2 and no completion passed the format gate,
  // so RLVR from the warmed-up base had no signal; 150 steps at 1e-2 on 2-person puzzles reach 0.55.
  warmup: { people: '2', count: 300, traceStyle: 'short', steps: 150, lr: 1e-2 },
  target: { task: 'mcq', limit: 100 },
  grpo: { steps: 12, lr: 1e-3, numGenerations: 6, promptsPerStep: 2 },
  eval: { limit: 20, maxNewTokens: 128, batchSize: 40 },
  /** Cross-domain evaluation after single-domain RLVR: the other toy domains' test splits. */
  cross: { tasks: 'math,code', limit: 16, samples: 2 },
  promptStyle: 'r1',
} as const;

/** Rough seconds per stage on this 2-core machine under load: the ETA before any stage ran. */
export const STAGE_SECONDS = { data: 5, sft: 150, grpo: 60, eval: 20 } as const;
