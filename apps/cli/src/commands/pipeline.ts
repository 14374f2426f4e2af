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
import { UsageError } from '../errors.ts';
import { int, resolveOptions } from '../train/options.ts';
import { TASK_NAMES } from '../task-data.ts';

const BIN = fileURLToPath(new URL('../../bin/warmup.js', import.meta.url));

const shape = {
  model: z.string().min(1).default('kk-tiny'),
  out: z.string().min(1).default('runs/pipeline'),
  backend: z.enum(['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow']).default('auto'),
  seed: int(0, 0),
  warmupData: z.string().optional(),
  warmupPeople: z.string().default('2..3'),
  warmupCount: int(1, 400),
  traceStyle: z.enum(KK_TEACHER_STYLES).default('short'),
  sftSteps: int(1, 60),
  sftLr: z.coerce.number().positive().default(3e-3),
  targetTask: z.enum(TASK_NAMES).default('kk'),
  targetData: z.string().optional(),
  targetLimit: int(1, 100),
  grpoSteps: int(1, 10),
  grpoLr: z.coerce.number().positive().default(1e-4),
  numGenerations: int(2, 4),
  promptsPerStep: int(1, 2),
  evalData: z.string().optional(),
  evalLimit: int(1, 20),
  samples: int(1, 4),
  maxNewTokens: int(1, 96),
  promptStyle: z.enum(['r1', 'chat']).default('r1'),
};

const FLAGS: [string, string][] = [
  ['--model <dir|preset>', 'base model (default kk-tiny, a from-scratch preset)'],
  ['--out <dir>', 'pipeline folder (default runs/pipeline); finished stages are skipped on re-runs'],
  ['--backend <name>', 'auto | webgpu | wasm | cpu | tensorflow'],
  ['--seed <n>', 'seed for data, initialisation and sampling (default 0)'],
  ['--warmup-data <file>', 'SFT traces (JSONL prompt/completion); default: generated K&K teacher traces'],
  ['--warmup-people <range>', 'K&K sizes for generated traces (default 2..3)'],
  ['--warmup-count <n>', 'generated K&K puzzles (default 400)'],
  ['--trace-style <s>', 'long | short | cases teacher traces (default short)'],
  ['--sft-steps <n>', 'warmup steps (default 60)'],
  ['--sft-lr <x>', 'warmup learning rate (default 3e-3, for from-scratch presets)'],
  ['--target-task <t>', 'kk | math | mcq | code (default kk)'],
  ['--target-data <file>', "RLVR examples in the task's format (default: generated 3-person K&K)"],
  ['--target-limit <n>', 'RLVR examples used (default 100, the paper)'],
  ['--grpo-steps <n>', 'RLVR steps per arm (default 10)'],
  ['--grpo-lr <x>', 'RLVR learning rate (default 1e-4)'],
  ['--num-generations <G>', 'GRPO group size (default 4)'],
  ['--prompts-per-step <n>', 'GRPO prompts per step (default 2)'],
  ['--eval-data <file>', 'evaluation questions (default: generated held-out K&K / the target data)'],
  ['--eval-limit <n>', 'evaluation questions (default 20)'],
  ['--samples <n>', 'samples per evaluation question (default 4)'],
  ['--max-new-tokens <n>', 'generation budget in GRPO and evaluation (default 96)'],
  ['--prompt-style <s>', 'r1 | chat (default r1)'],
  ['--config <file>', 'JSON or YAML file with any of these options'],
];

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
  for (const [f, d] of FLAGS) cmd.option(f, d);
  cmd.action((flags: Record<string, unknown>) => {
    const o = resolveOptions(shape, flags, flags.config as string | undefined);
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
    const common = ['--backend', o.backend, '--seed', String(o.seed), '--prompt-style', o.promptStyle];
    const base = o.model;
    const warm = path.join(out, 'warmup', 'final');
    step(
      'warmup (SFT on K&K traces)',
      [
        'sft',
        '--model',
        base,
        '--data',
        warmupData,
        '--out',
        path.join(out, 'warmup'),
        '--max-steps',
        String(o.sftSteps),
        '--lr',
        String(o.sftLr),
        '--schedule',
        'cosine',
        '--warmup-steps',
        String(Math.min(10, o.sftSteps)),
        '--max-grad-norm',
        '1',
        '--weight-decay',
        '0.01',
        '--eval-every',
        '0',
        '--batch-size',
        '8',
        ...common,
      ],
      path.join(warm, 'config.json'),
    );
    const grpo = (from: string, dir: string): string[] => [
      'grpo',
      '--model',
      from,
      '--task',
      o.targetTask,
      '--data',
      targetData,
      '--limit',
      String(o.targetLimit),
      '--out',
      dir,
      '--max-steps',
      String(o.grpoSteps),
      '--lr',
      String(o.grpoLr),
      '--num-generations',
      String(o.numGenerations),
      '--prompts-per-step',
      String(o.promptsPerStep),
      '--max-completion-length',
      String(o.maxNewTokens),
      '--temperature',
      '1',
      '--max-grad-norm',
      '1',
      '--warmup-steps',
      '0',
      '--weight-decay',
      '0',
      ...common,
    ];
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
        [
          'eval',
          '--model',
          model,
          '--task',
          o.targetTask,
          '--data',
          evalData,
          '--limit',
          String(o.evalLimit),
          '--samples',
          String(o.samples),
          '--temperature',
          '0.7',
          '--top-p',
          '0.95',
          '--max-new-tokens',
          String(o.maxNewTokens),
          '--out',
          path.join(out, 'eval', name),
          ...common,
        ],
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
