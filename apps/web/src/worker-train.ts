// Training in the worker: K&K data generated on the spot (teacher traces for SFT, prompts for
// GRPO) or a target data file for GRPO (math, multiple choice, code in Pyodide), tokenised
// exactly as `warmup sft` / `warmup grpo` do, then the shared trainers of @warmup/train. Metrics
// stream out per step; Stop ends SFT after the current step and cuts a GRPO rollout short (that
// step is dropped).
import type { Qwen2Model } from '@warmup/core';
import {
  generateKkPuzzles,
  getTask,
  kkHeldOutPuzzles,
  kkPrompt,
  kkTask,
  loadTaskExamples,
  makeKkSftRecords,
  PyodideSandbox,
  KK_MAX_PEOPLE,
  KK_MIN_PEOPLE,
  type Grade,
  type KkPuzzle,
  type ChatTemplate,
  type PromptStyle,
} from '@warmup/tasks';
import {
  adamwOf,
  encodeSftRecords,
  evaluateTask,
  GRPO_PAPER,
  grpoTrainerDefaults,
  newOptimizer,
  newTrainerState,
  scheduleOf,
  SFT_PAPER,
  taskRewards,
  trainGrpo,
  trainSft,
  WEB_LOOP,
  type GrpoExample,
  type LoopOptions,
  type OptimRecipe,
} from '@warmup/train';
import { toyRlvrRecipe, toyWarmupRecipe } from '@warmup/train/toy-experiment';
import { macrotask } from './macrotask.ts';
import type { ModelTokenizer } from './model-tokenizer.ts';
import type { GrpoTrainRequest, LogFn, SftTrainRequest, TargetData, TrainMetrics, TrainRequest } from './worker-api.ts';

export interface TrainHooks {
  onMetrics(m: TrainMetrics): void;
  shouldStop(): boolean;
  log: LogFn;
}

export interface TrainOutcome {
  steps: number;
  stopped: boolean;
  examples: number;
  dropped: number;
}

function int(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new Error(
      `train: ${name} must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max}, got ${v}`,
    );
  return v;
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`train: ${name} must be a positive number, got ${v}`);
  return v;
}

function puzzles(req: TrainRequest): KkPuzzle[] {
  const d = req.data;
  const lo = int('people (min)', d.peopleMin, KK_MIN_PEOPLE, KK_MAX_PEOPLE);
  const hi = int('people (max)', d.peopleMax, lo, KK_MAX_PEOPLE);
  const people = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const names = d.names?.length ? d.names : undefined;
  if (names && (names.length < hi || new Set(names).size < names.length))
    throw new Error(`train: names: need ${hi} distinct names for ${hi}-person puzzles, got ${names.join(', ')}`);
  return generateKkPuzzles({ people, count: int('count', d.count, 1), seed: int('seed', d.seed, 0), names });
}

/** The optimiser and GRPO settings of a browser run: the paper's, read from the recipe when a run
 *  starts (the request carries lr, steps, batch, G, length and temperature); with recipe 'toy',
 *  the toy experiment's stage recipe, the one `warmup pipeline` runs. */
export function webTrainerSettings(kind: TrainRequest['kind'], recipe?: TrainRequest['recipe']) {
  if (recipe === 'toy')
    return {
      adamw: adamwOf(kind === 'sft' ? toyWarmupRecipe() : toyRlvrRecipe()),
      grpo: grpoTrainerDefaults(toyRlvrRecipe()),
    };
  return { adamw: adamwOf(kind === 'sft' ? SFT_PAPER : GRPO_PAPER), grpo: grpoTrainerDefaults(GRPO_PAPER) };
}

/** The loop settings of a browser run: the paper's optimiser per stage (recipes.ts), with the
 *  browser's looser clip and short warmup for tiny models trained a few dozen steps; with recipe
 *  'toy', the toy experiment's schedule and clipping (warmup capped at the run's length, as the pipeline does). */
export function webLoopOptions(req: TrainRequest, hooks: TrainHooks): LoopOptions {
  const steps = int('steps', req.steps, 1);
  const lr = positive('lr', req.lr);
  const toy: OptimRecipe | undefined =
    req.recipe === 'toy' ? (req.kind === 'sft' ? toyWarmupRecipe() : toyRlvrRecipe()) : undefined;
  return {
    maxSteps: steps,
    schedule: toy
      ? scheduleOf({ ...toy, lr, warmupSteps: Math.min(toy.warmupSteps, steps) }, steps)
      : {
          name: 'constant_with_warmup',
          lr,
          warmupSteps: Math.min(WEB_LOOP.maxWarmupSteps, Math.floor(steps * WEB_LOOP.warmupFraction)),
          totalSteps: steps,
        },
    maxGradNorm: toy ? toy.maxGradNorm : WEB_LOOP.maxGradNorm,
    checkpointEvery: 0,
    maxBadSteps: toy ? toy.maxBadSteps : WEB_LOOP.maxBadSteps,
    onMetrics: async (m) => {
      // Not awaited: a slow page must not hold training back; the callback only draws.
      Promise.resolve(hooks.onMetrics(m)).catch(() => {});
      await macrotask();
    },
    shouldStop: () => hooks.shouldStop(),
  };
}

