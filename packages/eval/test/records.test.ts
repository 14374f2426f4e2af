// completions.jsonl parsing: a torn last line is tolerated, anything else malformed is an error
// naming file:line.
import { describe, expect, it } from 'vitest';
import { completionLine, parseCompletions, type CompletionRecord } from '../src/index.ts';

const rec: CompletionRecord = {
  id: 'q',
  sample: 0,
  completion: 'c',
  reward: 2,
  correct: true,
  format_ok: true,
  tokens: 3,
  truncated: false,
};

describe('parseCompletions', () => {
  it('round-trips records and drops a torn last line', () => {
    const text = `${completionLine(rec)}\n${completionLine({ ...rec, sample: 1, extracted: 'x' })}\n{"id":"q","sam`;
    const { records, tornTail } = parseCompletions(text, 'c.jsonl');
    expect(tornTail).toBe(true);
    expect(records).toEqual([rec, { ...rec, sample: 1, extracted: 'x' }]);
    expect(parseCompletions(`${completionLine(rec)}\n`, 'c.jsonl').tornTail).toBe(false);
  });

  it('rejects malformed lines elsewhere and bad fields, naming file:line', () => {
    expect(() => parseCompletions(`{"id":\n${completionLine(rec)}\n`, 'c.jsonl')).toThrow(
      /^c\.jsonl:1: malformed JSON/,
    );
    expect(() =>
      parseCompletions(`${completionLine(rec)}\n${JSON.stringify({ ...rec, correct: 'yes' })}\n`, 'c.jsonl'),
    ).toThrow(/c\.jsonl:2: field "correct" must be a boolean/);
    expect(() => parseCompletions(JSON.stringify({ ...rec, sample: -1 }) + '\n', 'c.jsonl')).toThrow(
      /"sample" must be an integer >= 0/,
    );
  });
});
