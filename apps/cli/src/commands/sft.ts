// `warmup sft`: completion-only fine-tuning on JSONL {prompt, completion} records (the warmup
// stage), with held-out loss and optional held-out task accuracy in metrics.jsonl.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generate, type Qwen2Model, type TextTokenizer } from '@warmup/core';
import { asObject, getString, seededSplit } from '@warmup/tasks';
import { fitExample, trainSft, type SftExample } from '@warmup/train';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { readJsonlFile } from '../files.ts';
import { bool, commonFlags, commonShape, int, resolveOptions } from '../train/options.ts';
import { fmt, loopOptions, openRun, progressBar, saveFinal } from '../train/run.ts';
import { loadTaskData, TASK_NAMES, type TaskData } from '../task-data.ts';

const sftShape = {
  ...commonShape,
  data: z.string().min(1),
  lr: commonShape.lr.default(1e-6),
  weightDecay: commonShape.weightDecay.default(1e-4),
  beta1: commonShape.beta1.default(0.9),
  beta2: commonShape.beta2.default(0.95),
  epochs: commonShape.epochs.default(3),
  batchSize: int(1, 4),
  gradAccum: int(1, 1),
  maxSeqLen: int(8, 2048),
  bucketWindow: int(0, 8),
  packing: bool(false),
  evalFraction: z.coerce.number().min(0).max(0.5).default(0.05),
  evalEvery: int(0, 50),
  evalData: z.string().optional(),
  evalTask: z.enum(TASK_NAMES).default('kk'),
  evalCount: int(1, 50),
  evalMaxNewTokens: int(1, 1024),
};

const FLAGS: [string, string][] = [
  ['--data <file>', 'JSONL with prompt and completion fields (e.g. from `warmup kk generate --with-trace`)'],
  ['--batch-size <n>', 'sequences per micro-batch (default 4)'],
  ['--grad-accum <n>', 'micro-batches per optimizer step (default 1)'],
  ['--max-seq-len <n>', 'truncate prompt+completion to n tokens (default 2048)'],
  ['--bucket-window <n>', 'sort windows of n batches by length to cut padding; 0 = off (default 8)'],
  [
    '--packing [bool]',
    'pack each micro-batch into rows of up to --max-seq-len tokens (attention stays within each example)',
  ],
  ['--eval-fraction <x>', 'held-out share of --data for eval_loss (default 0.05)'],
  ['--eval-every <n>', 'evaluate every n steps (default 50)'],
  ['--eval-data <file>', 'task data (e.g. K&K puzzles) to measure held-out accuracy by greedy decoding'],
  ['--eval-task <task>', 'kk | math | mcq | code (default kk)'],
  ['--eval-count <n>', 'questions from --eval-data per evaluation (default 50)'],
  ['--eval-max-new-tokens <n>', 'generation budget per evaluation answer (default 1024)'],
];

