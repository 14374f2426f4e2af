// The replication script's bookkeeping: the settings key that names and resumes runs, per-level
// pass@1, and mean ± std over seeds (no training here).
import { describe, expect, it } from 'vitest';
import {
  aggregateOverSeeds,
  type EvalResult,
  groupKey,
  levelOf,
  levelPass1,
  meanStd,
  onTarget,
  pct,
  settingsKey,
  strictPass1,
} from '../scripts/replicate-lib.ts';

describe('settingsKey', () => {
  it('ignores key order and undefined fields but changes with any value', () => {
    const a = settingsKey({ seed: 0, args: ['--lr', '1e-3'], nested: { x: 1, y: 2 } });
    expect(settingsKey({ nested: { y: 2, x: 1 }, args: ['--lr', '1e-3'], seed: 0, gone: undefined })).toBe(a);
    expect(settingsKey({ seed: 1, args: ['--lr', '1e-3'], nested: { x: 1, y: 2 } })).not.toBe(a);
    expect(settingsKey({ seed: 0, args: ['--lr', '1e-2'], nested: { x: 1, y: 2 } })).not.toBe(a);
    // argument order is part of a command line
    expect(settingsKey({ seed: 0, args: ['1e-3', '--lr'], nested: { x: 1, y: 2 } })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('meanStd', () => {
  it('uses the sample standard deviation over seeds', () => {
    const m = meanStd([0.1, 0.2, 0.3]);
    expect(m.mean).toBeCloseTo(0.2, 12);
    expect(m.std).toBeCloseTo(0.1, 12); // sqrt((0.01 + 0 + 0.01) / 2)
    expect(m.n).toBe(3);
    expect(meanStd([0.4]).std).toBe(0);
    expect(Number.isNaN(meanStd([]).mean)).toBe(true);
    expect(pct(m)).toBe('20.0 ± 10.0');
    expect(pct(meanStd([]))).toBe('–');
  });
});

describe('levels', () => {
  it('reads MATH "Level 3" and numeric levels', () => {
    expect(levelOf({ level: 'Level 3' })).toBe(3);
    expect(levelOf({ level: 2 })).toBe(2);
    expect(levelOf({})).toBeUndefined();
  });

  it('averages per-question success rates within a level', () => {
    const samples = [
      { id: 'a', correct: true },
      { id: 'a', correct: false },
      { id: 'b', correct: true },
      { id: 'b', correct: true },
      { id: 'c', correct: false },
      { id: 'c', correct: false },
      { id: 'unknown', correct: true },
    ];
    const levels = new Map([
      ['a', 1],
      ['b', 1],
      ['c', 2],
    ]);
    expect(levelPass1(samples, levels)).toEqual({
      '1': { questions: 2, pass1: 0.75 },
      '2': { questions: 1, pass1: 0 },
    });
  });
});

describe('strictPass1', () => {
  it('counts a sample only when it is correct and passes the format gate', () => {
    const samples = [
      { id: 'a', correct: true, format_ok: false },
      { id: 'a', correct: true, format_ok: true },
      { id: 'b', correct: false, format_ok: true },
      { id: 'b', correct: true },
    ];
    expect(strictPass1(samples)).toBeCloseTo(0.25, 12); // a: 1/2, b: 0/2
    expect(Number.isNaN(strictPass1([]))).toBe(true);
  });
});

describe('aggregateOverSeeds', () => {
  const r = (
    seed: number,
    arm: EvalResult['arm'],
    pass1: number,
    trainedOn?: string,
    evalDomain = 'math',
  ): EvalResult => ({
    seed,
    arm,
    trainedOn,
    evalDomain,
    pass1,
    passk: { '1': pass1, '4': Math.min(1, 2 * pass1) },
    levels: { '1': { questions: 2, pass1 } },
    formatFailureRate: 1 - pass1,
  });

  it('groups by arm, training domain and evaluated domain, and keeps the per-seed values', () => {
    const aggs = aggregateOverSeeds([
      r(0, 'base', 0.1),
      r(1, 'base', 0.3),
      r(2, 'base', 0.2),
      r(0, 'warmup-rlvr', 0.5, 'math'),
      r(1, 'warmup-rlvr', 0.7, 'math'),
      r(0, 'warmup-rlvr', 0.05, 'mcq'), // trained on mcq, evaluated on math: cross-domain
    ]);
    const base = aggs.get(groupKey('base', undefined, 'math'));
    expect(base?.seeds).toEqual([0, 1, 2]);
    expect(base?.pass1.mean).toBeCloseTo(0.2, 12);
    expect(base?.pass1.std).toBeCloseTo(0.1, 12);
    expect(base?.passk['4'].mean).toBeCloseTo(0.4, 12);
    expect(base?.levels['1'].values).toEqual([0.1, 0.3, 0.2]);
    expect(onTarget(aggs, 'warmup-rlvr', 'math')?.pass1.mean).toBeCloseTo(0.6, 12);
    expect(onTarget(aggs, 'warmup-rlvr', 'math')?.pass1.values).toEqual([0.5, 0.7]);
    expect(aggs.get(groupKey('warmup-rlvr', 'mcq', 'math'))?.pass1.values).toEqual([0.05]);
    expect(onTarget(aggs, 'base-rlvr', 'math')).toBeUndefined();
  });
});
