// `warmup eval …` (sample, grade, report; resumable) and `warmup eval compare RUN…` (side-by-side
// table). The model comes in through an injected MakeSampler so this file needs no TF.js.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_BUCKET_EDGES,
  bucketsFromEdges,
  buildReport,
  bucketsSvg,
  compareMarkdown,
  parseReport,
  passkSvg,
  pct,
  pctPm,
  readReferenceRates,
  runEval,
  verifyRunConfig,
  writeReportFiles,
  type BucketSpec,
  type EvalQuestion,
  type LabelledReport,
  type RunConfig,
  type Sampler,
} from '@warmup/eval';
import { NodeEvalStorage, writeFileAtomic } from '@warmup/node';
import {
  loadTaskExamples,
  PROMPT_STYLES,
  type ChatTemplate,
  type Grade,
  type PromptStyle,
  type RegisteredTask,
} from '@warmup/tasks';
import { parseChoice, parseFloatFlag, parseIntFlag } from '../args.ts';
import { UsageError } from '../errors.ts';
import { readBinaryFile, readTextFile } from '../files.ts';

export const EVAL_TASKS = ['kk', 'math', 'mcq', 'code'] as const;
export type EvalTaskName = (typeof EVAL_TASKS)[number];

export interface SamplerOptions {
  model: string;
  backend: string;
  temperature: number;
  topP: number;
  topK: number;
  maxNewTokens: number;
  seed: number;
  /** Sequences generated together (prompts × samples are split into chunks of this size). */
  batchSize: number;
}

export type MakeSampler = (opts: SamplerOptions) => Promise<Sampler & { dispose(): void }>;

export interface EvalDeps {
  makeSampler: MakeSampler;
  /** rawJsonFields: fields the loader keeps as JSON text (the code task's test inputs). */
  getTask: (name: EvalTaskName) => RegisteredTask;
  /** Whether a --model value that is not a folder names a preset (default: none do). */
  isPreset?: (name: string) => boolean;
  /** Accepted --backend values; the first is the default. */
  backends?: readonly string[];
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** The --model's own chat template for --prompt-style chat (default: none, ChatML). */
  chatTemplate?: (model: string) => ChatTemplate | undefined;
}

export const DEFAULT_BACKENDS: readonly string[] = ['auto', 'webgpu', 'wasm', 'cpu', 'node'];

export interface EvalFlags {
  model: string;
  task: EvalTaskName;
  data: string;
  samples: number;
  temperature: number;
  topP: number;
  topK: number;
  maxNewTokens: number;
  batchSize: number;
  seed: number;
  limit: number | undefined;
  promptStyle: PromptStyle;
  reference: string | undefined;
  buckets: BucketSpec[];
  out: string;
  backend: string;
}

export interface RawEvalFlags {
  model?: string;
  task?: string;
  data?: string;
  samples: string;
  temperature: string;
  topP: string;
  topK: string;
  maxNewTokens: string;
  batchSize: string;
  seed: string;
  limit?: string;
  promptStyle: string;
  reference?: string;
  bucketEdges?: string;
  out?: string;
  backend?: string;
}

const noPresets = (): boolean => false;
const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

function required(flag: string, v: string | undefined): string {
  if (v === undefined || v.trim() === '') throw new UsageError(`${flag} is required`);
  return v;
}

function parseEdges(v: string | undefined): BucketSpec[] {
  if (v === undefined) return bucketsFromEdges(DEFAULT_BUCKET_EDGES);
  const edges = v.split(',').map((s) => parseFloatFlag('--bucket-edges', s.trim()));
  try {
    return bucketsFromEdges(edges);
  } catch (e) {
    throw new UsageError(`--bucket-edges: ${(e as Error).message}`);
  }
}

