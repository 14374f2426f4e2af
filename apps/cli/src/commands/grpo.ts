// `warmup grpo`: the target stage, RLVR with GRPO on a small task dataset (≤100 examples in the
// paper), from a base model or a warmed-up run's final/ folder.
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource } from '@warmup/node';
import { trainGrpo, LOSS_TYPES, type GrpoExample } from '@warmup/train';
import { UsageError } from '../errors.ts';
import { bool, commonFlags, commonShape, int, num, resolveOptions } from '../train/options.ts';
import { fmt, loopOptions, openRun, progressBar, saveFinal } from '../train/run.ts';
import { loadTaskData, TASK_NAMES } from '../task-data.ts';

const grpoShape = {
  ...commonShape,
  task: z.enum(TASK_NAMES),
  data: z.string().min(1),
  limit: int(1).optional(),
  lr: commonShape.lr.default(1e-6),
  weightDecay: commonShape.weightDecay.default(0.1),
  beta1: commonShape.beta1.default(0.9),
  beta2: commonShape.beta2.default(0.99),
  epochs: commonShape.epochs.default(25),
  promptsPerStep: int(1, 10),
  numGenerations: int(2, 10),
  numIterations: int(1, 1),
  maxCompletionLength: int(1, 1024),
  temperature: z.coerce.number().positive().default(0.7),
  topP: z.coerce.number().gt(0).max(1).default(0.95),
  topK: int(0, 0),
  lossType: z.enum(LOSS_TYPES).default('bnpo'),
  epsilon: num(0.2),
  epsilonHigh: z.coerce.number().min(0).optional(),
  beta: z.coerce.number().min(0).default(0),
  scaleRewards: bool(false),
  maskTruncated: bool(false),
  microBatch: int(1, 8),
  reference: z.string().optional(),
};

const FLAGS: [string, string][] = [
  ['--task <task>', 'kk | math | mcq | code: the reward and data format'],
  ['--data <file>', "the task's data (JSONL/JSON/CSV/Parquet in its public format)"],
  ['--limit <n>', 'use only the first n examples (the paper: ≤ 100)'],
  ['--prompts-per-step <n>', 'prompts per generation batch (default 10)'],
  ['--num-generations <G>', 'completions per prompt, the group size (default 10)'],
  ['--num-iterations <mu>', 'optimisation passes per generation batch (default 1, so ratio = 1)'],
  ['--max-completion-length <n>', 'tokens per completion (default 1024)'],
  ['--temperature <t>', 'sampling temperature (default 0.7)'],
  ['--top-p <p>', 'nucleus sampling (default 0.95)'],
  ['--top-k <k>', 'top-k sampling, 0 = off (default 0)'],
  ['--loss-type <t>', 'grpo | bnpo | dr_grpo (default bnpo: sum over tokens / total tokens, as the paper)'],
  ['--epsilon <e>', 'clip range low (and high unless --epsilon-high) (default 0.2)'],
  ['--epsilon-high <e>', 'clip range high (default = --epsilon)'],
  ['--beta <b>', 'KL coefficient; 0 loads no reference model (default 0)'],
  ['--scale-rewards <bool>', 'divide advantages by the group std (default false, as the paper)'],
  ['--mask-truncated <bool>', 'leave completions cut at the length limit out of the loss (default false)'],
  ['--micro-batch <n>', 'sequences per forward/backward pass; gradients accumulate (default 8)'],
  ['--reference <dir>', 'reference model for the KL term (default: the starting model)'],
];

export function registerGrpo(program: Command): void {
  const cmd = program
    .command('grpo')
    .description(
      'Target stage: RLVR with GRPO on a small task dataset.\nPaper defaults: G = 10, β = 0, ε = 0.2, lr 1e-6 constant with warmup, AdamW β 0.9/0.99, weight decay 0.1, max grad norm 0.1, temperature 0.7, top_p 0.95, 25 epochs, loss = sum over tokens / total tokens (bnpo), no std scaling.',
    );
  for (const [f, d] of [...commonFlags, ...FLAGS]) cmd.option(f, d);
  cmd.action(async (flags: Record<string, unknown>) => {
    const o = resolveOptions(grpoShape, flags, flags.config as string | undefined);
    // The dataset is validated before any model loads.
    const data = await loadTaskData('--data', o.data, o.task, o.promptStyle, o.limit);
    const run = await openRun(o, 'grpo', { ...o });
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
        `reward ${fmt(m.reward_mean, 3)} acc ${fmt(m.correct_frac, 3)} len ${fmt(m.completion_len_mean, 3)} | gen ${fmt(m.gen_s, 2)}s opt ${fmt(m.opt_s, 2)}s`,
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
        rewards: [
          {
            name: o.task,
            weight: 1,
            minReward: data.task.minReward,
            score: async (i, completion) => {
              const g = await data.task.grade(data.examples[i], completion);
              return { reward: g.reward, correct: g.correct };
            },
          },
        ],
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
