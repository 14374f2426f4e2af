// Statement-type frequencies. The acceptance asks for frequencies within 2 points of the grammar's
// expectation; rejection sampling for uniqueness biases accepted puzzles, so the honest check is on
// the raw sampler, with accepted-puzzle frequencies only reported (and counted exactly) by stats.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/kk/rng.ts';
import { sampleStatement } from '../src/kk/sample.ts';
import { generatePuzzles } from '../src/kk/generator.ts';
import { kkStats } from '../src/kk/stats.ts';
import { STATEMENT_DIE, type Statement } from '../src/kk/types.ts';

/** docs/METHOD.md: "die of 6 faces: leaf 1/6, not 1/6, and/or 2/6, →/↔ 2/6" (one face each). */
const METHOD_DIE = { leaf: 1, not: 1, and: 1, or: 1, '->': 1, '<=>': 1 };

function expectedRootFrequencies(die: Record<string, number>): Record<string, number> {
  const total = Object.values(die).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(die).map(([op, faces]) => [op, faces / total]));
}

function leavesOf(s: Statement): Statement[] {
  if (s.op === 'leaf') return [s];
  if (s.op === 'not') return [s.arg];
  return s.args;
}

describe('kk grammar frequencies', () => {
  it('the implementation uses the die of docs/METHOD.md', () => {
    expect({ ...STATEMENT_DIE }).toEqual(METHOD_DIE);
  });

  it('raw sampled root types are within 2 points of the grammar expectation (12,000 statements)', () => {
    const expected = expectedRootFrequencies(METHOD_DIE);
    const rng = mulberry32(2024);
    const counts: Record<string, number> = {};
    const N = 12_000;
    for (let t = 0; t < N; t++) {
      const n = 2 + (t % 7);
      const s = sampleStatement(rng, n, t % n);
      counts[s.op] = (counts[s.op] ?? 0) + 1;
    }
    for (const [op, p] of Object.entries(expected)) {
      expect(Math.abs((counts[op] ?? 0) / N - p), op).toBeLessThan(0.02);
    }
  });

  it('leaves are uniform over the 2n-1 allowed claims (n = 4: knave claims 3/7, self claims 1/7)', () => {
    const n = 4;
    const rng = mulberry32(77);
    let leaves = 0;
    let knave = 0;
    let self = 0;
    const pairs = new Set<string>();
    for (let t = 0; t < 10_000; t++) {
      const speaker = t % n;
      for (const l of leavesOf(sampleStatement(rng, n, speaker))) {
        if (l.op !== 'leaf') continue;
        leaves++;
        if (!l.knight) knave++;
        if (l.person === speaker) self++;
        pairs.add(`${l.person === speaker}:${l.knight}`);
      }
    }
    // Allowed claims per speaker: n knight claims + (n - 1) knave claims; one of them is about self.
    expect(Math.abs(knave / leaves - (n - 1) / (2 * n - 1))).toBeLessThan(0.02);
    expect(Math.abs(self / leaves - 1 / (2 * n - 1))).toBeLessThan(0.02);
    expect(pairs.has('true:false')).toBe(false);
  });

  it('stats counts accepted-puzzle statement types exactly and reports the grammar expectation', () => {
    const puzzles = generatePuzzles({ people: [3, 4, 5, 6, 7, 8], count: 2400, seed: 3 });
    const s = kkStats(puzzles);
    const manual: Record<string, number> = {};
    for (const p of puzzles) for (const st of p.statements) manual[st.op] = (manual[st.op] ?? 0) + 1;
    expect(s.statements).toBe(puzzles.reduce((a, p) => a + p.n, 0));
    expect(s.statements).toBeGreaterThanOrEqual(10_000);
    for (const [op, c] of Object.entries(manual)) expect(s.ops[op as Statement['op']]).toBe(c);
    expect(s.grammarFrequency).toEqual(expectedRootFrequencies(METHOD_DIE));
    for (const n of [3, 4, 5, 6, 7, 8]) expect(s.byPeople[n]).toBe(400);
    // Uniqueness selection shifts accepted frequencies away from the raw grammar, but not wildly.
    for (const [op, p] of Object.entries(s.opFrequency)) expect(Math.abs(p - 1 / 6), op).toBeLessThan(0.05);
  });
});
