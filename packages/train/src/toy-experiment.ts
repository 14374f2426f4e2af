// The default toy experiment's settings, shared by `warmup pipeline` (apps/cli) and the browser
// demo (apps/web), so the two differ only in how they load the base and run the stages. No TF.js
// and no Node import: the web page's main thread reads this file too.
import { GRPO_PAPER, GRPO_SCRATCH, SFT_PAPER, SFT_SCRATCH, type GrpoRecipe, type SftRecipe } from './recipes.ts';

export const TOY_EXPERIMENT_SETTINGS = {
  /** The shipped base, relative to the repository root (made by `warmup pretrain`; see its README). */
  modelFolder: 'models/warmup-base',
  seed: 0,
  // 60 steps at 3e-3 (SFT_SCRATCH) left the SFT loss at 1.2 and no completion passed the format gate,
  // so RLVR from the warmed-up base had no signal; 150 steps at 1e-2 on 2-person puzzles reach 0.55.
  warmup: { people: '2', count: 300, traceStyle: 'short', steps: 150, lr: 1e-2 },
  /** Fixed names for the browser demo's K&K puzzles (the generator's `names`). With names drawn
   *  from the 64-name list the base never learns to copy them from the prompt in 150 steps: every
   *  held-out answer names the wrong people (0/24 correct at steps 25–150, format 100%; wasm,
   *  2026-11-30). With fixed names held-out accuracy leaves 0 within 75 steps. `warmup pipeline`
   *  does not use them yet (its target is toy-mcq; K&K accuracy is not in its table). */
  warmupNames: ['Zoey', 'Oliver', 'Mia'],
  /** Held-out K&K accuracy during the warmup (greedy, puzzles not in the warmup data): what the
   *  browser demo plots; small enough that one evaluation takes a few seconds on wasm. */
  warmupEval: { count: 20, every: 15, maxNewTokens: 96, seed: 1000 },
  target: { task: 'mcq', limit: 100 },
  grpo: { steps: 12, lr: 1e-3, numGenerations: 6, promptsPerStep: 2 },
  eval: { limit: 20, maxNewTokens: 128, batchSize: 40 },
  /** Cross-domain evaluation after single-domain RLVR: the other toy domains' test splits. */
  cross: { tasks: 'math,code', limit: 16, samples: 2 },
  promptStyle: 'r1',
} as const;

/** The warmup stage's full recipe: the from-scratch SFT recipe at the experiment's lr. */
export function toyWarmupRecipe(): SftRecipe {
  return { ...SFT_PAPER, ...SFT_SCRATCH, lr: TOY_EXPERIMENT_SETTINGS.warmup.lr };
}

/** The RLVR stage's full recipe: the from-scratch GRPO recipe with the experiment's sizes. */
export function toyRlvrRecipe(): GrpoRecipe {
  const x = TOY_EXPERIMENT_SETTINGS;
  return {
    ...GRPO_PAPER,
    ...GRPO_SCRATCH,
    lr: x.grpo.lr,
    numGenerations: x.grpo.numGenerations,
    promptsPerStep: x.grpo.promptsPerStep,
    maxCompletionLength: x.eval.maxNewTokens,
    limit: x.target.limit,
  };
}
