// `warmup sft`: completion-only fine-tuning on JSONL {prompt, completion} records (the warmup
// stage), with held-out loss and optional held-out task accuracy in metrics.jsonl.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { asObject, getString, seededSplit } from '@warmup/tasks';
import { encodeSftRecords, evaluateTask, SFT_PAPER, trainSft, type TaskEvaluation } from '@warmup/train';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { readJsonlFile } from '../files.ts';
import { addOptions, bool, commonShape, int, optimShape, resolveOptions } from '../train/options.ts';
import { applyPresetRecipe } from '../train/preset-recipe.ts';
import { lossBarFields, loopOptions, openRun, progressBar, saveFinal } from '../train/run.ts';
import { longestTokens } from '../memory-check.ts';
import { loadTaskData, TASK_NAMES } from '../task-data.ts';

const R = SFT_PAPER;
export const sftShape = {
  ...commonShape,
  data: z.string().min(1),
  ...optimShape(R),
  batchSize: int(1, R.batchSize),
  gradAccum: int(1, R.gradAccum),
  maxSeqLen: int(8, R.maxSeqLen),
  bucketWindow: int(0, 8),
  packing: bool(false),
  evalFraction: z.coerce.number().min(0).max(0.5).default(0.05),
  evalEvery: int(0, 50),
  evalData: z.string().optional(),
  evalTask: z.enum(TASK_NAMES).default('kk'),
  evalCount: int(1, 50),
  evalMaxNewTokens: int(1, 1024),
};

export const SFT_DOCS = {
  data: {
    arg: '<file>',
    help: 'JSONL with prompt and completion fields (e.g. from `warmup kk generate --with-trace`)',
  },
};

export function registerSft(program: Command): void {
  const cmd = program
    .command('sft')
    .description(
      "Warmup stage: supervised fine-tuning with the loss on completion tokens only.\nDefaults are the paper's (docs/METHOD.md); a fresh preset uses its own recommended settings.",
    );
  addOptions(cmd, sftShape, SFT_DOCS);
  cmd.action(async (flags: Record<string, unknown>) => {
    const o = resolveOptions(sftShape, flags, flags.config as string | undefined);
    applyPresetRecipe('sft', o, flags, sftShape);
    // Validate every input file before the model loads.
    const records = readJsonlFile('--data', o.data).map((r) => {
      const obj = asObject(r.value, r.where);
      return { prompt: getString(obj, 'prompt', r.where), completion: getString(obj, 'completion', r.where) };
    });
    if (records.length === 0) throw new UsageError(`--data ${o.data}: no records`);
    const evalData = o.evalData
      ? await loadTaskData('--eval-data', o.evalData, o.evalTask, o.promptStyle, o.evalCount, o.model)
      : undefined;

    const run = await openRun(o, 'sft', { ...o }, (tok) => ({
      command: 'sft',
      batchSize: o.batchSize,
      gradAccum: o.gradAccum,
      seqLen: o.packing
        ? o.maxSeqLen
        : longestTokens(
            tok,
            records.map((r) => r.prompt + r.completion),
            o.maxSeqLen,
          ),
    }));
    const tok = run.tokenizer;
    if (!tok) throw new UsageError(`--model ${o.model}: has no tokenizer (tokenizer.json); SFT on text needs one`);
    const { examples: all, dropped } = encodeSftRecords(records, tok, o.maxSeqLen);
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
    const bar = progressBar(maxSteps, run.state.step, lossBarFields);
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

/** Greedy held-out task evaluation (the shared hook in @warmup/train; pretrain imports it here). */
export { evaluateTask, type TaskEvaluation };
