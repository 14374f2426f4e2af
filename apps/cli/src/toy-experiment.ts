// The default experiment (`warmup pipeline` with no flags) in one place: the shipped toy base,
// K&K warmup, RLVR on ≤100 toy multiple-choice items, evaluation on the held-out toy-mcq split and
// on the other toy domains (cross-domain). The target is mcq because the 0.2M-parameter base
// solves no toy-math problem (0/48 samples at 325 pretraining steps) but answers in the mcq format. Optimizer settings come from the recipes (SFT_SCRATCH,
// GRPO_SCRATCH, EVAL_PAPER); the experiment's own sizes, chosen to finish in minutes, live in
// @warmup/train/toy-experiment, which the browser demo reads too.
import { fileURLToPath } from 'node:url';
import { TOY_EXPERIMENT_SETTINGS } from '@warmup/train/toy-experiment';

export const TOY_EXPERIMENT = {
  ...TOY_EXPERIMENT_SETTINGS,
  /** The shipped base (made by `warmup pretrain`; see models/warmup-base/README.md). */
  model: fileURLToPath(new URL(`../../../${TOY_EXPERIMENT_SETTINGS.modelFolder}`, import.meta.url)),
} as const;

/** Rough seconds per stage on this 2-core machine under load: the ETA before any stage ran. */
export const STAGE_SECONDS = { data: 5, sft: 150, grpo: 60, eval: 20 } as const;
