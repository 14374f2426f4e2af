// `warmup grpo`: the target stage, RLVR with GRPO on a small task dataset (≤100 examples in the
// paper), from a base model or a warmed-up run's final/ folder.
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource } from '@warmup/node';
import { GRPO_PAPER, LOSS_TYPES, taskRewards, trainGrpo, type GrpoExample } from '@warmup/train';
import { UsageError } from '../errors.ts';
import { addOptions, bool, commonShape, int, num, optimShape, resolveOptions } from '../train/options.ts';
import { applyPresetRecipe } from '../train/preset-recipe.ts';
import { fmt, loopOptions, openRun, progressBar, saveFinal } from '../train/run.ts';
import { longestTokens, type PlanHints } from '../memory-check.ts';
import { loadTaskData, TASK_NAMES } from '../task-data.ts';

const R = GRPO_PAPER;
export const grpoShape = {
  ...commonShape,
  task: z.enum(TASK_NAMES),
  data: z.string().min(1),
  limit: int(1).optional(),
  ...optimShape(R),
  promptsPerStep: int(1, R.promptsPerStep),
  numGenerations: int(2, R.numGenerations),
  numIterations: int(1, R.numIterations),
  maxCompletionLength: int(1, R.maxCompletionLength),
  temperature: z.coerce.number().positive().default(R.temperature),
  topP: z.coerce.number().gt(0).max(1).default(R.topP),
  topK: int(0, R.topK),
  lossType: z.enum(LOSS_TYPES).default(R.lossType),
  epsilon: num(R.epsilon),
  epsilonHigh: z.coerce.number().min(0).optional(),
  beta: z.coerce.number().min(0).default(R.beta),
  scaleRewards: bool(R.scaleRewards),
  maskTruncated: bool(R.maskTruncated),
  microBatch: int(1, R.microBatch),
  reference: z.string().optional(),
};

export const GRPO_DOCS = {
  data: { arg: '<file>', help: "the task's data (JSONL/JSON/CSV/Parquet in its public format)" },
};

/** The memory plan's inputs for a GRPO run: `promptLen` tokens in the longest prompt, `prompts` in
 *  the data set. */
export function grpoPlanHints(
  o: { microBatch: number; maxCompletionLength: number; promptsPerStep: number; numGenerations: number; beta: number },
  promptLen: number,
  prompts: number,
): PlanHints {
  return {
    command: 'grpo',
    batchSize: o.microBatch,
    seqLen: promptLen + o.maxCompletionLength,
    genRows: Math.min(o.promptsPerStep, prompts) * o.numGenerations,
    numGenerations: o.numGenerations,
    promptLen,
    newTokens: o.maxCompletionLength,
    reference: o.beta > 0,
  };
}

export function registerGrpo(program: Command): void {
  const cmd = program
    .command('grpo')
    .description(
      "Target stage: RLVR with GRPO on a small task dataset.\nDefaults are the paper's (docs/METHOD.md); a fresh preset uses its own recommended settings.",
    );
  addOptions(cmd, grpoShape, GRPO_DOCS);
  cmd.action(async (flags: Record<string, unknown>) => {
    const o = resolveOptions(grpoShape, flags, flags.config as string | undefined);
    applyPresetRecipe('grpo', o, flags, grpoShape);
    // The dataset is validated before any model loads.
    const data = await loadTaskData('--data', o.data, o.task, o.promptStyle, o.limit, o.model);
    const run = await openRun(o, 'grpo', { ...o }, (tok) =>
      grpoPlanHints(o, longestTokens(tok, data.prompts, 4096), data.examples.length),
    );
    const tok = run.tokenizer;
    if (!tok)
      throw new UsageError(
        `--model ${o.model}: has no tokenizer (tokenizer.json); GRPO needs one to decode completions`,
      );
    const examples: GrpoExample[] = data.examples.map((e, i) => ({ id: e.id, promptIds: tok.encode(data.prompts[i]) }));
    let reference: Qwen2Model | undefined;
    if (o.beta > 0) {
      const refDir = o.reference ?? o.model;
      try {
        reference = await loadModel(folderSource(refDir));
      } catch (e) {
        throw new UsageError(
          `--reference: cannot load ${refDir} (${(e as Error).message}); a KL term needs a model folder`,
        );
      }
    }
    const maxSteps =
      o.maxSteps ?? Math.max(1, Math.ceil((o.epochs * examples.length) / o.promptsPerStep) * o.numIterations);
    const errors: string[] = [];
    process.stderr.write(
      `grpo: ${examples.length} ${o.task} prompts, G=${o.numGenerations}, ${maxSteps} steps, backend ${run.backend}${run.resumed ? `, resuming at step ${run.state.step}` : ''}\n`,
    );
    const bar = progressBar(
      maxSteps,
      run.state.step,
      (m) =>
        `reward ${fmt(m.reward, 3)} acc ${fmt(m.correct_frac, 3)} len ${fmt(m['completions/mean_length'], 3)} | gen ${fmt(m.gen_s, 2)}s opt ${fmt(m.opt_s, 2)}s`,
    );
    try {
      await trainGrpo(run.model, run.optimizer, run.state, examples, {
        ...loopOptions(o, run, maxSteps, (m) => bar.update(m)),
        promptsPerStep: Math.min(o.promptsPerStep, examples.length),
        numGenerations: o.numGenerations,
        numIterations: o.numIterations,
        maxCompletionLength: o.maxCompletionLength,
        temperature: o.temperature,
        topP: o.topP,
        topK: o.topK,
        lossType: o.lossType,
        epsilonLow: o.epsilon,
        epsilonHigh: o.epsilonHigh ?? o.epsilon,
        beta: o.beta,
        scaleRewards: o.scaleRewards,
        maskTruncated: o.maskTruncated,
        microBatch: o.microBatch,
        seed: o.seed,
        padTokenId: tok.padTokenId,
        eosTokenIds: tok.eosTokenIds,
        decode: (ids) => tok.decode(ids, true),
        reference,
        rewards: taskRewards(o.task, data.task, data.examples),
        onRewardError: (fn, id, msg) => {
          if (errors.length < 20)
            process.stderr.write(`\nreward ${fn} failed on ${id}: ${msg} (counted as the minimum reward)\n`);
          errors.push(id);
        },
      });
    } finally {
      bar.stop();
      reference?.dispose();
    }
    const final = await saveFinal(o, run);
    process.stderr.write(
      `grpo: done at step ${run.state.step}${errors.length ? `, ${errors.length} reward errors` : ''}; weights in ${final}, metrics in ${path.join(o.out, 'metrics.jsonl')}\n`,
    );
  });
}