/** Validate every flag (UsageError naming the flag) before anything is loaded. */
export function parseEvalFlags(
  raw: RawEvalFlags,
  backends: readonly string[] = DEFAULT_BACKENDS,
  isPreset: (name: string) => boolean = noPresets,
): EvalFlags {
  const model = required('--model', raw.model);
  const task = parseChoice('--task', required('--task', raw.task), EVAL_TASKS);
  const data = required('--data', raw.data);
  const out = required('--out', raw.out);
  const flags: EvalFlags = {
    model,
    task,
    data,
    samples: parseIntFlag('--samples', raw.samples, { min: 1, max: 4096 }),
    temperature: parseFloatFlag('--temperature', raw.temperature, { min: 0 }),
    topP: parseFloatFlag('--top-p', raw.topP, { min: 0, max: 1 }),
    topK: parseIntFlag('--top-k', raw.topK, { min: 0 }),
    maxNewTokens: parseIntFlag('--max-new-tokens', raw.maxNewTokens, { min: 1 }),
    batchSize: parseIntFlag('--batch-size', raw.batchSize, { min: 1 }),
    seed: parseIntFlag('--seed', raw.seed),
    limit: raw.limit === undefined ? undefined : parseIntFlag('--limit', raw.limit, { min: 1 }),
    promptStyle: parseChoice('--prompt-style', raw.promptStyle, PROMPT_STYLES),
    reference: raw.reference,
    buckets: parseEdges(raw.bucketEdges),
    out,
    backend: parseChoice('--backend', raw.backend ?? backends[0], backends),
  };
  if (flags.topP === 0) throw new UsageError('--top-p must be > 0, got 0');
  if (!isDir(model) && !isPreset(model))
    throw new UsageError(`--model: not a directory${isPreset === noPresets ? '' : ' or preset'}: ${model}`);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out: not a directory: ${out}`);
  if (flags.reference !== undefined && !existsSync(path.join(flags.reference, 'completions.jsonl'))) {
    throw new UsageError(`--reference: no completions.jsonl in ${flags.reference}`);
  }
  return flags;
}

/** The settings a resumed run must share with the earlier parts in the same --out folder. */
function runConfig(f: EvalFlags): RunConfig {
  return {
    task: f.task,
    // A preset's name is stable wherever the command runs; a folder is compared by absolute path.
    model: isDir(f.model) ? path.resolve(f.model) : f.model,
    data: path.resolve(f.data),
    samples: f.samples,
    temperature: f.temperature,
    top_p: f.topP,
    top_k: f.topK,
    max_new_tokens: f.maxNewTokens,
    seed: f.seed,
    prompt_style: f.promptStyle,
  };
}

async function loadQuestions(
  f: EvalFlags,
  task: RegisteredTask,
  template: ChatTemplate | undefined,
): Promise<{ questions: EvalQuestion[]; grade: (i: number, c: string) => Promise<Grade> }> {
  const { examples, prompts } = await loadTaskExamples(
    task,
    readBinaryFile('--data', f.data),
    f.data,
    f.promptStyle,
    f.limit,
    template,
  );
  const questions = examples.map((e, i) => ({ id: e.id, prompt: prompts[i] }));
  return { questions, grade: async (i, c) => task.grade(examples[i], c) };
}

async function runEvalCommand(raw: RawEvalFlags, deps: EvalDeps): Promise<void> {
  const log = deps.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const f = parseEvalFlags(raw, deps.backends ?? DEFAULT_BACKENDS, deps.isPreset);
  const task = deps.getTask(f.task);
  const template = f.promptStyle === 'chat' ? deps.chatTemplate?.(f.model) : undefined;
  const { questions, grade } = await loadQuestions(f, task, template);
  const reference =
    f.reference === undefined
      ? undefined
      : { name: f.reference, rates: await readReferenceRates(new NodeEvalStorage(f.reference), f.reference) };
  const storage = new NodeEvalStorage(f.out);
  const config = runConfig(f);
  await verifyRunConfig(storage, config, path.join(f.out, 'config.json'));

  const sampler = await deps.makeSampler({
    model: f.model,
    backend: f.backend,
    temperature: f.temperature,
    topP: f.topP,
    topK: f.topK,
    maxNewTokens: f.maxNewTokens,
    seed: f.seed,
    batchSize: f.batchSize,
  });
  let result;
  try {
    result = await runEval({
      questions,
      samples: f.samples,
      // A sampler call covers whole questions: about batchSize sequences, at least one question.
      questionsPerBatch: Math.max(1, Math.floor(f.batchSize / f.samples)),
      sampler,
      grader: grade,
      storage,
      config,
      onProgress: (p) => log(`eval: ${p.done}/${p.total} questions${p.skipped ? ` (${p.skipped} already done)` : ''}`),
    });
  } finally {
    sampler.dispose();
  }
  const report = buildReport({
    task: f.task,
    model: f.model,
    samples: f.samples,
    questionIds: questions.map((q) => q.id),
    records: result.records,
    reference,
    buckets: f.buckets,
    settings: { ...config, backend: f.backend, limit: f.limit ?? null },
  });
  await writeReportFiles(storage, report, path.basename(path.resolve(f.out)));
  const ks = Object.entries(report.passk)
    .filter(([k]) => k !== '1')
    .map(([k, v]) => `pass@${k} ${pct(v)}`);
  process.stdout.write(
    `pass@1 ${pctPm(report.pass1.mean, report.pass1.std)} | ${ks.join(' | ')} | format failures ${pct(report.format_failure_rate)}\n`,
  );
  process.stdout.write(`wrote ${path.join(f.out, 'report.json')} (+ report.md, passk.svg, buckets.svg)\n`);
}

function loadRuns(runs: string[], labels: string | undefined): LabelledReport[] {
  const names = labels === undefined ? undefined : labels.split(',').map((s) => s.trim());
  if (names && names.length !== runs.length)
    throw new UsageError(`--labels: ${names.length} labels for ${runs.length} runs`);
  if (names?.some((n) => n === '')) throw new UsageError('--labels: empty label');
  const loaded = runs.map((run, i) => {
    const file = existsSync(run) && statSync(run).isDirectory() ? path.join(run, 'report.json') : run;
    if (!existsSync(file)) throw new UsageError(`no report.json in ${run} (run \`warmup eval\` there first)`);
    const report = parseReport(readTextFile(`run ${run}`, file), file);
    const dir = path.resolve(path.dirname(file));
    return { label: names?.[i] ?? path.basename(dir), report, dir };
  });
  // A run bucketed by its own solve rates is the reference the others name (the base run of a
  // pipeline): give it that name, so the table does not warn about mismatched buckets.
  const refs = new Set(loaded.map((r) => r.report.bucket_reference).filter((x) => x !== 'self'));
  for (const r of loaded) {
    const ref = [...refs].find((x) => path.resolve(x) === r.dir);
    if (r.report.bucket_reference === 'self' && ref) r.report = { ...r.report, bucket_reference: ref };
  }
  return loaded.map(({ label, report }) => ({ label, report }));
}

