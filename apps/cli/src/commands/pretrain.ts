// `warmup pretrain`: next-token training on a plain-text or JSONL {"text"} corpus with the loss on
// every token — the SFT trainer, optimizer, checkpoints and metrics, each document an example whose
// "prompt" is only its first token (which has nothing to be predicted from).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { asObject, getString, seededSplit } from '@warmup/tasks';
import { trainSft, type SftExample } from '@warmup/train';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { readJsonlFile } from '../files.ts';
import { bool, commonFlags, commonShape, int, resolveOptions } from '../train/options.ts';
import { lossBarFields, loopOptions, openRun, progressBar, saveFinal } from '../train/run.ts';
import { loadTaskData, TASK_NAMES } from '../task-data.ts';
import { evaluateTask } from './sft.ts';

const shape = {
  ...commonShape,
  data: z.string().min(1),
  lr: commonShape.lr.default(3e-3),
  schedule: commonShape.schedule.default('cosine'),
  warmupSteps: int(0, 50),
  weightDecay: commonShape.weightDecay.default(0.01),
  beta1: commonShape.beta1.default(0.9),
  beta2: commonShape.beta2.default(0.95),
  maxGradNorm: z.coerce.number().min(0).default(1),
  epochs: commonShape.epochs.default(1),
  batchSize: int(1, 16),
  gradAccum: int(1, 1),
  maxSeqLen: int(8, 256),
  packing: bool(true),
  evalFraction: z.coerce.number().min(0).max(0.5).default(0.02),
  evalEvery: int(0, 100),
  evalData: z.string().optional(),
  evalTask: z.enum(TASK_NAMES).default('math'),
  evalCount: int(1, 50),
  evalMaxNewTokens: int(1, 96),
};

const FLAGS: [string, string][] = [
  ['--data <file>', 'corpus: JSONL with a "text" field per document, or a plain-text file (one document)'],
  ['--batch-size <n>', 'documents per micro-batch (default 16)'],
  ['--grad-accum <n>', 'micro-batches per optimizer step (default 1)'],
  ['--max-seq-len <n>', 'longer documents are cut into windows of n tokens (default 256)'],
  ['--packing [bool]', 'pack documents into rows of --max-seq-len tokens (default true)'],
  ['--eval-fraction <x>', 'held-out share of documents for eval_loss (default 0.02)'],
  ['--eval-every <n>', 'evaluate every n steps (default 100)'],
  ['--eval-data <file>', 'task data to measure held-out accuracy by greedy decoding while pretraining'],
  ['--eval-task <task>', 'kk | math | mcq | code (default math)'],
  ['--eval-count <n>', 'questions from --eval-data per evaluation (default 50)'],
  ['--eval-max-new-tokens <n>', 'generation budget per evaluation answer (default 96)'],
];

/** Documents of a corpus file: JSONL records' "text", or the whole file as one document. */
export function readCorpus(file: string): string[] {
  if (/\.jsonl$/i.test(file))
    return readJsonlFile('--data', file).map((r) => getString(asObject(r.value, r.where), 'text', r.where));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--data: cannot read ${file}`);
  }
  return text.trim() ? [text] : [];
}

/** A document's ids (EOS-terminated) cut into windows of at most maxLen tokens, each an example
 *  with the loss on all but its first token. */
export function documentExamples(ids: number[], maxLen: number): SftExample[] {
  const out: SftExample[] = [];
  for (let i = 0; i + 1 < ids.length; i += maxLen) {
    const w = ids.slice(i, i + maxLen);
    if (w.length >= 2) out.push({ promptIds: w.slice(0, 1), completionIds: w.slice(1) });
  }
  return out;
}

export function registerPretrain(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description(
      'Next-token pretraining on a text corpus (loss on every token), with the SFT trainer, optimizer and checkpoints.\nMake a toy corpus with `warmup toy corpus`.',
    );
  for (const [f, d] of [...commonFlags, ...FLAGS]) cmd.option(f, d);
  cmd.action(async (flags: Record<string, unknown>) => {
    const o = resolveOptions(shape, flags, flags.config as string | undefined);
    const docs = readCorpus(o.data);
    if (docs.length === 0) throw new UsageError(`--data ${o.data}: no text`);
    const evalData = o.evalData
      ? await loadTaskData('--eval-data', o.evalData, o.evalTask, o.promptStyle, o.evalCount, o.model)
      : undefined;
    const run = await openRun(o, 'sft', { mode: 'pretrain', ...o });
    const tok = run.tokenizer;
    if (!tok) throw new UsageError(`--model ${o.model}: has no tokenizer (tokenizer.json); pretraining needs one`);
    const eos = tok.eosTokenIds[0];
    // Split documents (not windows), so no held-out text is trained on.
    const { train, heldOut } = seededSplit(docs, {
      seed: o.seed,
      trainSize: docs.length - Math.round(docs.length * o.evalFraction),
    });
    const encode = (ds: string[]): SftExample[] =>
      ds.flatMap((d) => documentExamples([...tok.encode(d), eos], o.maxSeqLen));
    const trainEx = encode(train);
    const heldEx = encode(heldOut);
    const tokens = trainEx.reduce((s, e) => s + e.promptIds.length + e.completionIds.length, 0);
    const perStep = o.batchSize * o.gradAccum;
    const maxSteps = o.maxSteps ?? Math.max(1, Math.ceil((o.epochs * trainEx.length) / perStep));
    process.stderr.write(
      `pretrain: ${trainEx.length} train windows (${tokens} tokens) / ${heldEx.length} held out, ${maxSteps} steps, backend ${run.backend}${run.resumed ? `, resuming at step ${run.state.step}` : ''}\n`,
    );
    const bar = progressBar(maxSteps, run.state.step, lossBarFields);
    try {
      await trainSft(run.model, run.optimizer, run.state, trainEx, heldEx, {
        ...loopOptions(o, run, maxSteps, (m) => bar.update(m)),
        batchSize: o.batchSize,
        gradAccum: o.gradAccum,
        padTokenId: tok.padTokenId,
        seed: o.seed,
        bucketWindow: 0,
        packLength: o.packing ? o.maxSeqLen : 0,
        evalEvery: o.evalEvery,
        evaluate: evalData
          ? async (model) => (await evaluateTask(model, tok, evalData, o.evalMaxNewTokens)).metrics
          : undefined,
      });
    } finally {
      bar.stop();
    }
    const final = await saveFinal(o, run);
    process.stderr.write(`pretrain: done at step ${run.state.step}; weights in ${final}\n`);
  });
}
