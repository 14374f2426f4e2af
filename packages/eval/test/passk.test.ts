// pass@k must equal the closed form 1 − C(n−c,k)/C(n,k), computed here independently with exact
// BigInt binomials, for every n ≤ 20, c ≤ n, k ≤ n.
import { describe, expect, it } from 'vitest';
import { meanPassAtK, passAtK, reportedKs } from '../src/index.ts';

function binom(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

describe('passAtK', () => {
  it('equals 1 − C(n−c,k)/C(n,k) for all n ≤ 20', () => {
    let checked = 0;
    for (let n = 1; n <= 20; n++) {
      for (let c = 0; c <= n; c++) {
        for (let k = 1; k <= n; k++) {
          const den = binom(n, k);
          const num = den - binom(n - c, k); // exact numerator of the probability
          const expected = Number(num) / Number(den);
          expect(Math.abs(passAtK(n, c, k) - expected)).toBeLessThan(1e-12);
          checked++;
        }
      }
    }
    expect(checked).toBe(Array.from({ length: 20 }, (_, i) => (i + 2) * (i + 1)).reduce((a, b) => a + b, 0));
  });

  it('is the plain success fraction at k = 1', () => {
    for (let n = 1; n <= 12; n++) for (let c = 0; c <= n; c++) expect(passAtK(n, c, 1)).toBeCloseTo(c / n, 14);
  });

  it('matches a hand-worked case and the extremes', () => {
    // 4 samples, 2 correct, draw 2: only the draw of both wrong ones fails, 1 of C(4,2) = 6.
    expect(passAtK(4, 2, 2)).toBeCloseTo(5 / 6, 14);
    expect(passAtK(256, 0, 256)).toBe(0);
    expect(passAtK(256, 1, 256)).toBe(1);
    // Large n stays finite and in [0, 1] (no overflowing binomials).
    const v = passAtK(1000, 3, 100);
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThan(1);
  });

  it('rejects impossible counts', () => {
    expect(() => passAtK(4, 5, 1)).toThrow(RangeError);
    expect(() => passAtK(4, 1, 5)).toThrow(RangeError);
    expect(() => passAtK(4, 1, 0)).toThrow(RangeError);
    expect(() => passAtK(0, 0, 1)).toThrow(RangeError);
    expect(() => passAtK(4, 1.5, 1)).toThrow(RangeError);
  });
});

describe('meanPassAtK / reportedKs', () => {
  it('averages over questions', () => {
    expect(
      meanPassAtK(
        [
          { n: 4, c: 0 },
          { n: 4, c: 4 },
          { n: 4, c: 2 },
        ],
        2,
      ),
    ).toBeCloseTo((0 + 1 + 5 / 6) / 3, 14);
    expect(meanPassAtK([], 1)).toBeNaN();
  });

  it('reports powers of two up to n, plus n', () => {
    expect(reportedKs(1)).toEqual([1]);
    expect(reportedKs(4)).toEqual([1, 2, 4]);
    expect(reportedKs(5)).toEqual([1, 2, 4, 5]);
    expect(reportedKs(256)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  });
});
