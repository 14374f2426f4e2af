// `warmup kk …`: generate, grade and describe Knights & Knaves puzzle sets.
import type { Command } from 'commander';
import { kkGenerate } from './kk-generate.ts';
import { kkGrade } from './kk-grade.ts';
import { kkStatsCommand } from './kk-stats.ts';

export function registerKk(program: Command): void {
  const kk = program.command('kk').description('Knights & Knaves puzzles: generate, grade, stats');
  kk.command('generate')
    .description('generate uniquely-solvable puzzles as JSONL (optionally with teacher traces)')
    .option('--people <range>', 'people per puzzle: N, A..B or a comma list, within 2..8', '3..7')
    .requiredOption('--count <n>', 'total number of puzzles (split evenly over the sizes)')
    .option('--seed <n>', 'random seed (same seed, same puzzles)', '0')
    .requiredOption('--out <file>', 'output JSONL file')
    .option('--with-trace', 'add prompt, completion (teacher trace), source and reward to each record')
    .option(
      '--style <style>',
      'teacher trace style: long (search, default), short, or cases (truth table) (needs --with-trace)',
    )
    .option('--prompt-style <style>', 'prompt style of the traces: r1 or chat (needs --with-trace)')
    .option('--names <list>', 'use these names in this order (comma-separated) instead of drawing from the name list')
    .action(kkGenerate);
  kk.command('grade')
    .description('grade completions ({"id", "completion"} per line) against a puzzle file')
    .requiredOption('--data <file>', 'puzzle JSONL (ours or the public K&K format)')
    .requiredOption('--completions <file>', 'completions JSONL: one {"id": …, "completion": …} per line')
    .option('--scheme <scheme>', 'reward scheme: paper or logic-rl', 'paper')
    .option('--json', 'print a JSON summary with per-completion results')
    .action(kkGrade);
  kk.command('stats')
    .description('puzzle counts by size and statement-type frequencies')
    .requiredOption('--data <file>', 'puzzle JSONL')
    .option('--json', 'print JSON')
    .action(kkStatsCommand);
}
