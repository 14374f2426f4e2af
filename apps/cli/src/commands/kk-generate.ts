// `warmup kk generate`: validate flags, plan the per-size counts, generate, and write the JSONL
// atomically (nothing is written when anything fails).
import { statSync } from 'node:fs';
import {
  generateKkPuzzlesOfSize,
  KK_MAX_PEOPLE,
  KK_MIN_PEOPLE,
  KK_TEACHER_STYLES,
  kkToJsonl,
  makeKkSftRecord,
  planKkCounts,
  PROMPT_STYLES,
  type KkPuzzle,
  type KkTeacherStyle,
  type PromptStyle,
} from '@warmup/tasks';
// The fs subpath: @warmup/node's index pulls in TF.js, which this command does not need.
import { writeFileAtomic } from '@warmup/node/fs';
import { parseChoice, parseIntFlag, parseIntRange } from '../args.ts';
import { UsageError } from '../errors.ts';

export interface KkGenerateFlags {
  people: string;
  count: string;
  seed: string;
  out: string;
  withTrace?: boolean;
  style?: string;
  promptStyle?: string;
  names?: string;
}

export async function kkGenerate(flags: KkGenerateFlags): Promise<void> {
  const people = parseIntRange('--people', flags.people, { min: KK_MIN_PEOPLE, max: KK_MAX_PEOPLE });
  if (new Set(people).size !== people.length) throw new UsageError(`--people lists a size twice: "${flags.people}"`);
  const count = parseIntFlag('--count', flags.count, { min: 1 });
  const seed = parseIntFlag('--seed', flags.seed, { min: 0, max: 2 ** 32 - 1 });
  if (!flags.withTrace && flags.style !== undefined) throw new UsageError('--style needs --with-trace');
  if (!flags.withTrace && flags.promptStyle !== undefined) throw new UsageError('--prompt-style needs --with-trace');
  const style: KkTeacherStyle = parseChoice('--style', flags.style ?? 'long', KK_TEACHER_STYLES);
  const promptStyle: PromptStyle = parseChoice('--prompt-style', flags.promptStyle ?? 'r1', PROMPT_STYLES);
  const names = flags.names?.split(',').map((s) => s.trim());
  if (names) {
    if (names.some((s) => !/^[A-Z][A-Za-z]*$/.test(s)))
      throw new UsageError(`--names must be comma-separated capitalised names, got "${flags.names}"`);
    if (new Set(names).size !== names.length) throw new UsageError(`--names lists a name twice: "${flags.names}"`);
    if (names.length < Math.max(...people))
      throw new UsageError(`--names gives ${names.length} names but --people goes up to ${Math.max(...people)}`);
  }
  try {
    if (statSync(flags.out).isDirectory()) throw new UsageError(`--out: is a directory: ${flags.out}`);
  } catch (e) {
    if (e instanceof UsageError) throw e; // a missing file is fine: we create it
  }

  let plan;
  try {
    plan = planKkCounts(people, count);
  } catch (e) {
    throw new UsageError(`--count: ${(e as Error).message}`);
  }
  for (const note of plan.notes) process.stderr.write(`note: ${note}\n`);
  const puzzles: KkPuzzle[] = [];
  for (const { n, count: c } of plan.counts) {
    if (c > 0) puzzles.push(...generateKkPuzzlesOfSize(n, c, seed, puzzles.length, names));
  }
  const text = kkToJsonl(
    puzzles,
    flags.withTrace
      ? (p) => {
          const { prompt, completion, source, reward } = makeKkSftRecord(p, promptStyle, { style });
          return { prompt, completion, source, reward };
        }
      : undefined,
  );
  await writeFileAtomic(flags.out, text);
  const sizes = plan.counts.map(({ n, count: c }) => `n=${n}: ${c}`).join(', ');
  process.stdout.write(
    `wrote ${puzzles.length} puzzles (${sizes})${flags.withTrace ? ` with ${style} traces` : ''} to ${flags.out}\n`,
  );
}
