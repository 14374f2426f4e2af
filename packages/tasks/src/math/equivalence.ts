// Decides whether a predicted answer means the same as the gold answer: extraction, LaTeX
// normalisation, structural matching (sets in any order, tuples in order) and, at the leaves,
// numeric equality with tolerance or symbolic equality by evaluating both sides at sample points.
import type { Cas, CasExpr, Complex } from './cas.ts';
import { extractAnswer } from './extract.ts';
import { compact, normalizeAnswer } from './normalize.ts';
import { chainToInterval, parseAnswer, type AnswerNode, type RelOp } from './structure.ts';

/** Relative tolerance for closed-form numbers (their evaluation is exact to ~1e-15). */
const NUM_TOL = 1e-8;
/** Relative tolerance at sample points, where two forms round differently in double precision. */
const POINT_TOL = 1e-7;
const POINTS = 5;

function close(a: Complex, b: Complex, tol: number): boolean {
  const scale = Math.max(1, Math.abs(a.re), Math.abs(b.re), Math.abs(a.im), Math.abs(b.im));
  if (!Number.isFinite(a.re) || !Number.isFinite(b.re)) return a.re === b.re && Math.abs(a.im - b.im) <= tol * scale;
  return Math.abs(a.re - b.re) <= tol * scale && Math.abs(a.im - b.im) <= tol * scale;
}

/** Distinct positive values (logs and roots stay real) for variable `j` at point `k`. */
function sample(j: number, k: number): number {
  return 0.31 + ((k * 7 + j * 3) % 11) * 0.173 + 0.0137 * k + 0.0071 * j;
}

function envAt(vars: readonly string[], k: number): Record<string, number> {
  const env: Record<string, number> = {};
  vars.forEach((v, j) => (env[v] = sample(j, k)));
  return env;
}

function unionVars(a: CasExpr, b: CasExpr): string[] {
  return [...new Set([...a.variables, ...b.variables])].sort();
}

/** Same value everywhere: at the sample points, or exactly when there are no variables. */
function casEqual(a: CasExpr, b: CasExpr): boolean {
  if (a.key === b.key) return true;
  const vars = unionVars(a, b);
  if (vars.length === 0) {
    const x = a.evaluate({});
    const y = b.evaluate({});
    return x !== undefined && y !== undefined && close(x, y, NUM_TOL);
  }
  let usable = 0;
  for (let k = 0; k < POINTS; k++) {
    const env = envAt(vars, k);
    const x = a.evaluate(env);
    const y = b.evaluate(env);
    if (x === undefined || y === undefined) continue;
    if (!close(x, y, POINT_TOL)) return false;
    usable++;
  }
  return usable >= 2;
}

/** a = c·b for one constant c (≠ 0, and > 0 when `positive`), at every usable sample point. */
function proportional(a: CasExpr, b: CasExpr, positive: boolean): boolean {
  const vars = unionVars(a, b);
  let ratio: Complex | undefined;
  let usable = 0;
  for (let k = 0; k < (vars.length ? POINTS : 1); k++) {
    const env = envAt(vars, k);
    const x = a.evaluate(env);
    const y = b.evaluate(env);
    if (x === undefined || y === undefined) continue;
    const zx = Math.hypot(x.re, x.im) < 1e-12;
    const zy = Math.hypot(y.re, y.im) < 1e-12;
    if (zx !== zy) return false;
    if (zx) continue;
    const d = y.re * y.re + y.im * y.im;
    const r = { re: (x.re * y.re + x.im * y.im) / d, im: (x.im * y.re - x.re * y.im) / d };
    if (ratio && !close(ratio, r, POINT_TOL)) return false;
    ratio = r;
    usable++;
  }
  if (!ratio) return false;
  if (positive && !(ratio.re > 0 && Math.abs(ratio.im) < 1e-9)) return false;
  return usable >= (vars.length ? 2 : 1);
}

/** Wall-clock budget for one comparison's CAS calls: they are synchronous and cannot be cut off
 *  mid-call, so a long answer list stops asking once the budget is spent (and counts as unequal). */
export const CAS_BUDGET_MS = 2000;

