// The public K&K sample (data/kk) loads into our types; its own answers grade correct,
// any single flipped identity grades wrong, and our texts/tuple format reproduce its strings.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kkToJsonl, parseKkJsonl } from '../src/kk/io.ts';
import { formatStatementsTuple } from '../src/kk/tuple.ts';
import { solutionText, solutionTextFormat } from '../src/kk/text.ts';
import { gradeKk } from '../src/kk/reward.ts';
import { uniqueSolution } from '../src/kk/solver.ts';
import { generatePuzzles } from '../src/kk/generator.ts';
import { DataError } from '../src/task.ts';
import { allSolutions, readPythonTuple } from './kk-checker.ts';

const DIR = path.resolve(__dirname, '../../../data/kk');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();
const raw = files.flatMap((f) =>
  readFileSync(path.join(DIR, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>),
);
const puzzles = files.flatMap((f) => parseKkJsonl(readFileSync(path.join(DIR, f), 'utf8'), f));

describe('public K&K sample', () => {
  it('loads every record with ids, sizes and structured statements', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    expect(puzzles).toHaveLength(raw.length);
    expect(new Set(puzzles.map((p) => p.id)).size).toBe(puzzles.length);
    puzzles.forEach((p, i) => {
      const r = raw[i];
      expect(p.n).toBe((r.names as string[]).length);
      expect(p.quiz).toBe(r.quiz);
      expect(p.solution).toEqual(r.solution);
      expect(p.index).toBe(r.index);
      // The structured statements mean the same as an independent reading of the tuple string.
      expect(p.statements).toEqual(readPythonTuple(r.statements as string));
      // And the tuple writer reproduces the public string exactly.
      expect(formatStatementsTuple(p.statements)).toBe(r.statements);
    });
  });

  it('each puzzle has exactly the recorded solution (independent checker and our solver)', () => {
    for (const p of puzzles) {
      expect(allSolutions(p.statements)).toEqual([p.solution]);
      expect(uniqueSolution(p.statements)).toEqual(p.solution);
    }
  });

  it('our solution texts match the public ones', () => {
    for (const p of puzzles) {
      expect(solutionText(p.names, p.solution)).toBe(p.solution_text);
      expect(solutionTextFormat(p.names, p.solution)).toBe(p.solution_text_format);
    }
  });

  it("a record's own solution_text_format grades correct; flipping any one identity grades wrong", () => {
    for (const p of puzzles) {
      const wrap = (a: string) => `<think>x</think> <answer>${a}</answer>`;
      for (const scheme of ['paper', 'logic-rl'] as const) {
        const g = gradeKk(wrap(p.solution_text_format), p.names, p.solution, scheme);
        expect(g.correct, p.id).toBe(true);
        expect(g.reward).toBe(scheme === 'paper' ? 2 : 3);
      }
      expect(gradeKk(wrap(p.solution_text), p.names, p.solution).correct).toBe(true);
      const lines = p.solution_text_format.split('\n');
      lines.forEach((line, i) => {
        const flipped = lines.slice();
        flipped[i] = line.includes('knight') ? line.replace('knight', 'knave') : line.replace('knave', 'knight');
        const g = gradeKk(wrap(flipped.join('\n')), p.names, p.solution);
        expect(g.correct, `${p.id} flip ${i}`).toBe(false);
        expect(g.reward).toBe(-0.5);
      });
    }
  });
});

describe('kk JSONL io', () => {
  it('round-trips our own records', () => {
    const ps = generatePuzzles({ people: [2, 5, 8], count: 30, seed: 1 });
    expect(parseKkJsonl(kkToJsonl(ps), 'x.jsonl')).toEqual(ps);
  });

  it('reports bad records with file:line', () => {
    const line = JSON.stringify(raw[0]);
    const bad = (mut: (r: Record<string, unknown>) => void): string => {
      const r = JSON.parse(line) as Record<string, unknown>;
      mut(r);
      return `${line}\n\n${JSON.stringify(r)}\n`;
    };
    const cases: Array<[string, RegExp]> = [
      [`${line}\n{oops\n`, /^d\.jsonl:2: malformed JSON/],
      [bad((r) => (r.solution = (r.solution as boolean[]).map((b) => !b))), /^d\.jsonl:3: .*inconsistent/],
      [bad((r) => (r.statements = "(('lying', 9),)")), /^d\.jsonl:3: field "statements"/],
      [bad((r) => (r.statements = '((')), /^d\.jsonl:3: field "statements"/],
      [bad((r) => delete r.quiz), /^d\.jsonl:3: field "quiz"/],
      [bad((r) => (r.names = ['A'])), /^d\.jsonl:3: "names" must have 2\.\.8/],
      [bad((r) => (r.n = 9)), /^d\.jsonl:3: field "n"/],
      [`${line}\n${line}\n`, /^d\.jsonl:2: duplicate id/],
    ];
    for (const [text, re] of cases) {
      let err: unknown;
      try {
        parseKkJsonl(text, 'd.jsonl');
      } catch (e) {
        err = e;
      }
      expect(err, String(re)).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(re);
    }
  });
});
