// `warmup pipeline`: the paper's four-arm experiment as one resumable command — evaluate the
// base model, warm it up on K&K traces (SFT), run RLVR (GRPO) on ≤100 target examples from the
// base and from the warmed-up model, evaluate every arm on the target domain and across domains,
// and print the comparison. The defaults are the toy experiment of ../toy-experiment.ts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  generateKkPuzzles,
  generateToy,
  KK_TEACHER_STYLES,
  kkToJsonl,
  makeKkSftRecords,
  TOY_DOMAINS,
  type ToyDomain,
} from '@warmup/tasks';
import { BACKEND_NAMES, EVAL_PAPER, GRPO_SCRATCH, SFT_SCRATCH, type OptionDoc } from '@warmup/train/recipes';
import { recoverDirSwap } from '@warmup/node';
import { checkpointChatTemplate } from '../chat-template.ts';
import { UsageError } from '../errors.ts';
import { addOptions, bool, int, resolveOptions } from '../train/options.ts';
import { TASK_NAMES } from '../task-data.ts';
import { STAGE_SECONDS, TOY_EXPERIMENT as X } from '../toy-experiment.ts';

const BIN = fileURLToPath(new URL('../../bin/warmup.js', import.meta.url));

export const pipelineShape = {
  model: z.string().min(1).default(X.model),
  out: z.string().min(1).default('runs/pipeline'),
  backend: z.enum(BACKEND_NAMES).default('auto'),
  seed: int(0, X.seed),
  warmupData: z.string().optional(),
  warmupPeople: z.string().default(X.warmup.people),
  warmupCount: int(1, X.warmup.count),
  traceStyle: z.enum(KK_TEACHER_STYLES).default(X.warmup.traceStyle),
  sftSteps: int(1, X.warmup.steps),
  sftLr: z.coerce.number().positive().default(X.warmup.lr),
  targetTask: z.enum(TASK_NAMES).default(X.target.task),
  targetData: z.string().optional(),
  targetLimit: int(1, X.target.limit),
  grpoSteps: int(1, X.grpo.steps),
  grpoLr: z.coerce.number().positive().default(X.grpo.lr),
  numGenerations: int(2, X.grpo.numGenerations),
  promptsPerStep: int(1, X.grpo.promptsPerStep),
  evalData: z.string().optional(),
  evalLimit: int(1, X.eval.limit),
  samples: int(1, EVAL_PAPER.samples),
  maxNewTokens: int(1, X.eval.maxNewTokens),
  crossTasks: z.string().default(X.cross.tasks),
  crossLimit: int(1, X.cross.limit),
  crossSamples: int(1, X.cross.samples),
  promptStyle: z.enum(['r1', 'chat']).default(X.promptStyle),
  force: bool(false),
};

/** The pipeline's own options (the shared ones, out/backend/seed, are in OPTION_DOCS). */
export const PIPELINE_DOCS: Record<string, OptionDoc> = {
  model: { arg: '<dir|preset>', help: 'base model folder or preset; the default is the shipped toy base' },
  out: { arg: '<dir>', help: 'pipeline folder; finished stages are skipped on re-runs' },
  seed: { arg: '<n>', help: 'seed for data, initialisation and sampling' },
  warmupData: { arg: '<file>', help: 'SFT traces (JSONL prompt/completion), by default generated K&K teacher traces' },
  warmupPeople: { arg: '<range>', help: 'K&K sizes for generated traces' },
  warmupCount: { arg: '<n>', help: 'generated K&K puzzles' },
  traceStyle: { arg: '<s>', help: 'long | short | cases teacher traces' },
  sftSteps: { arg: '<n>', help: 'warmup steps' },
  sftLr: { arg: '<x>', help: 'warmup learning rate' },
  targetTask: { arg: '<t>', help: 'kk | math | mcq | code (toy domains are generated when --target-data is absent)' },
  targetData: {
    arg: '<file>',
    help: "RLVR examples in the task's format (default: the toy domain's train split, or 3-person K&K)",
  },
  targetLimit: { arg: '<n>', help: 'RLVR examples used', source: 'paper' },
  grpoSteps: { arg: '<n>', help: 'RLVR steps per arm' },
  grpoLr: { arg: '<x>', help: 'RLVR learning rate' },
  numGenerations: { arg: '<G>', help: 'GRPO group size' },
  promptsPerStep: { arg: '<n>', help: 'GRPO prompts per step' },
  evalData: {
    arg: '<file>',
    help: "evaluation questions (default: the toy domain's held-out test split / the target data)",
  },
  evalLimit: { arg: '<n>', help: 'evaluation questions' },
  samples: { arg: '<n>', help: 'samples per evaluation question', source: 'paper' },
  maxNewTokens: { arg: '<n>', help: 'generation budget in GRPO and evaluation' },
  crossTasks: { arg: '<list>', help: 'toy domains evaluated across domains after single-domain RLVR, or none' },
  crossLimit: { arg: '<n>', help: 'questions per cross-domain evaluation' },
  crossSamples: { arg: '<n>', help: 'samples per cross-domain question' },
  force: { arg: '', help: 'redo finished stages whose settings changed (and the stages that depend on them)' },
};