async function runCompareCommand(runs: string[], opts: { labels?: string; out?: string }): Promise<void> {
  const loaded = loadRuns(runs, opts.labels);
  const md = compareMarkdown(loaded);
  if (opts.out !== undefined) {
    if (existsSync(opts.out) && !statSync(opts.out).isDirectory())
      throw new UsageError(`--out: not a directory: ${opts.out}`);
    await writeFileAtomic(path.join(opts.out, 'compare.md'), md);
    await writeFileAtomic(path.join(opts.out, 'passk.svg'), passkSvg(loaded));
    await writeFileAtomic(path.join(opts.out, 'buckets.svg'), bucketsSvg(loaded));
  }
  process.stdout.write(md);
}

export function registerEval(program: Command, deps: EvalDeps): void {
  const backends = deps.backends ?? DEFAULT_BACKENDS;
  const ev = program
    .command('eval')
    .usage('[run] --model <dir|preset> --task <name> --data <file> … | compare <runs...>')
    .description(
      'Evaluate a model (pass@k, difficulty buckets), or compare runs. `run` is the default: `warmup eval --model …` = `warmup eval run --model …`',
    );
  ev.command('run', { isDefault: true })
    .description(
      '(default) Sample n completions per question, grade them, and write report.json/.md and SVG charts (resumable)',
    )
    .option('--model <dir|preset>', 'model folder (or preset name, models/*.json)')
    .option('--task <name>', `task: ${EVAL_TASKS.join(', ')}`)
    .option('--data <file>', 'questions in the task format (.jsonl, .json, .csv or .parquet)')
    .option('--samples <n>', 'samples per question', '4')
    .option('--temperature <t>', 'sampling temperature', '0.7')
    .option('--top-p <p>', 'nucleus sampling', '0.95')
    .option('--top-k <k>', 'top-k sampling (0 = off)', '0')
    .option('--max-new-tokens <n>', 'completion token limit', '1024')
    .option('--batch-size <n>', 'sequences generated together', '8')
    .option('--seed <n>', 'random seed', '0')
    .option('--limit <n>', 'only the first N questions')
    .option('--prompt-style <style>', `prompt style: ${PROMPT_STYLES.join(', ')}`, 'r1')
    .option('--reference <dir>', "run folder whose solve rates define the difficulty buckets (default: this run's own)")
    .option('--bucket-edges <list>', 'interior bucket edges in (0, 1)', DEFAULT_BUCKET_EDGES.join(','))
    .option('--out <dir>', 'output folder (an existing run there is resumed)')
    .option('--backend <name>', `compute backend: ${backends.join(', ')}`, backends[0])
    .action((opts: RawEvalFlags) => runEvalCommand(opts, deps));
  ev.command('compare')
    .description("Print several runs' reports side by side as a Markdown table")
    .argument('<runs...>', 'run folders (or report.json files)')
    .option('--labels <list>', 'comma-separated column labels (default: folder names)')
    .option('--out <dir>', 'also write compare.md, passk.svg and buckets.svg there')
    .action((runs: string[], opts: { labels?: string; out?: string }) => runCompareCommand(runs, opts));
}
