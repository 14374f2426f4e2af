// MMLU-Pro multiple choice: loading, "N/A" removal with re-lettering, letter extraction and the
// reward (+2 / −0.5, format gate −2).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cleanMcqOptions,
  extractMcqChoice,
  loadRecords,
  mcqTask,
  parseMcqOptions,
  type McqExample,
} from '../src/index.ts';

const FILE = path.resolve(__dirname, '../../../data/mmlu-pro-sample.jsonl');
const wrap = (a: string): string => `<think>hmm</think> <answer>${a}</answer>`;

async function examples(): Promise<McqExample[]> {
  return (await loadRecords(readFileSync(FILE), FILE)).map((r, i) => mcqTask.fromRecord(r.value, r.where, i));
}

describe('mcq task', () => {
  it('loads the sample and grades the gold letter right and another letter wrong', async () => {
    const ex = await examples();
    expect(ex).toHaveLength(20);
    for (const e of ex) {
      expect(mcqTask.grade(e, wrap(`\\boxed{${e.answer}}`)), e.id).toMatchObject({ correct: true, reward: 2 });
      const other = 'ABCDEFGHIJ'[('ABCDEFGHIJ'.indexOf(e.answer) + 1) % e.options.length];
      expect(mcqTask.grade(e, wrap(`\\boxed{${other}}`)), e.id).toMatchObject({ correct: false, reward: -0.5 });
    }
  });

  it('maps the gold through answer_index and the letter alike', async () => {
    const [first] = await examples();
    expect(first.id).toBe('3479');
    expect(first.answer).toBe('E');
    const raw = { question: 'q', options: ['a', 'b', 'c'], answer: 'C' };
    expect(mcqTask.fromRecord(raw, 'x:1', 4)).toMatchObject({ id: '4', answer: 'C' });
  });

  it('drops "N/A" options, re-letters, and maps the gold', () => {
    const { options, goldIndex } = cleanMcqOptions(['w', 'N/A', 'x', 'N/A', 'y'], 4, 'x:1');
    expect(options).toEqual(['w', 'x', 'y']);
    expect(goldIndex).toBe(2);
    const e = mcqTask.fromRecord(
      { question: 'q', options: ['w', 'N/A', 'x', 'y'], answer: 'D', answer_index: 3 },
      'x:1',
      0,
    );
    expect(e.options).toEqual(['w', 'x', 'y']);
    expect(e.answer).toBe('C');
    expect(mcqTask.promptParts(e).user).toContain('C. y');
    expect(() => cleanMcqOptions(['a', 'N/A'], 1, 'x:1')).toThrow(/N\/A/);
  });

  it('reads options stored as a Python list string (CSV exports)', () => {
    expect(parseMcqOptions("['it\\'s', \"b\", 'c, d']", 'x:1')).toEqual(["it's", 'b', 'c, d']);
    expect(parseMcqOptions('["a", "b"]', 'x:1')).toEqual(['a', 'b']);
    expect(() => parseMcqOptions('nope', 'x:1')).toThrow(/options/);
  });

  it('extracts the letter from \\boxed, a bare answer, a phrase or the last standalone letter', () => {
    const L = 'ABCDEFGHIJ';
    expect(extractMcqChoice('\\boxed{\\text{(C)}}', L)).toBe('C');
    expect(extractMcqChoice(' D ', L)).toBe('D');
    expect(extractMcqChoice('(B) because of x', L)).toBe('B');
    expect(extractMcqChoice('A man said so; the answer is (G).', L)).toBe('G');
    expect(extractMcqChoice('I think option F fits best', L)).toBe('F');
    expect(extractMcqChoice('I think so', L)).toBeUndefined();
    expect(extractMcqChoice('\\boxed{J}', 'ABCD')).toBeUndefined();
  });

  it('applies the format gate', async () => {
    const [e] = await examples();
    expect(mcqTask.grade(e, `\\boxed{${e.answer}}`)).toMatchObject({ reward: -2, formatOk: false, correct: true });
  });
});
