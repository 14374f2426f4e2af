// The MATH task end to end: records load from the public format, the prompt follows the paper,
// and the reward follows docs/METHOD.md (gate −2, right +2, wrong −0.5, no box −1).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRecords, mathTask, R1_SYSTEM, renderPrompt, type MathExample } from '../src/index.ts';

const FILE = path.resolve(__dirname, '../../../data/math-sample.jsonl');

async function examples(): Promise<MathExample[]> {
  const recs = await loadRecords(readFileSync(FILE), FILE);
  return recs.map((r, i) => mathTask.fromRecord(r.value, r.where, i));
}

const wrap = (answer: string): string => `<think>working</think> <answer>The answer is $${answer}$</answer>`;

describe('math task', () => {
  it('loads MATH-500-style records with ids, levels and subjects', async () => {
    const ex = await examples();
    expect(ex).toHaveLength(30);
    expect(ex[0].id).toBe('train/precalculus/337.json');
    expect(ex[0].answer).toBe('13');
    expect(ex[0].level).toBe(4);
    expect(ex[0].subject).toBe('Precalculus');
  });

  it('grades every gold answer, boxed, as correct (+2) and a wrong one as wrong (−0.5)', async () => {
    for (const ex of await examples()) {
      const good = await mathTask.grade(ex, wrap(`\\boxed{${ex.answer}}`));
      expect(good, ex.id).toMatchObject({ correct: true, reward: 2, formatOk: true });
      const bad = await mathTask.grade(ex, wrap(`\\boxed{${ex.answer} + 1}`));
      expect(bad, ex.id).toMatchObject({ correct: false, reward: -0.5 });
      const other = await mathTask.grade(ex, wrap('\\boxed{-987654}'));
      expect(other.correct, ex.id).toBe(false);
    }
  });

  it('gives −1 without \\boxed and −2 when the format gate fails', async () => {
    const [ex] = await examples();
    expect((await mathTask.grade(ex, wrap(ex.answer))).reward).toBe(-1);
    const noTags = await mathTask.grade(ex, `I think it is \\boxed{${ex.answer}}`);
    expect(noTags).toMatchObject({ reward: -2, formatOk: false, correct: true });
    const trailing = await mathTask.grade(ex, `${wrap(`\\boxed{${ex.answer}}`)} extra`);
    expect(trailing.reward).toBe(-2);
    const twoAnswers = await mathTask.grade(
      ex,
      `<think>a</think> <answer>1</answer> <answer>\\boxed{${ex.answer}}</answer>`,
    );
    expect(twoAnswers.reward).toBe(-2);
  });

  it('takes the gold from the solution when a record has no answer field', () => {
    const ex = mathTask.fromRecord(
      { problem: 'p', solution: 'so $\\boxed{\\frac{1}{2}}$.', level: 'Level 3', type: 'Algebra' },
      'x:1',
      7,
    );
    expect(ex).toMatchObject({ id: '7', answer: '\\frac{1}{2}', level: 3, subject: 'Algebra' });
    expect(() => mathTask.fromRecord({ problem: 'p' }, 'x:2', 0)).toThrow(/x:2/);
  });

  it('builds the paper-style prompt', async () => {
    const [ex] = await examples();
    const parts = mathTask.promptParts(ex);
    expect(parts.system).toBe(R1_SYSTEM);
    expect(parts.user.startsWith(ex.problem)).toBe(true);
    expect(parts.user).toContain('put your final answer within \\boxed{}');
    expect(renderPrompt(parts, 'r1').endsWith('Assistant: <think>')).toBe(true);
  });
});
