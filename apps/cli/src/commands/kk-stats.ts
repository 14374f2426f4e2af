// `warmup kk stats`: puzzles per size and statement-type frequencies of a puzzle file, next to
// the grammar's raw expectation (accepted puzzles differ: uniqueness rejection is selective).
import { KK_STATEMENT_OPS, kkStats, parseKkJsonl } from '@warmup/tasks';
import { UsageError } from '../errors.ts';
import { readTextFile } from '../files.ts';

export interface KkStatsFlags {
  data: string;
  json?: boolean;
}

export async function kkStatsCommand(flags: KkStatsFlags): Promise<void> {
  const puzzles = parseKkJsonl(readTextFile('--data', flags.data), flags.data);
  if (puzzles.length === 0) throw new UsageError(`--data: no records in ${flags.data}`);
  const s = kkStats(puzzles);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(6);
  const lines = [
    `${s.puzzles} puzzles, ${s.statements} statements, ${pct(s.knightFraction).trim()} of people are knights`,
    'puzzles by number of people:',
  ];
  for (const [n, c] of Object.entries(s.byPeople)) lines.push(`  ${n}: ${c}`);
  lines.push('statement types (in this file vs. the grammar before uniqueness rejection):');
  for (const op of KK_STATEMENT_OPS) {
    lines.push(
      `  ${op.padEnd(5)} ${String(s.ops[op]).padStart(7)}  ${pct(s.opFrequency[op])}  (grammar ${pct(s.grammarFrequency[op]).trim()})`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
