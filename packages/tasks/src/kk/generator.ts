// Seeded puzzle generator: rejection-samples statement tuples from the grammar until exactly one
// assignment is consistent, drops repeated tuples, then names the people and writes the quiz.
import { KK_NAMES } from './names.ts';
import { hashSeed, mulberry32, type Rng } from './rng.ts';
import { allStatements, sampleStatement } from './sample.ts';
import { countSolutions, uniqueSolution } from './solver.ts';
import { statementsKey } from './logic.ts';
import { quizText, solutionText, solutionTextFormat } from './text.ts';
import { MAX_PEOPLE, MIN_PEOPLE, type KkPuzzle, type Statement } from './types.ts';

export interface GenerateOptions {
  /** Sizes to generate, e.g. [3, 4, 5]; the count is split evenly over them. */
  people: readonly number[];
  /** Total number of puzzles. */
  count: number;
  seed: number;
  /** Use these names, in this order, instead of drawing from the name list (e.g. for tiny
   *  from-scratch models, which otherwise must first learn to copy names from the prompt). */
  names?: readonly string[];
}

export interface GeneratePlan {
  /** Puzzles per size, in the order of `people`. */
  counts: Array<{ n: number; count: number }>;
  /** Human-readable notes, e.g. when a small size ran out of distinct puzzles. */
  notes: string[];
}

/** Give up after this many draws in a row that were rejected: the space is (nearly) exhausted. */
const MAX_CONSECUTIVE_REJECTS = 2_000_000;
/** Spaces up to this many statement tuples are enumerated to know their exact capacity. */
const ENUMERATE_LIMIT = 200_000;

const capacityCache = new Map<number, number>();

/** How many distinct uniquely-solvable puzzles exist for n people; Infinity when not enumerated
 *  (n >= 3, where the space has ≥ 729,000 tuples and is never the limit in practice). */
export function puzzleCapacity(n: number): number {
  const cached = capacityCache.get(n);
  if (cached !== undefined) return cached;
  const options = Array.from({ length: n }, (_, i) => allStatements(n, i));
  const space = options.reduce((s, o) => s * o.length, 1);
  let capacity = Infinity;
  if (space <= ENUMERATE_LIMIT) {
    capacity = 0;
    const pick: Statement[] = new Array(n);
    const rec = (i: number): void => {
      if (i === n) {
        if (countSolutions(pick, 2) === 1) capacity++;
        return;
      }
      for (const s of options[i]) {
        pick[i] = s;
        rec(i + 1);
      }
    };
    rec(0);
  }
  capacityCache.set(n, capacity);
  return capacity;
}

function checkSizes(people: readonly number[]): void {
  if (people.length === 0) throw new RangeError('people: at least one size is needed');
  for (const n of people) {
    if (!Number.isInteger(n) || n < MIN_PEOPLE || n > MAX_PEOPLE) {
      throw new RangeError(`people: sizes must be integers in ${MIN_PEOPLE}..${MAX_PEOPLE}, got ${n}`);
    }
  }
  if (new Set(people).size !== people.length) throw new RangeError('people: sizes must not repeat');
}

/** Split `count` evenly over the sizes; a size with fewer distinct puzzles than its share gives
 *  all it has and the rest is spread over the other sizes. Throws RangeError when impossible. */
export function planCounts(people: readonly number[], count: number): GeneratePlan {
  checkSizes(people);
  if (!Number.isInteger(count) || count <= 0) throw new RangeError(`count must be a positive integer, got ${count}`);
  const caps = people.map(puzzleCapacity);
  const total = caps.reduce((a, b) => a + b, 0);
  if (total < count) {
    throw new RangeError(
      `only ${total} distinct uniquely-solvable puzzles exist for people ${people.join(',')}; asked for ${count}`,
    );
  }
  const counts = people.map(() => 0);
  const notes: string[] = [];
  let left = count;
  let open = people.map((_, i) => i);
  while (left > 0) {
    const share = Math.floor(left / open.length);
    let extra = left - share * open.length;
    const stillOpen: number[] = [];
    for (const i of open) {
      const want = share + (extra > 0 ? 1 : 0);
      if (extra > 0) extra--;
      const give = Math.min(want, caps[i] - counts[i]);
      counts[i] += give;
      left -= give;
      if (counts[i] < caps[i]) stillOpen.push(i);
      else notes.push(`only ${caps[i]} distinct ${people[i]}-person puzzles exist; the remainder goes to other sizes`);
    }
    open = stillOpen;
  }
  return { counts: people.map((n, i) => ({ n, count: counts[i] })), notes: [...new Set(notes)] };
}

function pickNames(rng: Rng, n: number, fixed?: readonly string[]): string[] {
  if (fixed) return fixed.slice(0, n);
  const pool = KK_NAMES.slice();
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}

/** `count` distinct puzzles with n people; the stream depends only on (seed, n). */
export function generatePuzzlesOfSize(
  n: number,
  count: number,
  seed: number,
  firstIndex = 0,
  names?: readonly string[],
): KkPuzzle[] {
  checkSizes([n]);
  if (names && (names.length < n || new Set(names.slice(0, n)).size < n))
    throw new RangeError(`need ${n} distinct names, got ${names.length}`);
  const rng = mulberry32(hashSeed('kk', seed, n));
  const fixedNames = names;
  const seen = new Set<string>();
  const out: KkPuzzle[] = [];
  let rejects = 0;
  while (out.length < count) {
    const statements = Array.from({ length: n }, (_, i) => sampleStatement(rng, n, i));
    const key = statementsKey(statements);
    const solution = seen.has(key) ? undefined : uniqueSolution(statements);
    if (!solution) {
      if (++rejects > MAX_CONSECUTIVE_REJECTS) {
        throw new RangeError(`gave up after ${rejects} rejected draws for ${n} people: too few distinct puzzles left`);
      }
      continue;
    }
    rejects = 0;
    seen.add(key);
    const names = pickNames(rng, n, fixedNames);
    const k = out.length;
    out.push({
      id: `kk-s${seed}-n${n}-${k}`,
      index: firstIndex + k,
      n,
      names,
      statements,
      solution,
      quiz: quizText(names, statements, rng),
      solution_text: solutionText(names, solution),
      solution_text_format: solutionTextFormat(names, solution),
    });
  }
  return out;
}

/** Generate `count` puzzles over the given sizes (grouped by size, in the order given). */
export function generatePuzzles(opts: GenerateOptions): KkPuzzle[] {
  const plan = planCounts(opts.people, opts.count);
  const out: KkPuzzle[] = [];
  for (const { n, count } of plan.counts) {
    if (count > 0) out.push(...generatePuzzlesOfSize(n, count, opts.seed, out.length, opts.names));
  }
  return out;
}
