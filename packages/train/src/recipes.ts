// The training recipes in one place: each stage's settings (the paper's, with their source, and the
// variants for from-scratch presets and the browser), every option documented once, and the small
// pieces each front end (CLI, web worker, pipeline, scripts) would otherwise rewrite. No TF.js
// import: the web page's main thread reads this file too.
import type { TrainerState } from './checkpoint.ts';
import type { LossType } from './losses.ts';
import type { AdamWOptions } from './optimizer.ts';
import type { ScheduleName, ScheduleOptions } from './schedule.ts';

/** Where a default comes from. */
export const SOURCES = {
  paper: 'Shrestha et al. 2025, "Warm Up Before You Train" (arXiv 2505.13718), docs/METHOD.md',
  trl: "TRL's GRPOConfig / SFTConfig",
  project: 'this project',
} as const;
export type Source = keyof typeof SOURCES;

/** The backends a front end may ask for (`auto` picks one); the browser has no `tensorflow`. */
export const BACKEND_NAMES = ['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendChoiceName = (typeof BACKEND_NAMES)[number];
export const BROWSER_BACKENDS = BACKEND_NAMES.filter((b) => b !== 'tensorflow');

/** Optimizer and schedule settings every stage has. */
export interface OptimRecipe {
  lr: number;
  schedule: ScheduleName;
  warmupSteps: number;
  minLrRatio: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  maxGradNorm: number;
  epochs: number;
  maxBadSteps: number;
}

export interface SftRecipe extends OptimRecipe {
  batchSize: number;
  gradAccum: number;
  maxSeqLen: number;
}

export interface GrpoRecipe extends OptimRecipe {
  /** Prompts per generation batch. */
  promptsPerStep: number;
  numGenerations: number;
  numIterations: number;
  maxCompletionLength: number;
  temperature: number;
  topP: number;
  topK: number;
  lossType: LossType;
  epsilon: number;
  beta: number;
  scaleRewards: boolean;
  maskTruncated: boolean;
  microBatch: number;
  /** Target examples (the paper: at most 100). */
  limit: number;
}

export interface EvalRecipe {
  samples: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
}

/** Warmup stage, the paper's code (docs/METHOD.md "Warmup (SFT) settings"). */
export const SFT_PAPER: SftRecipe = {
  lr: 1e-6,
  schedule: 'constant_with_warmup',
  warmupSteps: 25,
  minLrRatio: 0,
  weightDecay: 1e-4,
  beta1: 0.9,
  beta2: 0.95,
  adamEps: 1e-8,
  maxGradNorm: 0.1,
  epochs: 3,
  maxBadSteps: 5,
  batchSize: 4,
  gradAccum: 1,
  maxSeqLen: 2048,
};

/** Target stage, the paper's code (docs/METHOD.md "RLVR (GRPO) settings"): one pass per batch so
 *  the ratio is 1, no KL, advantages without std scaling, loss = sum over every completion token of
 *  the step / their number (TRL's `dapo`). */
export const GRPO_PAPER: GrpoRecipe = {
  lr: 1e-6,
  schedule: 'constant_with_warmup',
  warmupSteps: 25,
  minLrRatio: 0,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  adamEps: 1e-8,
  maxGradNorm: 0.1,
  epochs: 25,
  maxBadSteps: 5,
  promptsPerStep: 10,
  numGenerations: 10,
  numIterations: 1,
  maxCompletionLength: 1024,
  temperature: 0.7,
  topP: 0.95,
  topK: 0,
  lossType: 'dapo',
  epsilon: 0.2,
  beta: 0,
  scaleRewards: false,
  maskTruncated: false,
  microBatch: 8,
  limit: 100,
};

/** Evaluation, the paper: 4 samples per question at temperature 0.7, top-p 0.95. */
export const EVAL_PAPER: EvalRecipe = { samples: 4, temperature: 0.7, topP: 0.95, maxNewTokens: 1024 };

/** From-scratch presets (random weights): the paper's fine-tuning lr of 1e-6 does not move them.
 *  Measured on kk-tiny (docs/warmup-kk-names-cases-kk-tiny.md: lr 1e-2; the pipeline demo: 3e-3). */
export const SFT_SCRATCH: Partial<SftRecipe> = {
  lr: 3e-3,
  schedule: 'cosine',
  warmupSteps: 10,
  weightDecay: 0.01,
  maxGradNorm: 1,
  batchSize: 8,
};

/** GRPO on a tiny from-scratch policy: a larger lr, sampling at T = 1 for diverse groups, and
 *  completions of 256 tokens: the paper's 1,024 with its 10 × 10 rollouts and micro-batch 8 need
 *  about 5.8 GiB on kk-tiny (the wasm heap holds 4), and a random policy rarely stops earlier. */
export const GRPO_SCRATCH: Partial<GrpoRecipe> = {
  lr: 1e-4,
  warmupSteps: 0,
  weightDecay: 0,
  maxGradNorm: 1,
  temperature: 1,
  maxCompletionLength: 256,
};

/** The browser demo trains tiny models for a few dozen steps: a looser clip, short warmup. */
export const WEB_LOOP = { maxGradNorm: 1, maxBadSteps: 3, warmupFraction: 0.1, maxWarmupSteps: 10 } as const;

/** A GRPO recipe in the trainer's own option names (GrpoOptions). */
export function grpoTrainerDefaults(r: GrpoRecipe) {
  return {
    numGenerations: r.numGenerations,
    numIterations: r.numIterations,
    temperature: r.temperature,
    topP: r.topP,
    topK: r.topK,
    lossType: r.lossType,
    epsilonLow: r.epsilon,
    epsilonHigh: r.epsilon,
    beta: r.beta,
    scaleRewards: r.scaleRewards,
    maskTruncated: r.maskTruncated,
  };
}

/** What a preset (models/*.json, key "training") recommends for training from its random
 *  initialisation; sft/grpo use it for every option the user does not set. */
export interface PresetTraining {
  sft?: Partial<SftRecipe>;
  grpo?: Partial<GrpoRecipe>;
}

/** Below this peak lr, random weights barely move in a few hundred steps (kk-tiny at 1e-6: loss
 *  7.070 -> 7.075 in 40 steps, measured 2026-11-30); a fresh preset trained below it gets a warning. */
export const SCRATCH_MIN_LR = 1e-4;

/** The paper's GRPO settings in the trainer's option names; callers spread and override. */
export const GRPO_PAPER_DEFAULTS = grpoTrainerDefaults(GRPO_PAPER);

/** A recipe's AdamW settings. */
export function adamwOf(r: Pick<OptimRecipe, 'beta1' | 'beta2' | 'adamEps' | 'weightDecay'>): AdamWOptions {
  return { beta1: r.beta1, beta2: r.beta2, eps: r.adamEps, weightDecay: r.weightDecay };
}

/** A recipe's learning-rate schedule over `totalSteps`. */
export function scheduleOf(
  r: Pick<OptimRecipe, 'lr' | 'schedule' | 'warmupSteps' | 'minLrRatio'>,
  totalSteps: number,
): ScheduleOptions {
  return { name: r.schedule, lr: r.lr, warmupSteps: r.warmupSteps, totalSteps, minRatio: r.minLrRatio };
}

/** A fresh run's trainer state. */
export function newTrainerState(kind: TrainerState['kind'], seed: number): TrainerState {
  return { version: 1, kind, step: 0, cursor: 0, seed, adamT: 0, extra: {} };
}

/** Prompt/completion token ids of one SFT example; the completion ends with EOS. */
export interface EncodedExample {
  promptIds: number[];
  completionIds: number[];
}

/** Truncate to maxLen tokens (completion cut from the end); examples whose prompt alone fills
 *  the window cannot be trained on and are dropped (counted by the caller). */
export function fitExample(e: EncodedExample, maxLen: number): EncodedExample | undefined {
  if (e.promptIds.length >= maxLen) return undefined;
  return { promptIds: e.promptIds, completionIds: e.completionIds.slice(0, maxLen - e.promptIds.length) };
}

/** Tokenize prompt/completion records for SFT: EOS closes each completion, records are cut to
 *  `maxLen` tokens, and those whose prompt alone is too long are dropped and counted. */
export function encodeSftRecords(
  records: readonly { prompt: string; completion: string }[],
  tok: { encode(text: string): number[]; eosTokenIds: readonly number[] },
  maxLen: number,
): { examples: EncodedExample[]; dropped: number } {
  const eos = tok.eosTokenIds[0];
  if (eos === undefined) throw new Error('SFT: the tokenizer has no EOS token');
  const examples: EncodedExample[] = [];
  let dropped = 0;
  for (const r of records) {
    const e = fitExample(
      { promptIds: tok.encode(r.prompt), completionIds: [...tok.encode(r.completion), eos] },
      maxLen,
    );
    if (e) examples.push(e);
    else dropped++;
  }
  return { examples, dropped };
}

/** The part of a task a reward needs: a grade for a completion of one example. */
export interface GradingTask<E> {
  grade(
    example: E,
    completion: string,
  ): { reward: number; correct: boolean } | Promise<{ reward: number; correct: boolean }>;
  minReward: number;
}

/** One task as GRPO's weighted reward list (a single function of weight 1, named after the task). */
export function taskRewards<E>(
  name: string,
  task: GradingTask<E>,
  examples: readonly E[],
): {
  name: string;
  weight: number;
  minReward: number;
  score: (i: number, c: string) => Promise<{ reward: number; correct: boolean }>;
}[] {
  return [
    {
      name,
      weight: 1,
      minReward: task.minReward,
      score: async (i, completion) => {
        const g = await task.grade(examples[i], completion);
        return { reward: g.reward, correct: g.correct };
      },
    },
  ];
}

/** What an option is, TRL-style: what it does and where its default comes from. The default
 *  itself is read from the schema (CLI) or the recipe, never restated here. */
export interface OptionDoc {
  /** Commander argument placeholder, e.g. '<x>'; '' for a switch. */
  arg: string;
  help: string;
  source?: Source;
}

/** Every training option of `warmup sft` / `warmup grpo`, documented once. */
export const OPTION_DOCS = {
  model: { arg: '<dir|preset>', help: 'model folder or preset name (models/*.json)' },
  out: { arg: '<dir>', help: 'run folder: metrics.jsonl, checkpoint/, final/' },
  resume: { arg: '', help: 'continue from <out>/checkpoint' },
  backend: { arg: '<name>', help: BACKEND_NAMES.join(' | ') },
  seed: { arg: '<n>', help: 'data order, initialisation and sampling seed' },
  maxSteps: { arg: '<n>', help: 'optimizer steps (default: from --epochs)' },
  epochs: { arg: '<e>', help: 'passes over the data when --max-steps is not given', source: 'paper' },
  lr: {
    arg: '<x>',
    help: 'peak learning rate; a fresh preset uses its own recommended rate unless given',
    source: 'paper',
  },
  schedule: { arg: '<name>', help: 'constant | constant_with_warmup | cosine', source: 'paper' },
  warmupSteps: { arg: '<n>', help: 'linear warmup steps', source: 'paper' },
  minLrRatio: { arg: '<x>', help: 'cosine floor as a fraction of --lr' },
  weightDecay: { arg: '<x>', help: 'AdamW decoupled weight decay (not on biases and norms)', source: 'paper' },
  beta1: { arg: '<x>', help: 'AdamW beta1', source: 'paper' },
  beta2: { arg: '<x>', help: 'AdamW beta2', source: 'paper' },
  adamEps: { arg: '<x>', help: 'AdamW epsilon', source: 'trl' },
  maxGradNorm: { arg: '<x>', help: 'global gradient-norm clip, 0 = off', source: 'paper' },
  checkpointEvery: { arg: '<n>', help: 'save <out>/checkpoint every n steps (0 = at the end)' },
  maxBadSteps: { arg: '<n>', help: 'stop after n consecutive NaN/Inf steps' },
  promptStyle: { arg: '<s>', help: "r1 (the paper's text prompt) | chat (the model's chat template)" },
  loraRank: {
    arg: '<r>',
    help: 'train LoRA adapters of rank r on a frozen base, merged into final/ (0 = full fine-tuning)',
  },
  loraAlpha: { arg: '<x>', help: 'LoRA scale numerator: updates are scaled by alpha / rank (default 2 * rank)' },
  loraDropout: { arg: '<p>', help: "dropout on the adapters' input while training" },
  loraTargets: { arg: '<list>', help: 'projections that get adapters' },
  config: { arg: '<file>', help: 'JSON or YAML file with any of these options (flags win)' },
  // SFT
  batchSize: { arg: '<n>', help: 'sequences per micro-batch' },
  gradAccum: { arg: '<n>', help: 'micro-batches per optimizer step' },
  maxSeqLen: { arg: '<n>', help: 'truncate prompt+completion to n tokens' },
  bucketWindow: { arg: '<n>', help: 'sort windows of n batches by length to cut padding; 0 = off' },
  packing: {
    arg: '[bool]',
    help: 'pack each micro-batch into rows of up to --max-seq-len tokens (attention stays within each example)',
  },
  evalFraction: { arg: '<x>', help: 'held-out share of --data for eval_loss' },
  evalEvery: { arg: '<n>', help: 'evaluate every n steps' },
  evalData: { arg: '<file>', help: 'task data (e.g. K&K puzzles) to measure held-out accuracy by greedy decoding' },
  evalTask: { arg: '<task>', help: 'kk | math | mcq | code' },
  evalCount: { arg: '<n>', help: 'questions from --eval-data per evaluation' },
  evalMaxNewTokens: { arg: '<n>', help: 'generation budget per evaluation answer' },
  // GRPO
  task: { arg: '<task>', help: 'kk | math | mcq | code: the reward and data format' },
  limit: { arg: '<n>', help: 'use only the first n examples (the paper: ≤ 100)' },
  promptsPerStep: { arg: '<n>', help: 'prompts per generation batch' },
  numGenerations: { arg: '<G>', help: 'completions per prompt, the group size', source: 'paper' },
  numIterations: {
    arg: '<mu>',
    help: 'optimisation passes per generation batch (1: the ratio is 1, old log-probs are the current ones)',
    source: 'paper',
  },
  maxCompletionLength: { arg: '<n>', help: 'tokens per completion' },
  temperature: { arg: '<t>', help: 'sampling temperature (log-probs in the loss use it too, as TRL)', source: 'paper' },
  topP: { arg: '<p>', help: 'nucleus sampling', source: 'paper' },
  topK: { arg: '<k>', help: 'top-k sampling, 0 = off' },
  lossType: {
    arg: '<t>',
    help: "TRL's aggregation: grpo (per-sequence mean, then batch mean) | bnpo (token sum / tokens of the micro-batch) | dr_grpo (token sum / (sequences x max completion length)) | dapo (token sum / tokens of the whole step, the paper's)",
    source: 'paper',
  },
  epsilon: { arg: '<e>', help: 'clip range low (and high unless --epsilon-high)', source: 'paper' },
  epsilonHigh: { arg: '<e>', help: 'clip range high (default = --epsilon)' },
  beta: { arg: '<b>', help: 'KL coefficient; 0 loads no reference model', source: 'paper' },
  scaleRewards: { arg: '<bool>', help: 'divide advantages by the group std', source: 'paper' },
  maskTruncated: { arg: '<bool>', help: 'leave completions cut at the length limit out of the loss' },
  microBatch: { arg: '<n>', help: 'sequences per forward/backward pass; gradients accumulate' },
  reference: { arg: '<dir>', help: 'reference model for the KL term (default: the starting model)' },
} as const satisfies Record<string, OptionDoc>;

export type OptionName = keyof typeof OPTION_DOCS;

/** The help line of an option: its doc, its default (when it has one) and the default's source. */
export function optionHelp(doc: OptionDoc, dflt: unknown): string {
  const num = (x: number): string => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x));
  const d =
    dflt === undefined || (doc.arg === '' && dflt === false)
      ? ''
      : Array.isArray(dflt)
        ? dflt.join(',')
        : typeof dflt === 'number'
          ? num(dflt)
          : String(dflt);
  const from = doc.source && d !== '' ? `; ${doc.source === 'paper' ? 'the paper' : SOURCES[doc.source]}` : '';
  return d === '' ? doc.help : `${doc.help} (default ${d}${from})`;
}