export type PipelineOptions = z.infer<z.ZodObject<typeof pipelineShape>>;
type Options = PipelineOptions;

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

/** `warmup eval` arguments for one arm on one domain: the paper's sampling (EVAL_PAPER). */
export function evalArgs(
  o: PipelineOptions,
  model: string,
  data: string,
  dir: string,
  d: { task?: string; limit?: number; samples?: number; reference?: string } = {},
): string[] {
  return [
    ...['eval', '--model', model, '--task', d.task ?? o.targetTask, '--data', data],
    ...['--limit', String(d.limit ?? o.evalLimit), '--samples', String(d.samples ?? o.samples)],
    ...['--temperature', String(EVAL_PAPER.temperature), '--top-p', String(EVAL_PAPER.topP)],
    ...['--max-new-tokens', String(o.maxNewTokens), '--batch-size', String(X.eval.batchSize), '--out', dir],
    ...(d.reference ? ['--reference', d.reference] : []),
    ...shared(o),
  ];
}

interface Stage {
  id: string;
  label: string;
  kind: keyof typeof STAGE_SECONDS;
  /** `warmup` arguments, or the data settings for the in-process data stage. */
  args: string[];
  /** Folder the stage writes (removed when it is redone). */
  dir: string;
  /** File that exists once the stage finished. */
  done: string;
  deps: string[];
  run?: () => void;
}

const ARMS = ['base', 'warmup', 'base-rlvr', 'warmup-rlvr'] as const;

/** How to restart a training stage that did not finish: from its checkpoint (`--resume`), or, when
 *  it stopped before its first checkpoint, from scratch in an emptied folder (the pipeline owns it,
 *  and `warmup sft|grpo` refuse a folder holding an earlier run's metrics). */
export function restartArgs(dir: string): string[] {
  // an interrupted checkpoint swap leaves whole copies beside checkpoint/: put one back first
  recoverDirSwap(path.join(dir, 'checkpoint'));
  if (existsSync(path.join(dir, 'checkpoint', 'trainer_state.json'))) return ['--resume'];
  rmSync(dir, { recursive: true, force: true });
  return [];
}

/** Flag → value of an argument list, for naming what changed between two runs of a stage. */
function flagMap(args: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('--')) m.set(`#${i}`, args[i]);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) m.set(args[i], args[++i]);
    else m.set(args[i], 'true');
  }
  return m;
}

export function settingsDiff(before: readonly string[], after: readonly string[]): string[] {
  const a = flagMap(before);
  const b = flagMap(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => `${k.startsWith('#') ? 'argument' : k} ${a.get(k) ?? '(unset)'} → ${b.get(k) ?? '(unset)'}`);
}

function fileHash(file: string): string | undefined {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : undefined;
}

function readJsonl(file: string): Record<string, number>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, number>);
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN);

/** Whether `toModel`'s weights differ from `fromModel`'s (byte for byte); undefined when `fromModel`
 *  has no weights file to compare (a preset). */
export function weightsChanged(fromModel: string, toModel: string): boolean | undefined {
  const before = fileHash(path.join(fromModel, 'model.safetensors'));
  return before === undefined ? undefined : before !== fileHash(path.join(toModel, 'model.safetensors'));
}

