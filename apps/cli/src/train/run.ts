// The run folder shared by `warmup sft` and `warmup grpo`: fresh start or --resume from
// <out>/checkpoint, metrics.jsonl, a progress bar, Ctrl-C that checkpoints, and <out>/final.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import {
  attachLora,
  loraParamCounts,
  mergeLora,
  saveModel,
  type LoraConfig,
  type Qwen2Model,
  type TextTokenizer,
} from '@warmup/core';
import { folderStore, openMetricsLog, recoverDirSwap, writeModelFolder, type MetricsLog } from '@warmup/node';
import {
  adamwOf,
  newOptimizer,
  newTrainerState,
  parseTrainerState,
  readCheckpoint,
  scheduleOf,
  type AdamW,
  type CheckpointStore,
  type LoopOptions,
  type TrainerState,
} from '@warmup/train';
import { UsageError } from '../errors.ts';
import { resolveModel, useBackendFlag } from '../model-spec.ts';
import { checkRunMemory } from '../memory-check.ts';
import { checkTrainOptions } from './check-options.ts';
import type { CommonOptions } from './options.ts';

export interface Run {
  model: Qwen2Model;
  tokenizer?: TextTokenizer;
  optimizer: AdamW;
  state: TrainerState;
  store: CheckpointStore;
  log: MetricsLog;
  backend: string;
  resumed: boolean;
  extraFiles: Record<string, string>;
}

/** Check the run folder before anything heavy happens. */
export function checkRunFolder(o: CommonOptions): void {
  const dir = path.join(o.out, 'checkpoint');
  // a crash between the two renames of a checkpoint swap leaves no checkpoint/ but whole copies
  const fixed = recoverDirSwap(dir);
  if (fixed) process.stderr.write(`checkpoint: ${fixed} an interrupted checkpoint write in ${dir}\n`);
  const ckpt = path.join(dir, 'trainer_state.json');
  const metrics = path.join(o.out, 'metrics.jsonl');
  const hasMetrics = existsSync(metrics) && statSync(metrics).size > 0;
  if (o.resume && !existsSync(ckpt))
    throw new UsageError(
      `--resume: no checkpoint in ${dir}${hasMetrics ? ' (the run stopped before its first checkpoint; choose another --out or delete this one)' : ''}`,
    );
  // a truncated or hand-edited state is refused before any output is touched
  if (o.resume) parseTrainerState(readFileSync(ckpt, 'utf8'), ckpt);
  if (!o.resume && existsSync(ckpt))
    throw new UsageError(`--out ${o.out} already holds a run; pass --resume to continue it or choose another --out`);
  // never truncate the metrics of an earlier run that had no checkpoint yet
  if (!o.resume && hasMetrics)
    throw new UsageError(`--out ${o.out} holds metrics.jsonl of an earlier run; choose another --out or delete it`);
}

export async function openRun(
  o: CommonOptions,
  kind: 'sft' | 'grpo',
  settings: Record<string, unknown>,
  memory?: Parameters<typeof checkRunMemory>[2],
): Promise<Run> {
  checkTrainOptions(o);
  checkRunFolder(o);
  const backend = await useBackendFlag(o.backend);
  // Refuse before loading when the plan does not fit the backend.
  if (memory) await checkRunMemory(o, backend, memory);
  const base = await resolveModel(o.model, { seed: o.seed });
  const optimizer = newOptimizer(adamwOf(o));
  const store = folderStore(path.join(o.out, 'checkpoint'));
  let model = base.model;
  let state: TrainerState = newTrainerState(kind, o.seed);
  const src = o.resume ? await store.open() : undefined;
  if (src) {
    base.model.dispose();
    const r = await readCheckpoint(src, optimizer);
    model = r.model;
    state = r.state;
    if (state.kind !== kind) throw new UsageError(`--resume: ${o.out} holds a ${state.kind} run, not ${kind}`);
    const had = describeLora(model.lora?.config);
    const want = describeLora(loraConfig(o));
    if (had !== want)
      throw new UsageError(`--resume: ${o.out} was trained with ${had}, not ${want}; pass the same --lora-* options`);
  } else {
    const lora = loraConfig(o);
    if (lora) attachLora(model, { ...lora, seed: o.seed });
  }
  if (model.lora) {
    const n = loraParamCounts(model);
    process.stderr.write(
      `lora: rank ${model.lora.config.rank}, alpha ${model.lora.config.alpha} on ${model.lora.config.targets.join(',')}: ${n.adapter} trainable parameters (${((100 * n.adapter) / n.base).toPrecision(3)}% of the frozen ${n.base})\n`,
    );
  }
  // settings.json and metrics.jsonl appear with the first finished step: a failure while starting
  // (a bad reference model, no tokenizer, out of memory in step 1) leaves no outputs behind, and
  // on --resume the earlier metrics are only cut back to the checkpoint once training goes on
  const resumeStep = src ? state.step : undefined;
  let opened: MetricsLog | undefined;
  const log: MetricsLog = {
    write(record) {
      if (!opened) {
        mkdirSync(o.out, { recursive: true });
        writeFileSync(
          path.join(o.out, 'settings.json'),
          JSON.stringify({ kind, backend, model_source: base.source, ...settings }, null, 2) + '\n',
        );
        opened = openMetricsLog(path.join(o.out, 'metrics.jsonl'), resumeStep);
      }
      opened.write(record);
    },
  };
  return {
    model,
    tokenizer: base.tokenizer,
    optimizer,
    state,
    store,
    log,
    backend,
    resumed: !!src,
    extraFiles: base.tokenizer?.files() ?? {},
  };
}

