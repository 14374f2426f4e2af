// `warmup pipeline`: the paper's four-arm experiment as one resumable command — evaluate the
// base model, warm it up on K&K traces (SFT), run RLVR (GRPO) on ≤100 target examples from the
// base and from the warmed-up model, evaluate every arm, and print the comparison table.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import { generateKkPuzzles, KK_TEACHER_STYLES, kkToJsonl, makeKkSftRecords } from '@warmup/tasks';
import { BACKEND_NAMES, EVAL_PAPER, GRPO_SCRATCH, SFT_SCRATCH, type OptionDoc } from '@warmup/train/recipes';
import { UsageError } from '../errors.ts';
import { addOptions, int, resolveOptions } from '../train/options.ts';
import { TASK_NAMES } from '../task-data.ts';

const BIN = fileURLToPath(new URL('../../bin/warmup.js', import.meta.url));

export const pipelineShape = {
  model: z.string().min(1).default('kk-tiny'),
  out: z.string().min(1).default('runs/pipeline'),
  backend: z.enum(BACKEND_NAMES).default('auto'),
  seed: int(0, 0),
  warmupData: z.string().optional(),
  warmupPeople: z.string().default('2..3'),
  warmupCount: int(1, 400),
  traceStyle: z.enum(KK_TEACHER_STYLES).default('short'),
  sftSteps: int(1, 60),
  sftLr: z.coerce.number().positive().default(SFT_SCRATCH.lr!),
  targetTask: z.enum(TASK_NAMES).default('kk'),
  targetData: z.string().optional(),
  targetLimit: int(1, 100),
  grpoSteps: int(1, 10),
  grpoLr: z.coerce.number().positive().default(GRPO_SCRATCH.lr!),
  numGenerations: int(2, 4),
  promptsPerStep: int(1, 2),
  evalData: z.string().optional(),
  evalLimit: int(1, 20),
  samples: int(1, EVAL_PAPER.samples),
  maxNewTokens: int(1, 96),
  promptStyle: z.enum(['r1', 'chat']).default('r1'),
};

/** The pipeline's own options (the shared ones, model/out/backend/seed, are in OPTION_DOCS). */
export const PIPELINE_DOCS: Record<string, OptionDoc> = {
  model: { arg: '<dir|preset>', help: 'base model' },
  out: { arg: '<dir>', help: 'pipeline folder; finished stages are skipped on re-runs' },
  seed: { arg: '<n>', help: 'seed for data, initialisation and sampling' },
  warmupData: { arg: '<file>', help: 'SFT traces (JSONL prompt/completion), by default generated K&K teacher traces' },
  warmupPeople: { arg: '<range>', help: 'K&K sizes for generated traces' },
  warmupCount: { arg: '<n>', help: 'generated K&K puzzles' },
  traceStyle: { arg: '<s>', help: 'long | short | cases teacher traces' },
  sftSteps: { arg: '<n>', help: 'warmup steps' },
  sftLr: { arg: '<x>', help: 'warmup learning rate' },
  targetTask: { arg: '<t>', help: 'kk | math | mcq | code' },
  targetData: { arg: '<file>', help: "RLVR examples in the task's format (default: generated 3-person K&K)" },
  targetLimit: { arg: '<n>', help: 'RLVR examples used', source: 'paper' },
  grpoSteps: { arg: '<n>', help: 'RLVR steps per arm' },
  grpoLr: { arg: '<x>', help: 'RLVR learning rate' },
  numGenerations: { arg: '<G>', help: 'GRPO group size' },
  promptsPerStep: { arg: '<n>', help: 'GRPO prompts per step' },
  evalData: { arg: '<file>', help: 'evaluation questions (default: generated held-out K&K / the target data)' },
  evalLimit: { arg: '<n>', help: 'evaluation questions' },
  samples: { arg: '<n>', help: 'samples per evaluation question', source: 'paper' },
  maxNewTokens: { arg: '<n>', help: 'generation budget in GRPO and evaluation' },
};

export type PipelineOptions = z.infer<z.ZodObject<typeof pipelineShape>>;

const shared = (o: PipelineOptions): string[] => [
  '--backend',
  o.backend,
  '--seed',
  String(o.seed),
  '--prompt-style',
  o.promptStyle,
];

/** `warmup sft` arguments of the warmup arm: the from-scratch recipe (SFT_SCRATCH). */
export function warmupArgs(o: PipelineOptions, base: string, data: string, dir: string): string[] {
  const r = SFT_SCRATCH;
  return [
    ...['sft', '--model', base, '--data', data, '--out', dir, '--max-steps', String(o.sftSteps)],
    ...['--lr', String(o.sftLr), '--schedule', String(r.schedule)],
    ...['--warmup-steps', String(Math.min(r.warmupSteps ?? 0, o.sftSteps)), '--max-grad-norm', String(r.maxGradNorm)],
    ...['--weight-decay', String(r.weightDecay), '--eval-every', '0', '--batch-size', String(r.batchSize)],
    ...shared(o),
  ];
}

/** `warmup grpo` arguments of an RLVR arm: the from-scratch recipe (GRPO_SCRATCH). */
export function rlvrArgs(o: PipelineOptions, from: string, data: string, dir: string): string[] {
  const r = GRPO_SCRATCH;
  return [
    ...['grpo', '--model', from, '--task', o.targetTask, '--data', data, '--limit', String(o.targetLimit)],
    ...['--out', dir, '--max-steps', String(o.grpoSteps), '--lr', String(o.grpoLr)],
    ...['--num-generations', String(o.numGenerations), '--prompts-per-step', String(o.promptsPerStep)],
    ...['--max-completion-length', String(o.maxNewTokens), '--temperature', String(r.temperature)],
    ...['--max-grad-norm', String(r.maxGradNorm), '--warmup-steps', String(r.warmupSteps)],
    ...['--weight-decay', String(r.weightDecay)],
    ...shared(o),
  ];
}

