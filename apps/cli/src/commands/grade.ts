// `warmup grade --task kk|math|mcq|code`: grade a completions file ({id, completion} per line)
// against a data file in the task's public format (JSONL, JSON, CSV or Parquet).
import type { Command } from 'commander';
import { asObject, DataError, loadRecords, recordOptions, TASK_NAMES, type Example } from '@warmup/tasks';
import { parseChoice, parseIntFlag } from '../args.ts';
import { UsageError } from '../errors.ts';
import { readBinaryFile } from '../files.ts';
import { readJsonlFile } from '../files.ts';
import { nodeTask } from '../task-data.ts';

export interface GradeFlags {
  task: string;
  data: string;
  completions: string;
  json?: boolean;
  hostile?: boolean;
  concurrency: string;
  timeoutMs: string;
}

interface Result {
  id: string;
  correct: boolean;
  reward: number;
  format_ok: boolean;
  detail?: string;
}

const ID_FIELDS = ['unique_id', 'task_id', 'question_id', 'id'];

/** The id completions refer to: the record's own id field, else its 0-based position. */
function recordKey(value: unknown, index: number): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const k of ID_FIELDS) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
    }
  }
  return String(index);
}

/** Run `fn` over `items` with at most `limit` in flight (code grading runs subprocesses). */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function grade(flags: GradeFlags): Promise<void> {
  const name = parseChoice('--task', flags.task, TASK_NAMES);
  const concurrency = parseIntFlag('--concurrency', flags.concurrency, { min: 1, max: 16 });
  const timeoutMs = parseIntFlag('--timeout-ms', flags.timeoutMs, { min: 100, max: 600_000 });
  const task = nodeTask(name, timeoutMs);
  const records = await loadRecords(readBinaryFile('--data', flags.data), flags.data, recordOptions(task));
  if (records.length === 0) throw new UsageError(`--data: no records in ${flags.data}`);
  const byKey = new Map<string, Example>();
  records.forEach(({ value, where }, i) => {
    const ex = task.fromRecord(value, where, i);
    const key = recordKey(value, i);
    if (byKey.has(key)) throw new DataError(`duplicate id "${key}"`, where);
    byKey.set(key, ex);
    if (!byKey.has(ex.id)) byKey.set(ex.id, ex);
  });
  const completions = readJsonlFile('--completions', flags.completions).map(({ value, where }) => {
    const o = asObject(value, where);
    const id = typeof o.id === 'number' ? String(o.id) : o.id;
    if (typeof id !== 'string') throw new DataError('field "id" must be a string or a number', where);
    if (typeof o.completion !== 'string') throw new DataError('field "completion" must be a string', where);
    const example = byKey.get(id);
    if (!example) throw new DataError(`id "${id}" not found in ${flags.data}`, where);
    return { id, example, completion: o.completion };
  });
  if (completions.length === 0) throw new UsageError(`--completions: no records in ${flags.completions}`);
  const results = await mapBounded(completions, name === 'code' ? concurrency : 1, async (c): Promise<Result> => {
    const g = await task.grade(c.example, c.completion);
    return {
      id: c.id,
      correct: g.correct,
      reward: g.reward,
      format_ok: g.formatOk,
      ...(g.detail ? { detail: g.detail } : {}),
    };
  });
  const total = results.length;
  const correct = results.filter((r) => r.correct).length;
  const meanReward = results.reduce((s, r) => s + r.reward, 0) / total;
  if (flags.hostile) {
    reportHostile(results, flags.json === true);
    return;
  }
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ task: name, total, correct, accuracy: correct / total, mean_reward: meanReward, results })}\n`,
    );
    return;
  }
  const formatFailures = results.filter((r) => !r.format_ok).length;
  process.stdout.write(
    `graded ${total} ${name} completions: ${correct} correct (${((100 * correct) / total).toFixed(1)}%), ` +
      `mean reward ${meanReward.toFixed(3)}, ${formatFailures} format failures\n`,
  );
}

/** `--hostile`: every completion is a known cheat (e.g. data/hostile-code.jsonl); each must grade wrong. */
function reportHostile(results: Result[], json: boolean): void {
  const fooled = results.filter((r) => r.correct || r.reward > 0);
  const resisted = results.length - fooled.length;
  if (json) process.stdout.write(`${JSON.stringify({ hostile: results.length, resisted, fooled })}\n`);
  else {
    process.stdout.write(`resisted ${resisted} of ${results.length} hostile completions\n`);
    for (const f of fooled) process.stdout.write(`fooled by ${f.id}\n`);
  }
  if (fooled.length > 0) process.exitCode = 1;
}

export function registerGrade(program: Command): void {
  program
    .command('grade')
    .description('grade completions ({"id", "completion"} per line) against a task data file')
    .requiredOption('--task <name>', `task: ${TASK_NAMES.join(', ')}`)
    .requiredOption('--data <file>', "data in the task's public format (.jsonl, .json, .csv, .parquet)")
    .requiredOption('--completions <file>', 'completions JSONL: one {"id": …, "completion": …} per line')
    .option('--json', 'print {"total", "correct", "accuracy", "mean_reward", "results"} as JSON')
    .option(
      '--hostile',
      'the completions are known cheats (data/hostile-code.jsonl): report how many graded wrong, exit 1 if any passed',
    )
    .option('--concurrency <n>', 'code task: sandboxes run at once', '2')
    .option('--timeout-ms <ms>', 'code task: wall-clock limit per run', '10000')
    .action(grade);
}