/** What a GRPO run learned from: reward spread, zero-variance groups, gradient, weight change. */
export function grpoSignal(runDir: string, fromModel: string): { lines: string[]; noSignal: boolean } {
  const steps = readJsonl(path.join(runDir, 'metrics.jsonl')).filter((m) => m.frac_reward_zero_std !== undefined);
  const zv = mean(steps.map((m) => m.frac_reward_zero_std));
  const grads = steps.map((m) => m.grad_norm ?? 0);
  const changed = weightsChanged(fromModel, path.join(runDir, 'final'));
  const third = Math.max(1, Math.floor(steps.length / 3));
  const rewardOf = (m: Record<string, number>): number => m.reward ?? m.reward_mean;
  const r0 = mean(steps.slice(0, third).map(rewardOf));
  const r1 = mean(steps.slice(-third).map(rewardOf));
  const fmtOk = mean(steps.map((m) => m.format_ok ?? m['rewards/format_ok/mean'] ?? Number.NaN));
  const noSignal = steps.length === 0 || zv > 0.9 || grads.every((g) => g === 0) || changed === false;
  const lines = [
    `${steps.length} steps; mean reward ${r0.toFixed(3)} (first third) → ${r1.toFixed(3)} (last third); ` +
      `${(100 * zv).toFixed(0)}% of groups had zero reward variance; max gradient norm ${Math.max(0, ...grads).toPrecision(3)}; ` +
      `weights ${changed === undefined ? 'not compared (base is a preset)' : changed ? 'changed' : 'UNCHANGED'}` +
      (Number.isFinite(fmtOk) ? `; format passed in ${(100 * fmtOk).toFixed(0)}% of completions` : ''),
  ];
  return { lines, noSignal };
}

function warnNoSignal(label: string, sig: { lines: string[] }): void {
  const bar = '!'.repeat(78);
  process.stderr.write(
    [
      bar,
      `WARNING: ${label} had no learning signal — RLVR did not (or barely) change the model.`,
      ...sig.lines.map((l) => `  ${l}`),
      '  Every completion in a group got the same reward, so every advantage (reward − group mean) was 0.',
      '  Usually the model never passes the format gate (<think>…</think> <answer>…</answer>, −2 otherwise).',
      '  To change: warm the model up first (the paper), raise --num-generations or --max-new-tokens,',
      '  sample hotter, or choose easier --target-data.',
      bar,
      '',
    ].join('\n'),
  );
}