/** `warmup eval` arguments for one arm: the paper's sampling (EVAL_PAPER). */
export function evalArgs(o: PipelineOptions, model: string, data: string, dir: string): string[] {
  return [
    ...['eval', '--model', model, '--task', o.targetTask, '--data', data, '--limit', String(o.evalLimit)],
    ...['--samples', String(o.samples), '--temperature', String(EVAL_PAPER.temperature)],
    ...['--top-p', String(EVAL_PAPER.topP), '--max-new-tokens', String(o.maxNewTokens), '--out', dir],
    ...shared(o),
  ];
}

function step(label: string, args: string[], done: string): void {
  if (existsSync(done)) {
    process.stderr.write(`pipeline: ${label}: done already (${done})\n`);
    return;
  }
  process.stderr.write(`pipeline: ${label}\n  $ warmup ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    const e = new Error(`pipeline: ${label} failed (exit ${r.status}); fix and re-run to continue from here`);
    if (r.status === 2) e.name = 'UsageError';
    throw e;
  }
}

export function registerPipeline(program: Command): void {
  const cmd = program
    .command('pipeline')
    .description(
      'Run the four arms of the paper (base, warmup, base+RLVR, warmup+RLVR) and compare them.\nDefaults are a minutes-long demo on a from-scratch preset; pass a real checkpoint and target data for the real thing.',
    );
  addOptions(cmd, pipelineShape, PIPELINE_DOCS);
  cmd.action((flags: Record<string, unknown>) => {
    const o = resolveOptions(pipelineShape, flags, flags.config as string | undefined);
    for (const [flag, file] of [
      ['--warmup-data', o.warmupData],
      ['--target-data', o.targetData],
      ['--eval-data', o.evalData],
    ] as const) {
      if (file && !existsSync(file)) throw new UsageError(`${flag}: no such file: ${file}`);
    }
    if (o.targetTask !== 'kk' && !o.targetData)
      throw new UsageError(`--target-data is required for --target-task ${o.targetTask}`);
    const out = path.resolve(o.out);
    const data = path.join(out, 'data');
    mkdirSync(data, { recursive: true });
    const people = o.warmupPeople.split('..').map(Number);
    const range =
      people.length === 2 ? Array.from({ length: people[1] - people[0] + 1 }, (_, i) => people[0] + i) : people;
    if (range.some((n) => !Number.isInteger(n) || n < 2 || n > 8))
      throw new UsageError(`--warmup-people must be N or A..B within 2..8, got "${o.warmupPeople}"`);
    const warmupData = o.warmupData ?? path.join(data, 'warmup-sft.jsonl');
    if (!o.warmupData && !existsSync(warmupData)) {
      const puzzles = generateKkPuzzles({ people: range, count: o.warmupCount, seed: o.seed + 1 });
      writeFileSync(
        warmupData,
        makeKkSftRecords(puzzles, o.promptStyle, { style: o.traceStyle })
          .map((r) => JSON.stringify(r))
          .join('\n') + '\n',
      );
    }
    // Default target: 3-person K&K (a size the warmup data may not cover); evaluation on other puzzles.
    const targetData = o.targetData ?? path.join(data, 'target.jsonl');
    const evalData = o.evalData ?? (o.targetData ? o.targetData : path.join(data, 'eval.jsonl'));
    if (!o.targetData && !existsSync(targetData)) {
      const ps = generateKkPuzzles({ people: [3], count: o.targetLimit + o.evalLimit, seed: o.seed + 2 });
      writeFileSync(targetData, kkToJsonl(ps.slice(0, o.targetLimit)));
      if (!o.evalData) writeFileSync(evalData, kkToJsonl(ps.slice(o.targetLimit)));
    }
    const base = o.model;
    const warm = path.join(out, 'warmup', 'final');
    step(
      'warmup (SFT on K&K traces)',
      warmupArgs(o, base, warmupData, path.join(out, 'warmup')),
      path.join(warm, 'config.json'),
    );
    const grpo = (from: string, dir: string): string[] => rlvrArgs(o, from, targetData, dir);
    step(
      'base + RLVR (GRPO from the base model)',
      grpo(base, path.join(out, 'base-rlvr')),
      path.join(out, 'base-rlvr', 'final', 'config.json'),
    );
    step(
      'warmup + RLVR (GRPO from the warmed-up model)',
      grpo(warm, path.join(out, 'warmup-rlvr')),
      path.join(out, 'warmup-rlvr', 'final', 'config.json'),
    );
    const arms: [string, string][] = [
      ['base', base],
      ['warmup', warm],
      ['base-rlvr', path.join(out, 'base-rlvr', 'final')],
      ['warmup-rlvr', path.join(out, 'warmup-rlvr', 'final')],
    ];
    for (const [name, model] of arms) {
      step(
        `evaluate ${name}`,
        evalArgs(o, model, evalData, path.join(out, 'eval', name)),
        path.join(out, 'eval', name, 'report.json'),
      );
    }
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'eval',
        'compare',
        ...arms.map(([n]) => path.join(out, 'eval', n)),
        '--labels',
        arms.map(([n]) => n).join(','),
        '--out',
        path.join(out, 'compare'),
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`pipeline: compare failed: ${r.stderr}`);
    process.stdout.write(r.stdout);
    process.stderr.write(`pipeline: done; tables and charts in ${path.join(out, 'compare')}\n`);
  });
}