/** The LoRA settings the flags ask for, or undefined for full fine-tuning. */
export function loraConfig(o: CommonOptions): LoraConfig | undefined {
  if (o.loraRank <= 0) return undefined;
  return { rank: o.loraRank, alpha: o.loraAlpha ?? 2 * o.loraRank, dropout: o.loraDropout, targets: o.loraTargets };
}

function describeLora(c: LoraConfig | undefined): string {
  return c
    ? `LoRA rank ${c.rank}, alpha ${c.alpha}, dropout ${c.dropout}, targets ${[...c.targets].sort().join(',')}`
    : 'full fine-tuning (no LoRA)';
}

/** Loop options shared by both trainers, with metrics going to the log and the progress bar. */
export function loopOptions(
  o: CommonOptions,
  run: Run,
  maxSteps: number,
  onLine: (m: Record<string, number>) => void,
): LoopOptions {
  let stop = false;
  process.once('SIGINT', () => {
    stop = true;
    process.stderr.write('\nstopping after this step (checkpoint will be saved)…\n');
  });
  return {
    maxSteps,
    schedule: scheduleOf(o, maxSteps),
    maxGradNorm: o.maxGradNorm,
    checkpointEvery: o.checkpointEvery,
    maxBadSteps: o.maxBadSteps,
    store: run.store,
    extraFiles: run.extraFiles,
    onMetrics: (m) => {
      run.log.write(m);
      onLine(m);
    },
    shouldStop: () => stop,
  };
}

/** The progress line of a next-token trainer (sft, pretrain): loss, held-out figures, speed. */
export const lossBarFields = (m: Record<string, number>): string =>
  `loss ${fmt(m.loss)}${m.eval_loss !== undefined ? ` eval ${fmt(m.eval_loss)}` : ''}${m.eval_accuracy !== undefined ? ` acc ${fmt(m.eval_accuracy, 3)}` : ''} | ${fmt(m.tokens_per_s, 3)} tok/s`;

/** A progress bar on a terminal; one plain line every ~5% otherwise (CI logs). */
export function progressBar(
  total: number,
  start: number,
  fields: (m: Record<string, number>) => string,
): { update(m: Record<string, number>): void; stop(): void } {
  const tty = process.stderr.isTTY;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: 'step {value}/{total} |{bar}| {fields} | ETA {eta_formatted}',
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(total, start, { fields: '' });
  const every = Math.max(1, Math.round(total / 20));
  const t0 = Date.now();
  return {
    update(m) {
      if (bar) bar.update(m.step, { fields: fields(m) });
      else if (m.step % every === 0 || m.step === total) {
        const done = m.step - start;
        const eta = done > 0 ? (((Date.now() - t0) / done) * (total - m.step)) / 1000 : 0;
        process.stderr.write(`step ${m.step}/${total} | ${fields(m)} | ETA ${eta.toFixed(0)}s\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

/** Write the final weights as a Hugging Face folder (config, safetensors, tokenizer); LoRA
 *  adapters are merged into the base weights first (they stay in checkpoint/ as a PEFT adapter). */
export async function saveFinal(o: CommonOptions, run: Run): Promise<string> {
  const dir = path.join(o.out, 'final');
  if (run.model.lora) mergeLora(run.model);
  await writeModelFolder(dir, (sink) => saveModel(run.model, sink, run.extraFiles));
  return dir;
}

export function fmt(x: number | undefined, digits = 4): string {
  return x === undefined || !Number.isFinite(x) ? '-' : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits);
}