function mmss(s: number): string {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

function writeData(o: Options, data: string, toyTarget: boolean, cross: ToyDomain[]): void {
  mkdirSync(data, { recursive: true });
  const write = (f: string, records: Record<string, unknown>[]): void =>
    writeFileSync(path.join(data, f), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (!o.warmupData) {
    const people = o.warmupPeople.split('..').map(Number);
    const range =
      people.length === 2 ? Array.from({ length: people[1] - people[0] + 1 }, (_, i) => people[0] + i) : people;
    let puzzles: ReturnType<typeof generateKkPuzzles>;
    try {
      puzzles = generateKkPuzzles({ people: range, count: o.warmupCount, seed: o.seed + 1 });
    } catch (e) {
      throw new UsageError(`--warmup-count/--warmup-people: ${(e as Error).message}`);
    }
    write(
      'warmup-sft.jsonl',
      // chat-style prompts from the base model's own chat_template (ChatML without one)
      makeKkSftRecords(
        puzzles,
        o.promptStyle,
        { style: o.traceStyle },
        o.promptStyle === 'chat' ? checkpointChatTemplate(o.model) : undefined,
      ).map((r) => ({ ...r })),
    );
  }
  if (!o.targetData) {
    if (toyTarget) {
      const d = o.targetTask as ToyDomain;
      write(
        'target.jsonl',
        generateToy(d, { split: 'train', count: o.targetLimit, seed: o.seed }).map((i) => i.record),
      );
      if (!o.evalData)
        write(
          'eval.jsonl',
          generateToy(d, { split: 'test', count: o.evalLimit, seed: o.seed }).map((i) => i.record),
        );
    } else {
      // K&K target: 3-person puzzles (a size the warmup data may not cover); evaluation on other puzzles.
      const ps = generateKkPuzzles({ people: [3], count: o.targetLimit + o.evalLimit, seed: o.seed + 2 });
      writeFileSync(path.join(data, 'target.jsonl'), kkToJsonl(ps.slice(0, o.targetLimit)));
      if (!o.evalData) writeFileSync(path.join(data, 'eval.jsonl'), kkToJsonl(ps.slice(o.targetLimit)));
    }
  }
  for (const d of cross)
    write(
      `cross-${d}.jsonl`,
      generateToy(d, { split: 'test', count: o.crossLimit, seed: o.seed }).map((i) => i.record),
    );
}

/** Every stage of the run, in order, with its exact arguments. */
function planStages(o: Options, out: string): { stages: Stage[]; domains: { task: string; data: string }[] } {
  const data = path.join(out, 'data');
  const toyTarget = !o.targetData && (TOY_DOMAINS as readonly string[]).includes(o.targetTask);
  const cross =
    o.crossTasks === 'none' || o.crossTasks === ''
      ? []
      : o.crossTasks.split(',').map((t) => {
          const d = t.trim();
          if (!(TOY_DOMAINS as readonly string[]).includes(d))
            throw new UsageError(`--cross-tasks: "${d}" is not a toy domain (${TOY_DOMAINS.join(', ')}) or none`);
          return d as ToyDomain;
        });
  const crossOther = cross.filter((d) => !(toyTarget && d === o.targetTask));
  const warmupData = o.warmupData ?? path.join(data, 'warmup-sft.jsonl');
  const targetData = o.targetData ?? path.join(data, 'target.jsonl');
  const evalData = o.evalData ?? (o.targetData ? o.targetData : path.join(data, 'eval.jsonl'));
  const base = o.model;
  const warm = path.join(out, 'warmup', 'final');
  const stages: Stage[] = [];
  stages.push({
    id: 'data',
    label: 'data (K&K warmup traces, target and evaluation sets)',
    kind: 'data',
    args: [
      ...['--seed', String(o.seed), '--warmup-people', o.warmupPeople, '--warmup-count', String(o.warmupCount)],
      ...['--trace-style', o.traceStyle, '--target-task', o.targetTask, '--target-limit', String(o.targetLimit)],
      ...['--eval-limit', String(o.evalLimit), '--cross-tasks', crossOther.join(',') || 'none'],
      ...['--cross-limit', String(o.crossLimit), '--prompt-style', o.promptStyle],
    ],
    dir: data,
    done: path.join(data, 'done'),
    deps: [],
    run: () => {
      writeData(o, data, toyTarget, crossOther);
      writeFileSync(path.join(data, 'done'), '');
    },
  });
  stages.push({
    id: 'warmup',
    label: 'warmup (SFT on K&K traces)',
    kind: 'sft',
    args: warmupArgs(o, base, warmupData, path.join(out, 'warmup')),
    dir: path.join(out, 'warmup'),
    done: path.join(warm, 'config.json'),
    deps: ['data'],
  });
  const grpo = (from: string, dir: string): string[] => rlvrArgs(o, from, targetData, dir);
  for (const [id, from, deps] of [
    ['base-rlvr', base, ['data']],
    ['warmup-rlvr', warm, ['data', 'warmup']],
  ] as const) {
    const dir = path.join(out, id);
    stages.push({
      id,
      label: `${id === 'base-rlvr' ? 'base' : 'warmup'} + RLVR (GRPO on ${o.targetTask} from the ${id === 'base-rlvr' ? 'base' : 'warmed-up'} model)`,
      kind: 'grpo',
      args: grpo(from, dir),
      dir,
      done: path.join(dir, 'final', 'config.json'),
      deps: [...deps],
    });
  }
  const models: Record<(typeof ARMS)[number], string> = {
    base,
    warmup: warm,
    'base-rlvr': path.join(out, 'base-rlvr', 'final'),
    'warmup-rlvr': path.join(out, 'warmup-rlvr', 'final'),
  };
  const armDeps: Record<(typeof ARMS)[number], string[]> = {
    base: ['data'],
    warmup: ['data', 'warmup'],
    'base-rlvr': ['data', 'base-rlvr'],
    'warmup-rlvr': ['data', 'warmup-rlvr'],
  };
  const domains = [
    { task: o.targetTask as string, data: evalData, key: 'target', limit: o.evalLimit, samples: o.samples },
    ...crossOther.map((d) => ({
      task: d as string,
      data: path.join(data, `cross-${d}.jsonl`),
      key: d as string,
      limit: o.crossLimit,
      samples: o.crossSamples,
    })),
  ];
  for (const d of domains) {
    const dirOf = (arm: string): string => path.join(out, 'eval', d.key, arm);
    for (const arm of ARMS) {
      stages.push({
        id: `eval-${d.key}-${arm}`,
        label: `evaluate ${arm} on ${d.task}${d.key === 'target' ? ' (target)' : ' (cross-domain)'}`,
        kind: 'eval',
        args: evalArgs(o, models[arm], d.data, dirOf(arm), {
          task: d.task,
          limit: d.limit,
          samples: d.samples,
          reference: arm === 'base' ? undefined : dirOf('base'),
        }),
        dir: dirOf(arm),
        done: path.join(dirOf(arm), 'report.json'),
        deps: [...armDeps[arm], ...(arm === 'base' ? [] : [`eval-${d.key}-base`])],
      });
    }
  }
  return { stages, domains: domains.map((d) => ({ task: d.task, data: path.join(out, 'eval', d.key) })) };
}

function recordFile(out: string, id: string): string {
  return path.join(out, 'stages', `${id}.json`);
}

/** Stages with output (finished, or interrupted: the record is written when a stage starts) whose
 *  recorded arguments differ from this run's, with what changed. */
function changedStages(stages: Stage[], out: string): Map<string, string[]> {
  const changed = new Map<string, string[]>();
  for (const st of stages) {
    if (!(existsSync(st.done) || existsSync(st.dir)) || !existsSync(recordFile(out, st.id))) continue;
    const before = (JSON.parse(readFileSync(recordFile(out, st.id), 'utf8')) as { args: string[] }).args;
    const diff = settingsDiff(before, st.args);
    if (diff.length) changed.set(st.id, diff);
  }
  return changed;
}

/** The changed stages and every stage that depends on one of them. */
function staleClosure(stages: Stage[], changed: Set<string>): Set<string> {
  const stale = new Set(changed);
  for (const st of stages) if (st.deps.some((d) => stale.has(d))) stale.add(st.id);
  return stale;
}

export function registerPipeline(program: Command): void {
  const cmd = program
    .command('pipeline')
    .description(
      'Run the four arms of the paper (base, warmup, base+RLVR, warmup+RLVR) and compare them on the target domain and across domains.\n' +
        'Defaults (apps/cli/src/toy-experiment.ts): the shipped toy base, K&K warmup, RLVR on 100 toy multiple-choice items.\n' +
        'Pass a real checkpoint and target data for the real thing.',
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
    const toyTarget = (TOY_DOMAINS as readonly string[]).includes(o.targetTask);
    if (!toyTarget && o.targetTask !== 'kk' && !o.targetData)
      throw new UsageError(`--target-data is required for --target-task ${o.targetTask}`);
    const people = o.warmupPeople.split('..').map(Number);
    if (people.length > 2 || people.some((n) => !Number.isInteger(n) || n < 2 || n > 8))
      throw new UsageError(`--warmup-people must be N or A..B within 2..8, got "${o.warmupPeople}"`);
    if (!existsSync(o.model) && o.model === X.model)
      throw new UsageError(`--model: the shipped base ${o.model} is missing (git checkout models/warmup-base)`);
    const out = path.resolve(o.out);
    const { stages, domains } = planStages(o, out);

    const changed = changedStages(stages, out);
    if (changed.size && !o.force) {
      const what = [...changed].map(([id, d]) => `${stages.find((s) => s.id === id)?.label}: ${d.join(', ')}`);
      throw new UsageError(
        `${o.out} holds stages (finished or interrupted) run with other settings — ${what.join('; ')}. Pass --force to redo them (and the stages after them) or choose another --out`,
      );
    }
    const stale = staleClosure(stages, new Set(changed.keys()));
    mkdirSync(path.join(out, 'stages'), { recursive: true });

    const t0 = Date.now();
    let spentEstimate = 0; // estimated seconds of the stages actually run so far
    let spent = 0;
    const todo = (from: number): number =>
      stages
        .slice(from)
        .reduce((s, st) => s + (existsSync(st.done) && !stale.has(st.id) ? 0 : STAGE_SECONDS[st.kind]), 0);
    for (const [i, st] of stages.entries()) {
      const head = `pipeline: stage ${i + 1}/${stages.length} · ${st.label}`;
      if (existsSync(st.done) && !stale.has(st.id)) {
        process.stderr.write(`${head}: done already\n`);
        continue;
      }
      if (stale.has(st.id)) rmSync(st.dir, { recursive: true, force: true });
      const pace = spentEstimate > 0 ? spent / spentEstimate : 1;
      process.stderr.write(
        `${head} · elapsed ${mmss((Date.now() - t0) / 1000)}, ETA ~${mmss(todo(i) * pace)} for the rest\n`,
      );
      const started = Date.now();
      // recorded before the stage runs too, so an interrupted stage's settings can be checked on re-run
      writeFileSync(recordFile(out, st.id), JSON.stringify({ args: st.args }, null, 2) + '\n');
      if (st.run) st.run();
      else {
        const args = st.kind === 'sft' || st.kind === 'grpo' ? [...st.args, ...restartArgs(st.dir)] : st.args;
        if (args.at(-1) === '--resume')
          process.stderr.write(`  (continuing the interrupted stage from its checkpoint)\n`);
        process.stderr.write(`  $ warmup ${args.join(' ')}\n`);
        const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
        if (r.status !== 0) {
          const e = new Error(`pipeline: ${st.label} failed (exit ${r.status}); fix and re-run to continue from here`);
          if (r.status === 2) e.name = 'UsageError';
          throw e;
        }
      }
      writeFileSync(recordFile(out, st.id), JSON.stringify({ args: st.args }, null, 2) + '\n');
      // the data stage is too short to say how fast this machine is
      if (st.kind !== 'data') {
        spent += (Date.now() - started) / 1000;
        spentEstimate += STAGE_SECONDS[st.kind];
      }
      if (st.kind === 'grpo') {
        const from = st.id === 'base-rlvr' ? o.model : path.join(out, 'warmup', 'final');
        const sig = grpoSignal(st.dir, from);
        if (sig.noSignal) warnNoSignal(st.label, sig);
      }
    }

    // RLVR signal of both arms (also on re-runs), then one table per domain and a summary.
    const summary: string[] = ['## RLVR learning signal\n'];
    for (const id of ['base-rlvr', 'warmup-rlvr']) {
      const from = id === 'base-rlvr' ? o.model : path.join(out, 'warmup', 'final');
      const sig = grpoSignal(path.join(out, id), from);
      summary.push(`- ${id}: ${sig.lines.join(' ')}${sig.noSignal ? ' — NO LEARNING SIGNAL' : ''}`);
      if (sig.noSignal) warnNoSignal(id, sig);
    }
    const tables: string[] = [];
    for (const d of domains) {
      const r = spawnSync(
        process.execPath,
        [
          BIN,
          'eval',
          'compare',
          ...ARMS.map((a) => path.join(d.data, a)),
          '--labels',
          ARMS.join(','),
          '--out',
          path.join(d.data, 'compare'),
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`pipeline: compare failed: ${r.stderr}`);
      tables.push(
        `## ${d.task}${d.data.endsWith(`${path.sep}target`) ? ' (target domain)' : ' (cross-domain)'}\n\n${r.stdout}`,
      );
    }
    const pass1 = (dir: string): string => {
      const rep = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as {
        pass1: { mean: number; std: number };
      };
      return `${(100 * rep.pass1.mean).toFixed(1)} ± ${(100 * rep.pass1.std).toFixed(1)}`;
    };
    const head = `| arm | ${domains.map((d) => `${d.task} pass@1 (%)`).join(' | ')} |`;
    const rows = ARMS.map((a) => `| ${a} | ${domains.map((d) => pass1(path.join(d.data, a))).join(' | ')} |`);
    const md = [
      `# Four arms: base / warmup / base+RLVR / warmup+RLVR\n`,
      `pass@1 in percent: mean ± std over questions of the per-question success rate (${o.samples} samples on the target, ${o.crossSamples} across domains).\n`,
      [head, `|---|${domains.map(() => '---:|').join('')}`, ...rows].join('\n') + '\n',
      ...summary,
      '',
      ...tables,
    ].join('\n');
    writeFileSync(path.join(out, 'summary.md'), md);
    process.stdout.write(md);
    process.stderr.write(
      `pipeline: done in ${mmss((Date.now() - t0) / 1000)}; summary in ${path.join(out, 'summary.md')}, tables and charts in ${path.join(out, 'eval', '*', 'compare')}\n`,
    );
  });
}