export function registerSft(program: Command): void {
  const cmd = program
    .command('sft')
    .description(
      'Warmup stage: supervised fine-tuning with the loss on completion tokens only.\nPaper defaults: AdamW β 0.9/0.95, weight decay 1e-4, lr 1e-6 constant with 25 warmup steps, max grad norm 0.1, 3 epochs.',
    );
  for (const [f, d] of [...commonFlags, ...FLAGS]) cmd.option(f, d);
  cmd.action(async (flags: Record<string, unknown>) => {
    const o = resolveOptions(sftShape, flags, flags.config as string | undefined);
    // Validate every input file before the model loads.
    const records = readJsonlFile('--data', o.data).map((r) => {
      const obj = asObject(r.value, r.where);
      return { prompt: getString(obj, 'prompt', r.where), completion: getString(obj, 'completion', r.where) };
    });
    if (records.length === 0) throw new UsageError(`--data ${o.data}: no records`);
    const evalData = o.evalData
      ? await loadTaskData('--eval-data', o.evalData, o.evalTask, o.promptStyle, o.evalCount)
      : undefined;

    const run = await openRun(o, 'sft', { ...o });
    const tok = run.tokenizer;
    if (!tok) throw new UsageError(`--model ${o.model}: has no tokenizer (tokenizer.json); SFT on text needs one`);
    const eos = tok.eosTokenIds[0];
    let dropped = 0;
    const all: SftExample[] = [];
    for (const r of records) {
      const e = fitExample(
        { promptIds: tok.encode(r.prompt), completionIds: [...tok.encode(r.completion), eos] },
        o.maxSeqLen,
      );
      if (e) all.push(e);
      else dropped++;
    }
    if (all.length === 0)
      throw new UsageError(`--data ${o.data}: every prompt is longer than --max-seq-len ${o.maxSeqLen}`);
    const { train, heldOut } = seededSplit(all, {
      seed: o.seed,
      trainSize: all.length - Math.round(all.length * o.evalFraction),
    });
    const perStep = o.batchSize * o.gradAccum;
    const maxSteps = o.maxSteps ?? Math.max(1, Math.ceil((o.epochs * train.length) / perStep));
    process.stderr.write(
      `sft: ${train.length} train / ${heldOut.length} held-out examples${dropped ? ` (${dropped} dropped: prompt too long)` : ''}, ${maxSteps} steps, backend ${run.backend}${run.resumed ? `, resuming at step ${run.state.step}` : ''}\n`,
    );
    const bar = progressBar(
      maxSteps,
      run.state.step,
      (m) =>
        `loss ${fmt(m.loss)}${m.eval_loss !== undefined ? ` eval ${fmt(m.eval_loss)}` : ''}${m.eval_accuracy !== undefined ? ` acc ${fmt(m.eval_accuracy, 3)}` : ''} | ${fmt(m.tokens_per_s, 3)} tok/s`,
    );
    try {
      await trainSft(run.model, run.optimizer, run.state, train, heldOut, {
        ...loopOptions(o, run, maxSteps, (m) => bar.update(m)),
        batchSize: o.batchSize,
        gradAccum: o.gradAccum,
        padTokenId: tok.padTokenId,
        seed: o.seed,
        bucketWindow: o.bucketWindow,
        packLength: o.packing ? o.maxSeqLen : 0,
        evalEvery: o.evalEvery,
        evaluate: evalData
          ? async (model, step) => {
              const r = await evaluateTask(model, tok, evalData, o.evalMaxNewTokens);
              // A few decoded answers per evaluation, to read what the model actually writes.
              appendFileSync(
                path.join(o.out, 'samples.jsonl'),
                r.samples
                  .slice(0, 4)
                  .map((x) => JSON.stringify({ step, ...x }) + '\n')
                  .join(''),
              );
              return r.metrics;
            }
          : undefined,
      });
    } finally {
      bar.stop();
    }
    const final = await saveFinal(o, run);
    process.stderr.write(
      `sft: done at step ${run.state.step}; weights in ${final}, metrics in ${path.join(o.out, 'metrics.jsonl')}\n`,
    );
  });
}

export interface TaskEvaluation {
  metrics: Record<string, number>;
  samples: { id: string; completion: string; correct: boolean; reward: number }[];
}

/** Greedy answers to held-out task questions, graded: accuracy, format rate and mean reward. */
export async function evaluateTask(
  model: Qwen2Model,
  tok: TextTokenizer,
  data: TaskData,
  maxNewTokens: number,
  batch = 24,
): Promise<TaskEvaluation> {
  const samples: TaskEvaluation['samples'] = [];
  let correct = 0;
  let format = 0;
  let reward = 0;
  for (let i = 0; i < data.examples.length; i += batch) {
    const ids = data.prompts.slice(i, i + batch).map((p) => tok.encode(p));
    const out = await generate(model, ids, {
      greedy: true,
      maxNewTokens,
      eosTokenIds: tok.eosTokenIds,
      padTokenId: tok.padTokenId,
    });
    for (let j = 0; j < out.tokens.length; j++) {
      const completion = tok.decode(out.tokens[j], true);
      const g = await data.task.grade(data.examples[i + j], completion);
      samples.push({ id: data.examples[i + j].id, completion, correct: g.correct, reward: g.reward });
      correct += g.correct ? 1 : 0;
      format += g.formatOk ? 1 : 0;
      reward += g.reward;
    }
  }
  const n = data.examples.length;
  return { metrics: { eval_accuracy: correct / n, eval_format_ok: format / n, eval_reward: reward / n }, samples };
}
