// The report object: pass@1 over samples, pass@k, buckets (self and reference), length and
// format statistics, computed from hand-made records with known answers.
import { describe, expect, it } from 'vitest';
import { buildReport, type CompletionRecord } from '../src/index.ts';

/** correct[q] = per-sample correctness; tokens = 100·q + j; sample 3 is truncated and badly formatted. */
function records(correct: boolean[][]): CompletionRecord[] {
  return correct.flatMap((row, q) =>
    row.map((c, j) => ({
      id: `q${q}`,
      sample: j,
      completion: '',
      reward: c ? 2 : -0.5,
      correct: c,
      format_ok: j !== 3,
      tokens: 100 * q + j,
      truncated: j === 3,
    })),
  );
}

const T = true;
const F = false;
// Solve counts 0, 1, 2, 4 out of n = 4.
const grid = [
  [F, F, F, F],
  [F, T, F, F],
  [T, F, T, F],
  [T, T, T, T],
];
const ids = ['q0', 'q1', 'q2', 'q3'];

describe('buildReport', () => {
  const r = buildReport({
    task: 'kk',
    model: 'm',
    samples: 4,
    questionIds: ids,
    records: records(grid),
    created: new Date(0),
  });

  it('pass@1 per sample and pass@k', () => {
    expect(r.pass1.per_sample).toEqual([0.5, 0.5, 0.5, 0.25]);
    expect(r.pass1.mean).toBeCloseTo(7 / 16, 14);
    expect(Object.keys(r.passk)).toEqual(['1', '2', '4']);
    // pass@2 per question: 0, 1 − C(3,2)/C(4,2) = 1/2, 1 − 1/6 = 5/6, 1.
    expect(r.passk['2']).toBeCloseTo((0 + 0.5 + 5 / 6 + 1) / 4, 14);
    expect(r.passk['4']).toBeCloseTo(3 / 4, 14);
    expect(r.created).toBe('1970-01-01T00:00:00.000Z');
  });

  it('buckets by its own solve rate by default', () => {
    expect(r.bucket_reference).toBe('self');
    expect(r.buckets.map((b) => [b.name, b.count])).toEqual([
      ['unsolved', 1],
      ['hard', 1],
      ['medium', 1],
      ['easy', 0],
      ['always', 1],
    ]);
    expect(r.buckets[1].pass1).toBeCloseTo(0.25, 14);
    expect(r.buckets[2].passk['2']).toBeCloseTo(5 / 6, 14);
    expect(r.buckets[3].pass1).toBeNull();
    expect(r.unbucketed).toBe(0);
  });

  it('buckets by a reference run when given one', () => {
    const rates = new Map([
      ['q0', 0.5],
      ['q1', 0.5],
      ['q2', 0],
    ]);
    const x = buildReport({
      task: 'kk',
      model: 'm',
      samples: 4,
      questionIds: ids,
      records: records(grid),
      reference: { name: 'base', rates },
    });
    expect(x.bucket_reference).toBe('base');
    const medium = x.buckets.find((b) => b.name === 'medium')!;
    expect(medium.count).toBe(2);
    expect(medium.pass1).toBeCloseTo((0 + 0.25) / 2, 14);
    expect(x.buckets.find((b) => b.name === 'unsolved')!.pass1).toBeCloseTo(0.5, 14);
    expect(x.unbucketed).toBe(1);
  });

  it('length, format and truncation statistics', () => {
    expect(r.length.min).toBe(0);
    expect(r.length.max).toBe(303);
    expect(r.length.mean).toBeCloseTo(151.5, 12);
    expect(r.length.p50).toBeCloseTo(151.5, 12);
    // correct samples: q1/1, q2/0, q2/2, q3/0..3
    expect(r.length.mean_correct).toBeCloseTo((101 + 200 + 202 + 300 + 301 + 302 + 303) / 7, 12);
    expect(r.format_failure_rate).toBe(0.25);
    expect(r.truncated_rate).toBe(0.25);
    expect(r.mean_reward).toBeCloseTo((7 * 2 - 9 * 0.5) / 16, 12);
  });

  it('ignores records of other questions and rejects missing samples', () => {
    const extra = [...records(grid), { ...records(grid)[0], id: 'zz' }];
    const y = buildReport({ task: 'kk', model: 'm', samples: 4, questionIds: ids, records: extra });
    expect(y.pass1.mean).toBeCloseTo(r.pass1.mean, 14);
    expect(() =>
      buildReport({ task: 'kk', model: 'm', samples: 4, questionIds: ids, records: records(grid).slice(1) }),
    ).toThrow(/q0 has 3 samples/);
    expect(() => buildReport({ task: 'kk', model: 'm', samples: 4, questionIds: [], records: [] })).toThrow(
      /no questions/,
    );
  });
});
