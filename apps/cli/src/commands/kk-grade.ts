// `warmup kk grade`: grade a completions file against a puzzle file with either reward scheme.
import { asObject, createKkTask, DataError, KK_REWARD_SCHEMES, parseKkJsonl, type KkPuzzle } from '@warmup/tasks';
import { parseChoice } from '../args.ts';
import { UsageError } from '../errors.ts';
import { readJsonlFile, readTextFile } from '../files.ts';

export interface KkGradeFlags {
  data: string;
  completions: string;
  scheme: string;
  json?: boolean;
}

interface Result {
  id: string;
  where: string;
  n: number;
  correct: boolean;
  reward: number;
  format_ok: boolean;
  parts: Record<string, number>;
  detail?: string;
}

export async function kkGrade(flags: KkGradeFlags): Promise<void> {
  const scheme = parseChoice('--scheme', flags.scheme, KK_REWARD_SCHEMES);
  const puzzles = parseKkJsonl(readTextFile('--data', flags.data), flags.data);
  const byId = new Map<string, KkPuzzle>(puzzles.map((p) => [p.id, p]));
  const records = readJsonlFile('--completions', flags.completions);
  if (records.length === 0) throw new UsageError(`--completions: no records in ${flags.completions}`);
  const task = createKkTask(scheme);
  const results: Result[] = records.map(({ value, where }) => {
    const o = asObject(value, where);
    const id = typeof o.id === 'number' ? String(o.id) : o.id;
    if (typeof id !== 'string') throw new DataError('field "id" must be a string', where);
    if (typeof o.completion !== 'string') throw new DataError('field "completion" must be a string', where);
    const p = byId.get(id);
    if (!p) throw new DataError(`id "${id}" not found in ${flags.data}`, where);
    const g = task.grade(p, o.completion);
    return {
      id,
      where,
      n: p.n,
      correct: g.correct,
      reward: g.reward,
      format_ok: g.formatOk,
      parts: g.parts,
      ...(g.detail ? { detail: g.detail } : {}),
    };
  });
  const total = results.length;
  const correct = results.filter((r) => r.correct).length;
  const formatFailures = results.filter((r) => !r.format_ok).length;
  const unparseable = results.filter(
    (r) => r.format_ok && !r.correct && /unparseable|no <answer>/.test(r.detail ?? ''),
  ).length;
  const byPeople: Record<string, { total: number; correct: number; accuracy: number }> = {};
  for (const r of results) {
    const b = (byPeople[r.n] ??= { total: 0, correct: 0, accuracy: 0 });
    b.total++;
    if (r.correct) b.correct++;
  }
  for (const b of Object.values(byPeople)) b.accuracy = b.correct / b.total;
  const meanReward = results.reduce((s, r) => s + r.reward, 0) / total;
  const summary = {
    total,
    correct,
    accuracy: correct / total,
    mean_reward: meanReward,
    scheme,
    format_failures: formatFailures,
    unparseable,
    by_people: byPeople,
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...summary, results })}\n`);
    return;
  }
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  process.stdout.write(
    `graded ${total} completions (scheme ${scheme}): ${correct} correct (${pct(summary.accuracy)}), ` +
      `mean reward ${meanReward.toFixed(3)}, ${formatFailures} format failures, ${unparseable} unparseable\n`,
  );
  for (const [n, b] of Object.entries(byPeople)) {
    process.stdout.write(`  n=${n}: ${b.correct}/${b.total} (${pct(b.accuracy)})\n`);
  }
}