async function sft(
  model: Qwen2Model,
  tok: ModelTokenizer,
  req: SftTrainRequest,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  const trainPuzzles = puzzles(req);
  const records = makeKkSftRecords(trainPuzzles, req.data.promptStyle, { style: req.traceStyle }, tok.chatTemplate);
  const maxLen = model.config.maxPositionEmbeddings;
  const { examples: train, dropped } = encodeSftRecords(records, tok, maxLen);
  if (!train.length) throw new Error(`train: every prompt is longer than the model's ${maxLen} positions`);
  const lens = train.map((e) => e.promptIds.length + e.completionIds.length);
  hooks.log(
    'info',
    `train: sft on ${train.length} ${req.traceStyle} teacher traces (${Math.min(...lens)}–${Math.max(...lens)} tokens)${dropped ? `, ${dropped} dropped: prompt too long` : ''}, ${req.steps} steps × batch ${req.batchSize}`,
  );
  const evaluate = req.heldOut ? heldOutEvaluator(trainPuzzles, req, tok, hooks) : undefined;
  // The starting point, so the chart shows where accuracy rises from.
  if (evaluate) hooks.onMetrics({ step: 0, ...(await evaluate(model, 0)) });
  const st = newTrainerState('sft', req.data.seed);
  const optimizer = newOptimizer(webTrainerSettings('sft', req.recipe).adamw);
  try {
    await trainSft(model, optimizer, st, train, [], {
      ...webLoopOptions(req, hooks),
      batchSize: int('batch size', req.batchSize, 1),
      gradAccum: 1,
      padTokenId: tok.padTokenId,
      seed: req.data.seed,
      bucketWindow: 4,
      evalEvery: req.heldOut ? int('held-out eval interval', req.heldOut.every, 1) : 0,
      evaluate,
    });
  } finally {
    optimizer.dispose();
  }
  return { steps: st.step, stopped: st.step < req.steps, examples: train.length, dropped };
}

/** Greedy answers to held-out puzzles of the training sizes (statements not in the training data),
 *  graded with the paper's reward: the shared evaluation hook `warmup sft --eval-data` uses. */
function heldOutEvaluator(
  trainPuzzles: KkPuzzle[],
  req: SftTrainRequest,
  tok: ModelTokenizer,
  hooks: TrainHooks,
): (model: Qwen2Model, step: number) => Promise<Record<string, number>> {
  const h = req.heldOut;
  if (!h) throw new Error('train: no held-out spec');
  let held: KkPuzzle[];
  try {
    const names = req.data.names?.length ? req.data.names : undefined;
    held = kkHeldOutPuzzles(trainPuzzles, int('held-out puzzles', h.count, 1), int('held-out seed', h.seed, 0), names);
  } catch (e) {
    throw new Error(`train: held-out K&K puzzles: ${(e as Error).message}`);
  }
  const maxNew = int('held-out max new tokens', h.maxNewTokens, 1);
  const data = {
    examples: held,
    prompts: held.map((p) => kkPrompt(p, req.data.promptStyle, tok.chatTemplate)),
    task: kkTask,
  };
  // Guessing each identity solves an n-person puzzle with probability 2^-n.
  const chance = held.reduce((a, p) => a + 2 ** -p.n, 0) / held.length;
  return async (model, step) => {
    const r = await evaluateTask(model, tok, data, maxNew);
    const m = r.metrics;
    const right = r.samples.filter((x) => x.correct).length;
    hooks.log(
      'info',
      `train: held-out K&K accuracy at step ${step}: ${(100 * m.eval_accuracy).toFixed(1)}% (${right}/${held.length}), format ${(100 * m.eval_format_ok).toFixed(0)}%`,
    );
    await macrotask();
    return { ...m, eval_count: held.length, eval_chance: chance };
  };
}

/** What GRPO needs from a task: prompts, and a grade for a completion of prompt i. */
interface RewardData {
  name: string;
  ids: string[];
  prompts: string[];
  grade(i: number, completion: string): Grade | Promise<Grade>;
  minReward: number;
  dispose(): void;
}

