// Math answer equivalence: agreement with public graders' cases and the individual rules
// (normalisation, numbers, structures, relations, extraction from free text).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { asObject, extractMathAnswer, findBoxed, loadCas, MathEquivalence, parseJsonl } from '../src/index.ts';

let eq: MathEquivalence;
beforeAll(async () => {
  eq = new MathEquivalence(await loadCas());
});

const SAMPLE = path.resolve(__dirname, '../../../data/answer-equivalence-sample.jsonl');

describe('agreement with public graders', () => {
  it("agrees on at least 97% of the answer-equivalence sample, with each grader's own settings", async () => {
    const cas = await loadCas();
    const cases = parseJsonl(readFileSync(SAMPLE, 'utf8'), SAMPLE).map(({ value, where }) => asObject(value, where));
    expect(cases.length).toBeGreaterThan(50);
    const agree = cases.filter((c) => {
      const config = (c.checker_config ?? {}) as Record<string, unknown>;
      const options = {
        allowSetRelationComp: config.allow_set_relation_comp === true,
        orderedLists: c.checker === 'hendrycks_is_equiv',
      };
      return new MathEquivalence(cas, options).texts(String(c.gold), String(c.pred)) === c.expected;
    }).length;
    expect(agree / cases.length).toBeGreaterThanOrEqual(0.97);
  });
});

const same = (g: string, p: string): boolean => eq.texts(g, p);

describe('equivalence rules', () => {
  it.each([
    ['\\frac{1}{2}', '\\dfrac12'],
    ['\\frac{\\sqrt{3}}{2}', '\\tfrac{\\sqrt3}{2}'],
    ['0.5', '\\frac{1}{2}'],
    ['1/2', '.5'],
    ['5\\sqrt{2}', '\\sqrt{50}'],
    ['x^2+2x+1', '(x+1)^2'],
    ['2^{10}', '1024'],
    ['\\$18.90', '18.9'],
    ['90^\\circ', '90'],
    ['10\\%', '10'],
    ['12000023', '12,000,023'],
    ['12000', '12,\\!000'],
    ['125', '125 \\text{ miles}'],
    ['4', '4\\text{ cm}^2'],
    ['\\text{Evelyn}', 'Evelyn'],
    ['\\text{(C)}', 'C'],
    ['7', 'x = 7'],
    ['(3, 2)', '(p, q) = (3, 2)'],
    ['\\{1, 2\\}', '\\{2, 1\\}'],
    ['2, 3', '3, 2'],
    ['\\pm 2', '2, -2'],
    ['(-\\infty, 2) \\cup (3, \\infty)', '(3,\\infty)\\cup(-\\infty,2)'],
    ['(0, 1)', 'x \\in (0, 1)'],
    ['x > 5', 'x \\gt 5'],
    ['x < 1', '-x > -1'],
    ['y = 2x + 3', '2x - y + 3 = 0'],
    [
      '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}',
      '\\left[\\begin{array}{cc} 1 & 2 \\\\ 3 & 4 \\end{array}\\right]',
    ],
    ['\\frac{1}{3}', '0.33'],
    ['\\sqrt{17}', '4.123105625617661'],
  ])('%s ≡ %s', (g, p) => {
    expect(same(g, p)).toBe(true);
  });

  it.each([
    ['3', '3.5'],
    ['\\frac{1}{2}', '\\frac{1}{3}'],
    ['(1, 2)', '(2, 1)'],
    ['[1, 2]', '(1, 2)'],
    ['x^2', 'x^3'],
    ['12000023', '12000023.4'],
    ['1000000', '1000001'],
    ['-3', '3'],
    ['\\frac{1}{3}', '0.3'],
    ['1, 2', '1.2'],
    ['7 = 11a + c', '11a + c'],
    ['10, 4, 2', '4, 12, 2'],
    ['x \\neq 5', 'x = 5'],
    ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix} 1 & 2 \\\\ 3 & 5 \\end{pmatrix}'],
    // bounds and limit points are part of the value (a bound index is not a free variable)
    ['\\sum_{k=1}^{10} k', '\\sum_{k=1}^{9} k'],
    ['\\sum_{k=1}^{n} k^2', '\\sum_{k=0}^{n-1} k^2'],
    ['\\int_0^1 x\\,dx', '\\int_0^2 x\\,dx'],
    ['\\lim_{x \\to 0} \\frac{\\sin x}{x}', '\\lim_{x \\to 1} \\frac{\\sin x}{x}'],
  ])('%s ≢ %s', (g, p) => {
    expect(same(g, p)).toBe(false);
  });

  it('orders tuples and intervals, not sets; bare lists only in hendrycks mode (orderedLists)', async () => {
    const hendrycks = new MathEquivalence(await loadCas(), { orderedLists: true });
    expect(same('2, 3', '3, 2')).toBe(true);
    expect(hendrycks.texts('2, 3', '3, 2')).toBe(false);
    expect(hendrycks.texts('10, 4, -2', '10, 4, -2')).toBe(true);
    for (const e of [eq, hendrycks]) {
      expect(e.texts('(1, 2)', '(2, 1)')).toBe(false);
      expect(e.texts('[1, 2]', '[2, 1]')).toBe(false);
      expect(e.texts('\\{1, 2\\}', '\\{2, 1\\}')).toBe(true);
    }
  });

  it('a predicted inequality is not the gold interval unless allowSetRelationComp; a gold chain accepts it', async () => {
    const allow = new MathEquivalence(await loadCas(), { allowSetRelationComp: true });
    expect(same('[-2, 7]', '-2 \\le x \\le 7')).toBe(false);
    expect(same('(5, \\infty)', 'x > 5')).toBe(false);
    expect(same('-2 \\le x \\le 7', 'x \\in [-2, 7]')).toBe(true);
    expect(allow.texts('[-2, 7]', '-2 \\le x \\le 7')).toBe(true);
    expect(allow.texts('(5, \\infty)', 'x > 5')).toBe(true);
    // the option compares sets; it never equates different ones
    expect(allow.texts('[-2, 7]', '-2 < x \\le 7')).toBe(false);
    expect(allow.texts('(5, \\infty)', 'x > 6')).toBe(false);
  });

  // Their timings are in scripts/bench-guards.ts; here only the verdicts.
  it('sums and limits equal in value match, whatever their index is called', () => {
    expect(same('55', '\\sum_{k=1}^{10} k')).toBe(true);
    expect(same('\\sum_{i=1}^{10} i', '\\sum_{k=1}^{10} k')).toBe(true);
    expect(same('1', '\\lim_{x \\to 0} \\frac{\\sin x}{x}')).toBe(true);
  });

  it('rejects inputs built to be slow', () => {
    expect(same('2', '2^{2^{2^{10}}}')).toBe(false);
    expect(same('1', '10^{10^{10}}')).toBe(false);
    expect(same('1', 'x'.repeat(5000))).toBe(false);
  });
});