/** Switches for the few points where the public graders differ (defaults follow Math-Verify's). */
export interface EquivalenceOptions {
  /** A predicted inequality (`-2 \le x \le 7`, `x > 5`) equals the gold interval it describes
   *  (`[-2, 7]`), and a single gold inequality the predicted interval: Math-Verify's
   *  allow_set_relation_comp. Default false. A gold chain always accepts its interval. */
  allowSetRelationComp?: boolean;
  /** Bare comma lists (`10, 4, -2`) compare in order, as hendrycks/math's string comparison does.
   *  Default false: Math-Verify reads a bare list as a set. Tuples `(a, b)` and `[a, b]` are always
   *  ordered and sets `\{a, b\}` never are. */
  orderedLists?: boolean;
}

export class MathEquivalence {
  private deadline = Infinity;

  constructor(
    private readonly cas: Cas,
    private readonly options: EquivalenceOptions = {},
  ) {}

  /** Leaf expressions: identical text, or equal through the CAS. */
  /** Leaf expressions, gold first: identical text, equal through the CAS, or a prediction that is
   *  the gold value correctly rounded to two or more decimals (0.33 for 1/3, 2.6667 for 8/3). */
  expr(gold: string, pred: string): boolean {
    if (compact(gold) === compact(pred)) return true;
    if (performance.now() > this.deadline) return false;
    const x = this.cas.parse(gold);
    const y = this.cas.parse(pred);
    if (x === undefined || y === undefined) return false;
    if (casEqual(x, y)) return true;
    const decimals = /^-?\d*\.(\d{2,})$/.exec(pred.replace(/\s+/g, ''));
    if (!decimals || x.variables.length > 0) return false;
    const g = x.evaluate({});
    if (g === undefined || Math.abs(g.im) > 1e-12) return false;
    const d = decimals[1].length;
    return Math.abs(Number(pred) - g.re) <= 0.5 * 10 ** -d * (1 + 1e-9);
  }

  /** Relations compare as `lhs - rhs` up to a constant factor (positive for inequalities). */
  relation(op1: RelOp, l1: string, r1: string, op2: RelOp, l2: string, r2: string): boolean {
    if (op1 === op2 && compact(l1) === compact(l2) && compact(r1) === compact(r2)) return true;
    const form = (op: RelOp, l: string, r: string): { strict: boolean; kind: string; big: string; small: string } => {
      if (op === '<' || op === '\\le') return { strict: op === '<', kind: 'ineq', big: r, small: l };
      if (op === '>' || op === '\\ge') return { strict: op === '>', kind: 'ineq', big: l, small: r };
      return { strict: false, kind: op, big: l, small: r };
    };
    if (performance.now() > this.deadline) return false;
    const f1 = form(op1, l1, r1);
    const f2 = form(op2, l2, r2);
    if (f1.kind !== f2.kind || f1.strict !== f2.strict) return false;
    const diff = (f: typeof f1): CasExpr | undefined => {
      const big = this.cas.parse(f.big);
      const small = this.cas.parse(f.small);
      return big && small ? this.cas.subtract(big, small) : undefined;
    };
    const d1 = diff(f1);
    const d2 = diff(f2);
    return d1 !== undefined && d2 !== undefined && proportional(d1, d2, f1.kind === 'ineq');
  }

  /** Collections in any order with set semantics: every item on each side has an equal partner
   *  on the other (duplicates in a listed answer do not make it wrong). */
  private unordered(gold: AnswerNode[], pred: AnswerNode[]): boolean {
    if (gold.length === 0 || pred.length === 0) return gold.length === pred.length;
    const eq = gold.map((x) => pred.map((y) => this.nodes(x, y)));
    return eq.every((row) => row.some(Boolean)) && pred.every((_, j) => eq.some((row) => row[j]));
  }

  private ordered(a: AnswerNode[], b: AnswerNode[]): boolean {
    return a.length === b.length && a.every((x, i) => this.nodes(x, b[i]));
  }