function kkRewardData(req: GrpoTrainRequest, template?: ChatTemplate): RewardData {
  const ps = puzzles(req);
  return {
    name: 'kk',
    ids: ps.map((p) => p.id),
    prompts: ps.map((p) => kkPrompt(p, req.data.promptStyle, template)),
    grade: (i, c) => kkTask.grade(ps[i], c),
    minReward: kkTask.minReward,
    dispose: () => {},
  };
}

/** The same loader as `warmup grpo --data`; code runs in Pyodide workers started from here. */
async function targetRewardData(t: TargetData, style: PromptStyle, template?: ChatTemplate): Promise<RewardData> {
  const sandbox = t.task === 'code' ? new PyodideSandbox({ indexURL: t.pyodideURL }) : undefined;
  const task = getTask(t.task, { sandbox, codeTimeoutMs: t.codeTimeoutMs });
  const limit = int('limit', t.limit, 1, 100);
  const { examples, prompts } = await loadTaskExamples(task, t.bytes, t.fileName, style, limit, template);
  sandbox?.warmUp();
  return {
    name: t.task,
    ids: examples.map((e) => e.id),
    prompts,
    grade: (i, c) => task.grade(examples[i], c),
    minReward: task.minReward,
    dispose: () => sandbox?.dispose(),
  };
}

async function grpo(
  model: Qwen2Model,
  tok: ModelTokenizer,
  req: GrpoTrainRequest,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  // chat-style prompts from the checkpoint's own chat_template (ChatML without one)
  const data = req.target
    ? await targetRewardData(req.target, req.data.promptStyle, tok.chatTemplate)
    : kkRewardData(req, tok.chatTemplate);
  try {
    return await grpoOn(data, model, tok, req, hooks);
  } finally {
    data.dispose();
  }
}

async function grpoOn(
  data: RewardData,
  model: Qwen2Model,
  tok: ModelTokenizer,
  req: GrpoTrainRequest,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  const examples: GrpoExample[] = data.prompts.map((p, i) => ({ id: data.ids[i], promptIds: tok.encode(p) }));
  const maxCompletion = int('max completion length', req.maxCompletionLength, 1);
  const longest = Math.max(...examples.map((e) => e.promptIds.length));
  if (longest + maxCompletion > model.config.maxPositionEmbeddings) {
    throw new Error(
      `train: prompts of up to ${longest} tokens plus ${maxCompletion} completion tokens exceed the model's ${model.config.maxPositionEmbeddings} positions`,
    );
  }
  const G = int('G', req.numGenerations, 2);
  const perStep = Math.min(int('prompts per step', req.promptsPerStep, 1), examples.length);
  const what = req.target ? `${req.target.task} prompts from ${req.target.fileName}` : 'K&K prompts';
  hooks.log(
    'info',
    `train: grpo on ${examples.length} ${what} (up to ${longest} tokens), ${perStep} per step × G=${G}, ${maxCompletion} new tokens at temperature ${req.temperature}, ${req.steps} steps`,
  );
  const st = newTrainerState('grpo', req.data.seed);
  const settings = webTrainerSettings('grpo', req.recipe);
  const optimizer = newOptimizer(settings.adamw);
  let rewardErrors = 0;
  try {
    await trainGrpo(model, optimizer, st, examples, {
      ...webLoopOptions(req, hooks),
      ...settings.grpo,
      promptsPerStep: perStep,
      numGenerations: G,
      maxCompletionLength: maxCompletion,
      temperature: positive('temperature', req.temperature),
      microBatch: int('batch size', req.batchSize, 1),
      seed: req.data.seed,
      padTokenId: tok.padTokenId,
      eosTokenIds: tok.eosTokenIds,
      decode: (ids) => tok.decode(ids),
      rewards: taskRewards(
        data.name,
        { grade: (i: number, c) => data.grade(i, c), minReward: data.minReward },
        data.ids.map((_, i) => i),
      ),
      onRewardError: (fn, id, msg) => {
        if (rewardErrors++ < 5)
          hooks.log('warn', `train: reward ${fn} failed on ${id}: ${msg} (counted as the minimum reward)`);
      },
    });
  } finally {
    optimizer.dispose();
  }
  return { steps: st.step, stopped: st.step < req.steps, examples: examples.length, dropped: 0 };
}

export function runTraining(
  model: Qwen2Model,
  tok: ModelTokenizer,
  req: TrainRequest,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  return req.kind === 'sft' ? sft(model, tok, req, hooks) : grpo(model, tok, req, hooks);
}
