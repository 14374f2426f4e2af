// Generator acceptance: every puzzle has exactly one solution (checked by an independent brute
// force), follows the grammar, has no repeated statement tuple, and is reproducible from its seed.
import { describe, expect, it } from 'vitest';
import { generatePuzzles, planCounts, puzzleCapacity } from '../src/kk/generator.ts';
import { KK_NAMES } from '../src/kk/names.ts';
import { mulberry32 } from '../src/kk/rng.ts';
import { sampleStatement } from '../src/kk/sample.ts';
import { countSolutions, solve } from '../src/kk/solver.ts';
import { kkToJsonl } from '../src/kk/io.ts';
import type { Statement } from '../src/kk/types.ts';
import { allSolutions } from './kk-checker.ts';

const SIZES = [2, 3, 4, 5, 6, 7, 8];
const puzzles = generatePuzzles({ people: SIZES, count: 2800, seed: 11 });

describe('kk generator', () => {
  it('generates the requested number over every size 2..8', () => {
    expect(puzzles).toHaveLength(2800);
    for (const n of SIZES) expect(puzzles.filter((p) => p.n === n).length).toBeGreaterThanOrEqual(300);
  });

  it('every puzzle has exactly one solution, equal to the stored one (independent brute force)', () => {
    for (const p of puzzles) {
      const sols = allSolutions(p.statements);
      expect(sols, p.id).toHaveLength(1);
      expect(sols[0], p.id).toEqual(p.solution);
    }
  });

  it('follows the grammar: depth <= 2, leaf children, distinct binary parts, no "I am a knave"', () => {
    for (const p of puzzles) {
      p.statements.forEach((s, speaker) => {
        const leaves = s.op === 'leaf' ? [s] : s.op === 'not' ? [s.arg] : s.args;
        for (const l of leaves) {
          expect(l.op).toBe('leaf');
          if (l.op === 'leaf') {
            expect(l.person).toBeGreaterThanOrEqual(0);
            expect(l.person).toBeLessThan(p.n);
            expect(l.person === speaker && !l.knight, `${p.id} speaker ${speaker}`).toBe(false);
          }
        }
        if (s.op !== 'leaf' && s.op !== 'not') {
          expect(s.args).toHaveLength(2);
          expect(JSON.stringify(s.args[0])).not.toBe(JSON.stringify(s.args[1]));
        }
      });
    }
  });

  it('has no duplicate statement tuples', () => {
    const keys = puzzles.map((p) => JSON.stringify(p.statements));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('draws distinct names from a list of at least 50, and writes the texts', () => {
    expect(new Set(KK_NAMES).size).toBeGreaterThanOrEqual(50);
    for (const p of puzzles.slice(0, 300)) {
      expect(new Set(p.names).size).toBe(p.n);
      for (const name of p.names) expect(KK_NAMES).toContain(name);
      expect(p.quiz.startsWith('A very special island is inhabited only by knights and knaves.')).toBe(true);
      expect(p.quiz).toContain(`You meet ${p.n} inhabitants:`);
      expect(p.quiz.endsWith('So who is a knight and who is a knave?')).toBe(true);
      for (const name of p.names) expect(p.quiz).toContain(name);
      const lines = p.solution_text_format.split('\n');
      expect(lines).toHaveLength(p.n);
      lines.forEach((l, i) => expect(l).toBe(`(${i + 1}) ${p.names[i]} is a ${p.solution[i] ? 'knight' : 'knave'}`));
      expect(p.solution_text.endsWith('.')).toBe(true);
    }
    // Several speech templates are in use.
    const openings = new Set(
      puzzles
        .slice(0, 300)
        .flatMap((p) =>
          p.quiz.split(/(?<=[.?"])\s+/).map((s) => s.replace(/"[^"]*"/g, 'Q').replace(/\b[A-Z][a-z]+\b/g, 'N')),
        ),
    );
    expect(openings.size).toBeGreaterThan(8);
  });

  it('is reproducible: same seed, same puzzles; another seed, other puzzles', () => {
    const a = kkToJsonl(generatePuzzles({ people: [3, 5], count: 50, seed: 42 }));
    const b = kkToJsonl(generatePuzzles({ people: [3, 5], count: 50, seed: 42 }));
    const c = kkToJsonl(generatePuzzles({ people: [3, 5], count: 50, seed: 43 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('knows exactly how many 2-person puzzles exist (independent enumeration) and spreads the rest', () => {
    // Enumerate the 2-person grammar independently: claims (person, knight?) minus (self, knave).
    let unique = 0;
    const options = (speaker: number): Statement[] => {
      const leaves: Statement[] = [];
      for (let person = 0; person < 2; person++) {
        for (const knight of [true, false])
          if (!(person === speaker && !knight)) leaves.push({ op: 'leaf', person, knight });
      }
      const out: Statement[] = [...leaves, ...leaves.map((arg) => ({ op: 'not', arg }) as Statement)];
      for (const op of ['and', 'or', '->', '<=>'] as const) {
        for (const a of leaves) for (const b of leaves) if (a !== b) out.push({ op, args: [a, b] } as Statement);
      }
      return out;
    };
    for (const s0 of options(0)) for (const s1 of options(1)) if (allSolutions([s0, s1]).length === 1) unique++;
    expect(puzzleCapacity(2)).toBe(unique);
    expect(puzzles.filter((p) => p.n === 2)).toHaveLength(unique);
    const plan = planCounts([2, 3], 1000);
    expect(plan.counts).toEqual([
      { n: 2, count: unique },
      { n: 3, count: 1000 - unique },
    ]);
    expect(plan.notes.join()).toContain(`only ${unique}`);
    expect(() => planCounts([2], unique + 1)).toThrow(RangeError);
    expect(() => planCounts([9], 10)).toThrow(RangeError);
    expect(() => planCounts([3], 0)).toThrow(RangeError);
  });
});

describe('kk solver', () => {
  it('agrees with the independent brute force on unfiltered random statements, n = 2..8', () => {
    const rng = mulberry32(5);
    const seenCounts = new Set<number>();
    for (let t = 0; t < 1500; t++) {
      const n = 2 + (t % 7);
      const statements = Array.from({ length: n }, (_, i) => sampleStatement(rng, n, i));
      const expected = allSolutions(statements);
      seenCounts.add(Math.min(expected.length, 2));
      expect(countSolutions(statements)).toBe(expected.length);
      expect(
        solve(statements)
          .map((s) => s.join())
          .sort(),
      ).toEqual(expected.map((s) => s.join()).sort());
    }
    expect([...seenCounts].sort()).toEqual([0, 1, 2]); // the sample covers 0, 1 and many solutions
  });
});

describe('generatePuzzles with fixed names', () => {
  it('uses the given names in order, and the puzzles stay uniquely solvable and distinct', () => {
    const names = ['Zoey', 'Oliver', 'Mia'];
    const ps = generatePuzzles({ people: [2, 3], count: 60, seed: 4, names });
    const keys = new Set<string>();
    for (const p of ps) {
      expect(p.names).toEqual(names.slice(0, p.n));
      for (const nm of p.names) expect(p.quiz).toContain(nm);
      expect(allSolutions(p.statements)).toHaveLength(1);
      keys.add(JSON.stringify(p.statements));
    }
    expect(keys.size).toBe(ps.length);
    expect(() => generatePuzzles({ people: [3], count: 2, seed: 1, names: ['Zoey', 'Oliver'] })).toThrow(
      /3 distinct names/,
    );
  });
});