describe('answer extraction', () => {
  it('finds \\boxed and \\fbox with nested braces', () => {
    const b = findBoxed('so \\boxed{\\frac{1}{2}} and \\fbox{x^{2}}');
    expect(b.map((s) => s.content)).toEqual(['\\frac{1}{2}', 'x^{2}']);
  });
  it('prefers the last marker: a later "final answer is" beats earlier boxes', () => {
    expect(
      extractMathAnswer(
        '\\boxed{200} then \\boxed{255}. Final Answer: The final answer is $10,455$. I hope it is correct.',
      ),
    ).toBe('10,455');
  });
  it('joins adjacent boxes separated only by connectives', () => {
    expect(extractMathAnswer('roots \\(\\boxed{1}\\) and \\(\\boxed{-2}\\).')).toBe('1, -2');
  });
  it('joins boxes named part by part, as one answer in order', () => {
    expect(extractMathAnswer('so x = \\boxed{1} and y = \\boxed{2}.')).toBe('1, 2');
    expect(extractMathAnswer('\\boxed{1} is wrong, the answer is \\boxed{2}')).toBe('2');
  });
  it('drops thousands separators and units from free text, never digits of the value', () => {
    expect(extractMathAnswer('The area is 12 cm^2.')).toBe('12');
    expect(extractMathAnswer('It is 3 m² wide.')).toBe('3');
    expect(same('1234567', 'about 1 234 567 people live there')).toBe(true);
    expect(same('1234567', 'about 1 234 568 people live there')).toBe(false);
    expect(same('12', '\\boxed{12\\,\\mathrm{m}}')).toBe(true);
    expect(same('12', '\\boxed{12\\,\\mathrm{e}}')).toBe(false);
    expect(same('12', '\\boxed{13\\,\\mathrm{m}}')).toBe(false);
  });
  it('reads the number out of prose when there is no math', () => {
    expect(extractMathAnswer('Final Answer: Jane started growing Sphere 3 hours ago.')).toBe('3');
    expect(extractMathAnswer('Soucis : 2,74 $ a..')).toBe('2,74');
  });
  it('does not take "the answer" inside reasoning for an answer', () => {
    expect(extractMathAnswer('to get the answer, we add 5 and 3, which gives $8$')).toBe('8');
  });
});

describe('CAS budget', () => {
  it('gives up on a huge list within the budget instead of comparing every pair', () => {
    const many = Array.from({ length: 300 }, (_, i) => `\\sqrt{${i + 2}}x^{${i}}`).join(', ');
    const shuffled = Array.from({ length: 300 }, (_, i) => `\\sqrt{${301 - i}}x^{${299 - i}}+1`).join(', ');
    expect(same(many, shuffled)).toBe(false); // timing: scripts/bench-guards.ts
  });
});
