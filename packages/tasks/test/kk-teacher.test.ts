// The programmatic teacher: its answer grades correct on every generated and public puzzle, in
// the exact completion format, and its long traces really search (hypotheses, contradictions,
// backtracking, final verification) while the short style does not; the cases style is a correct
// truth table.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePuzzles } from '../src/kk/generator.ts';
import { teacherTrace } from '../src/kk/teacher.ts';
import { speechSentences } from '../src/kk/teacher-cases.ts';
import { gradeKk } from '../src/kk/reward.ts';
import { parseKkJsonl } from '../src/kk/io.ts';
import { makeKkSftRecords } from '../src/kk/sft.ts';
import { kkPrompt } from '../src/kk/task.ts';
import { statementText } from '../src/kk/text.ts';
import { evaluate } from '../src/kk/logic.ts';

const puzzles = generatePuzzles({ people: [2, 3, 4, 5, 6, 7, 8], count: 2100, seed: 21 });
const DIR = path.resolve(__dirname, '../../../data/kk');
const publicPuzzles = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => parseKkJsonl(readFileSync(path.join(DIR, f), 'utf8'), f));

describe('kk teacher', () => {
  it('grades correct (both schemes, both styles) on 2,100 generated puzzles and the public sample', () => {
    for (const p of [...puzzles, ...publicPuzzles]) {
      for (const style of ['long', 'short'] as const) {
        const c = teacherTrace(p, { style });
        const paper = gradeKk(c, p.names, p.solution, 'paper');
        expect(paper.correct && paper.reward === 2, `${p.id} ${style}: ${paper.detail}`).toBe(true);
        expect(gradeKk(c, p.names, p.solution, 'logic-rl').reward).toBe(3);
      }
    }
  });

  it('writes the completion that follows the prompt: reasoning, then "</think> <answer>…</answer>"', () => {
    const p = puzzles[500];
    const c = teacherTrace(p);
    expect(c.startsWith('<think>')).toBe(false);
    expect(c.split('</think> <answer>')).toHaveLength(2);
    expect(c.endsWith('</answer>')).toBe(true);
    expect(c).toContain(p.solution_text_format);
    expect(gradeKk(kkPrompt(p, 'r1').slice(-7) + c, p.names, p.solution).reward).toBe(2); // "<think>" + trace also passes
  });

  it('long traces try hypotheses, hit contradictions, back up, and verify every statement', () => {
    const sample = puzzles.filter((q) => q.n >= 4).slice(0, 300);
    let hypotheses = 0;
    let contradictions = 0;
    let backtracked = 0;
    for (const p of sample) {
      const c = teacherTrace(p, { style: 'long' });
      const think = c.slice(0, c.indexOf('</think>'));
      if (/Suppose|assume|Assume|What if/.test(think)) hypotheses++;
      if (think.includes('That is a contradiction.')) contradictions++;
      if (/cannot be a (knight|knave); \S+ must be a/.test(think)) backtracked++;
      expect(think).toContain('verify');
      // The verification mentions every statement with its speaker.
      p.statements.forEach((s, i) =>
        expect(think).toContain(
          `- ${p.names[i]} is a ${p.solution[i] ? 'knight' : 'knave'} and says "${statementText(s, p.names)}"`,
        ),
      );
    }
    // Some puzzles fall to pure deduction; most need case splits, and many need backtracking.
    expect(hypotheses).toBeGreaterThan(sample.length / 2);
    expect(contradictions).toBeGreaterThan(sample.length / 2);
    expect(backtracked).toBeGreaterThan(sample.length / 10);
  });

  it('short traces skip failed branches and verification and are much shorter', () => {
    let long = 0;
    let short = 0;
    for (const p of puzzles.slice(0, 700)) {
      const l = teacherTrace(p, { style: 'long' });
      const s = teacherTrace(p, { style: 'short' });
      long += l.length;
      short += s.length;
      expect(s).not.toContain('contradiction');
      expect(s).not.toContain('verify');
    }
    expect(short * 3).toBeLessThan(long);
  });

  it('verbosity switches work independently', () => {
    const p = puzzles.find((q) => q.n === 5)!;
    const full = teacherTrace(p);
    const bare = teacherTrace(p, { restate: false, explain: false, verify: false, checkAlternatives: false });
    expect(bare.length).toBeLessThan(full.length);
    expect(bare).not.toContain('The statements are:');
    expect(full).toContain('The statements are:');
    expect(gradeKk(bare, p.names, p.solution).reward).toBe(2);
  });

  it('cases traces grade correct, look every part up right, and stop at the only fitting case', () => {
    const sample = [...puzzles.filter((q) => q.n <= 5).slice(0, 400), ...publicPuzzles.filter((q) => q.n <= 4)];
    let lookups = 0;
    let checks = 0;
    let copied = 0;
    for (const p of sample) {
      const c = teacherTrace(p, { style: 'cases' });
      // Each person's sentence, copied verbatim from the quiz, then restated plainly.
      const said = speechSentences(p);
      if (said) {
        copied++;
        said.forEach((sentence, i) => {
          expect(p.quiz).toContain(sentence);
          expect(c).toContain(`\n${sentence}\nSo ${p.names[i]} says: ${statementText(p.statements[i], p.names)}.\n`);
        });
      }
      expect(gradeKk(c, p.names, p.solution, 'paper').reward, p.id).toBe(2);
      let at: boolean[] = [];
      let cases = 0;
      for (const line of c.split('\n')) {
        const head = /^Case (\d+): (.*)\.$/.exec(line);
        if (head) {
          cases++;
          expect(Number(head[1])).toBe(cases);
          // "A is a knight, B is a knave, and C is a knight" -> identities in the order of names
          at = p.names.map((n) => new RegExp(`${n} is a knight`).test(head[2]));
          continue;
        }
        const says = /^(\w+) says (.*): (true|false)\. A (knight|knave) (can|cannot) say that/.exec(line);
        if (!says) continue;
        const i = p.names.indexOf(says[1]);
        // Every "(true)/(false)" annotation is the look-up of the claim right before it.
        for (const m of says[2].matchAll(/(\w+) is (not )?a (knight|knave) \((true|false)\)/g)) {
          const holds = (at[p.names.indexOf(m[1])] === (m[3] === 'knight')) !== Boolean(m[2]);
          expect(String(holds), `${p.id}: ${m[0]}`).toBe(m[4]);
          lookups++;
        }
        checks++;
        expect(says[3]).toBe(String(evaluate(p.statements[i], at)));
        expect(says[4]).toBe(at[i] ? 'knight' : 'knave');
        expect(says[5] === 'can').toBe(evaluate(p.statements[i], at) === at[i]);
      }
      // Cases go knight-first with the first person most significant; the answer is the last one tried.
      const index = p.solution.reduce((acc, k) => acc * 2 + (k ? 0 : 1), 0);
      expect(cases, p.id).toBe(index + 1);
      expect(at).toEqual(p.solution);
    }
    expect(copied).toBeGreaterThanOrEqual(400); // every generated quiz splits into its sentences
    expect(lookups).toBeGreaterThan(1000);
    expect(checks).toBeGreaterThan(1000);
  });

  it('refuses a puzzle whose stored solution is wrong rather than answer wrongly', () => {
    const p = puzzles[10];
    expect(() => teacherTrace({ ...p, solution: p.solution.map((k, i) => (i === 0 ? !k : k)) })).toThrow(/solution/);
  });

  it('makes SFT records with rendered prompts', () => {
    const recs = makeKkSftRecords(puzzles.slice(0, 5), 'chat', { style: 'short' });
    expect(recs).toHaveLength(5);
    recs.forEach((r, i) => {
      expect(Object.keys(r).sort()).toEqual(['completion', 'id', 'prompt', 'reward', 'source']);
      expect(r.id).toBe(puzzles[i].id);
      expect(r.source).toBe('kk-teacher');
      expect(r.reward).toBe(2);
      expect(r.prompt).toBe(kkPrompt(puzzles[i], 'chat'));
      expect(r.completion).toBe(teacherTrace(puzzles[i], { style: 'short' }));
    });
  });
});