  nodes(a: AnswerNode, b: AnswerNode): boolean {
    const collection = (n: AnswerNode): n is Extract<AnswerNode, { items: AnswerNode[] }> =>
      n.kind === 'list' || n.kind === 'set' || n.kind === 'union';
    if (a.kind === 'expr' && b.kind === 'expr') return this.expr(a.latex, b.latex);
    if (a.kind === 'tuple' && b.kind === 'tuple') {
      // gold first: a chain in the gold accepts the interval it describes; a chain predicted for an
      // interval does not answer in the form asked (Math-Verify's set/relation asymmetry)
      if (b.fromRelation && !a.fromRelation && !this.options.allowSetRelationComp) return false;
      return a.open === b.open && a.close === b.close && this.ordered(a.items, b.items);
    }
    if (a.kind === 'matrix' && b.kind === 'matrix') {
      return a.rows.length === b.rows.length && a.rows.every((row, i) => this.ordered(row, b.rows[i]));
    }
    if (a.kind === 'relation' && b.kind === 'relation') return this.relation(a.op, a.lhs, a.rhs, b.op, b.lhs, b.rhs);
    if (a.kind === 'relation' && b.kind === 'expr' && b.equation)
      return this.relation(a.op, a.lhs, a.rhs, '=', b.equation.lhs, b.equation.rhs);
    if (b.kind === 'relation' && a.kind === 'expr' && a.equation)
      return this.relation('=', a.equation.lhs, a.equation.rhs, b.op, b.lhs, b.rhs);
    // "\frac{1}{2} = \frac{10}{9}" for gold 10/9: the prediction's last value is its answer
    if (a.kind === 'expr' && !a.equation && b.kind === 'relation' && b.op === '=')
      return this.nodes(a, parseAnswer(b.rhs));
    // an inequality in one variable against an interval: compare as intervals when allowed
    if (a.kind === 'relation' && b.kind === 'tuple') {
      if (!this.options.allowSetRelationComp) return false;
      const ia = chainToInterval([a.lhs, a.rhs], [a.op]);
      return ia !== undefined && this.nodes(ia, b);
    }
    if (b.kind === 'relation' && a.kind === 'tuple') {
      if (!this.options.allowSetRelationComp) return false;
      const ib = chainToInterval([b.lhs, b.rhs], [b.op]);
      return ib !== undefined && this.nodes(a, ib);
    }
    if (a.kind === 'union' && b.kind === 'union') return this.unordered(a.items, b.items);
    if (a.kind === 'union' || b.kind === 'union') return false;
    // a bare list against a point "(3, 2)" keeps its order; lists and sets compare in any order
    if (a.kind === 'tuple' && b.kind === 'list')
      return a.open === '(' && a.close === ')' && this.ordered(a.items, b.items);
    if (b.kind === 'tuple' && a.kind === 'list')
      return b.open === '(' && b.close === ')' && this.ordered(a.items, b.items);
    if (a.kind === 'list' && b.kind === 'list' && this.options.orderedLists) return this.ordered(a.items, b.items);
    if (collection(a) && collection(b)) return this.unordered(a.items, b.items);
    if (collection(a) && a.items.length === 1) return this.nodes(a.items[0], b);
    if (collection(b) && b.items.length === 1) return this.nodes(a, b.items[0]);
    return false;
  }

  /** Normalised answer strings (already extracted). */
  answers(gold: string, pred: string): boolean {
    this.deadline = performance.now() + CAS_BUDGET_MS;
    try {
      return this.answersWithinBudget(gold, pred);
    } finally {
      this.deadline = Infinity;
    }
  }

  private answersWithinBudget(gold: string, pred: string): boolean {
    const g = normalizeAnswer(gold);
    const p = normalizeAnswer(pred);
    if (p === '' || g === '') return false;
    if (compact(g) === compact(p)) return true;
    // answers in words compare without case ("Monday" / "monday"); letters in formulas keep it
    const word = /^[A-Za-z][A-Za-z '-]*[A-Za-z]$/;
    if (word.test(g) && word.test(p) && /[A-Za-z]{3}/.test(g)) return g.toLowerCase() === p.toLowerCase();
    const gNode = parseAnswer(g);
    const pNode = parseAnswer(p);
    if (this.nodes(gNode, pNode)) return true;
    // "2,74" / "1000,99" read as decimal commas too; one-digit and three-digit groups ("-2,1",
    // "10,455") stay a list or a thousands separator
    const dc = (s: string): string | undefined =>
      /^-?\d+,(?:\d{2}|\d{4,})$/.test(s) ? s.replace(',', '.') : undefined;
    const g2 = dc(g);
    const p2 = dc(p);
    if (g2 !== undefined && this.nodes(parseAnswer(g2), pNode)) return true;
    if (p2 !== undefined && this.nodes(gNode, parseAnswer(p2))) return true;
    return false;
  }

  /** Full texts: the final answer is extracted from each side first (gold may be bare or boxed). */
  texts(gold: string, pred: string): boolean {
    const g = extractAnswer(gold, { gold: true }) ?? gold;
    const p = extractAnswer(pred);
    return p !== undefined && this.answers(g, p);
  }
}
