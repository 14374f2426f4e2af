// Parses a normalised answer into the shapes graders compare differently: lists and sets (any
// order), tuples and intervals (ordered, bracket kinds matter), unions, matrices, relations and
// plain expressions. Leaves stay LaTeX strings for the CAS. `x =` / `(p,q) =` prefixes are dropped.
import { splitTopLevel, wrapsWhole } from './latex-scan.ts';

export type AnswerNode =
  | { kind: 'expr'; latex: string; equation?: { lhs: string; rhs: string } }
  | { kind: 'list'; items: AnswerNode[] }
  // fromRelation: an interval written as an inequality chain (`a \le x \le b`), not in brackets
  | { kind: 'tuple'; open: string; close: string; items: AnswerNode[]; fromRelation?: boolean }
  | { kind: 'set'; items: AnswerNode[] }
  | { kind: 'union'; items: AnswerNode[] }
  | { kind: 'matrix'; rows: AnswerNode[][] }
  | { kind: 'relation'; op: RelOp; lhs: string; rhs: string };

export type TupleNode = Extract<AnswerNode, { kind: 'tuple' }>;

export type RelOp = '=' | '<' | '>' | '\\le' | '\\ge' | '\\neq';

const REL = /\\(?:le|ge|neq|approx|in)(?![a-zA-Z])|=|<|>/;

/** A name rather than a value: built from letters only (`x`, `x_1`, `AB`, `f(x)`, `(x, y)`,
 *  `A:B`, `|AB|`, `\frac{NO}{BO}`), so `x = 3` means "the answer is 3" but `a + 3z = 0` does not. */
export function isVariableLike(s: string): boolean {
  const t = s.replace(/\s+/g, '').replace(/_(?:\{[^{}]*\}|[A-Za-z0-9])/g, '');
  if (t === '' || /\d/.test(t)) return false;
  if (!/^(?:[A-Za-z(),:|'/*+\-^{}]|\\(?:frac|cdot|times|angle|overline|[a-zA-Z]+(?=[^a-zA-Z]|$)))+$/.test(t))
    return false;
  const letters = t.replace(/\\(?:frac|cdot|times|angle|overline)/g, '').replace(/[^A-Za-z\\]/g, '');
  return letters !== '' && !/^(?:\\pi|\\infty|e|i|\\emptyset)$/.test(letters);
}

/** One name with no arithmetic (`x`, `f(x)`, `|z|` is not): what an interval can be read off. */
function isSingleName(s: string): boolean {
  return isVariableLike(s) && !/[-+*/^|]|\\frac|\\cdot|\\times/.test(s);
}

function stripOuterBraces(s: string): string {
  let t = s.trim();
  while (t.startsWith('{') && t.endsWith('}') && wrapsWhole(t, 1, 1)) t = t.slice(1, -1).trim();
  return t;
}

const MATRIX_ENV =
  /^\\begin\{(pmatrix|bmatrix|Bmatrix|vmatrix|Vmatrix|matrix|smallmatrix|array)\}(\{[^{}]*\})?([\s\S]*)\\end\{\1\}$/;

function parseMatrix(s: string): AnswerNode | undefined {
  let t = s.trim();
  if ((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('(') && t.endsWith(')'))) t = t.slice(1, -1).trim();
  const m = MATRIX_ENV.exec(t);
  if (!m) return undefined;
  const rows = m[3]
    .split(/\\\\/)
    .map((r) => r.replace(/\\hline/g, '').trim())
    .filter((r) => r !== '')
    .map((r) => r.split('&').map((c) => parseAnswer(c)));
  return { kind: 'matrix', rows };
}

/** `a < x \le b` with a name in the middle → the interval it describes; `x > 5` → (5, ∞). */
export function chainToInterval(terms: string[], ops: string[]): TupleNode | undefined {
  const lower = (op: string): boolean => op === '<' || op === '\\le';
  const upper = (op: string): boolean => op === '>' || op === '\\ge';
  if (terms.length === 3 && isSingleName(terms[1]) && ops.every(lower)) {
    return interval(terms[0], terms[2], ops[0] === '<', ops[1] === '<');
  }
  if (terms.length === 3 && isSingleName(terms[1]) && ops.every(upper)) {
    return interval(terms[2], terms[0], ops[1] === '>', ops[0] === '>');
  }
  if (terms.length !== 2 || !(lower(ops[0]) || upper(ops[0]))) return undefined;
  const [a, b] = terms;
  const op = ops[0];
  const strict = op === '<' || op === '>';
  if (isSingleName(a)) return lower(op) ? interval('-\\infty', b, true, strict) : interval(b, '\\infty', strict, true);
  if (isSingleName(b)) return lower(op) ? interval(a, '\\infty', strict, true) : interval('-\\infty', a, true, strict);
  return undefined;
}

function interval(lo: string, hi: string, openLo: boolean, openHi: boolean): TupleNode {
  return {
    kind: 'tuple',
    open: openLo ? '(' : '[',
    close: openHi ? ')' : ']',
    items: [parseAnswer(lo), parseAnswer(hi)],
  };
}

/** One element: a relation chain, a bracketed tuple/interval, a set, or an expression. */
function parseElement(raw: string): AnswerNode {
  const s = stripOuterBraces(raw);
  const { parts, seps } = splitTopLevel(s, REL);
  if (parts.length > 1) {
    let terms = parts.map((p) => p.trim());
    let ops = seps.map((o) => o.trim());
    // x = 1/3 \approx 0.33: the exact value before the approximation is the answer
    const approx = ops.indexOf('\\approx');
    if (approx >= 0) {
      if (approx === 0 && isVariableLike(terms[0])) return parseElement(terms[1]);
      terms = terms.slice(0, approx + 1);
      ops = ops.slice(0, approx);
      if (terms.length === 1) return parseElement(terms[0]);
    }
    if (ops[0] === '\\in' && terms.length === 2 && isSingleName(terms[0])) return parseAnswer(terms[1]);
    // single inequalities stay relations (x < 1 ≡ -x > -1); the interval form is tried when compared
    if (terms.length === 3) {
      const asInterval = chainToInterval(terms, ops);
      if (asInterval) return { ...asInterval, fromRelation: true };
    }
    if (ops.every((o) => o === '=') && terms.every((t) => t !== '')) {
      const last = terms[terms.length - 1];
      if (isVariableLike(terms[0])) {
        const value = parseAnswer(last);
        if (value.kind === 'expr') return { ...value, equation: { lhs: terms[0], rhs: last } };
        return value;
      }
      // a = b = c: the chain's outer ends carry the claim
      return { kind: 'relation', op: '=', lhs: terms[0], rhs: last };
    }
    if (terms.length === 2 && ops[0] !== '\\approx' && ops[0] !== '\\in') {
      return { kind: 'relation', op: ops[0] as RelOp, lhs: terms[0], rhs: terms[1] };
    }
    return { kind: 'expr', latex: s };
  }
  const matrix = parseMatrix(s);
  if (matrix) return matrix;
  if (s.startsWith('\\{') && s.endsWith('\\}') && wrapsWhole(s, 2, 2)) {
    const inner = s.slice(2, -2).trim();
    return { kind: 'set', items: inner === '' ? [] : splitItems(inner) };
  }
  if (/^[([]/.test(s) && /[)\]]$/.test(s) && wrapsWhole(s, 1, 1)) {
    const inner = s.slice(1, -1);
    let items = splitTopLevel(inner, /,/).parts;
    if (items.length < 2) items = splitTopLevel(inner, /;/).parts; // (0;-2;6)
    if (items.length >= 2)
      return { kind: 'tuple', open: s[0], close: s[s.length - 1], items: items.map((i) => parseAnswer(i)) };
    if (s[0] === '(' && s.endsWith(')')) return parseElement(inner);
  }
  return { kind: 'expr', latex: s };
}

/** `a \pm b` stands for two answers. */
function expandPm(s: string): string[] {
  const { parts, seps } = splitTopLevel(s, /\\pm(?![a-zA-Z])/);
  if (parts.length !== 2 || seps.length !== 1) return [s];
  const [a, b] = parts;
  return a.trim() === '' ? [`${b}`, `-${b}`] : [`${a}+${b}`, `${a}-(${b})`];
}

function splitItems(s: string): AnswerNode[] {
  return splitTopLevel(s, /,/)
    .parts.map((p) => p.trim())
    .filter((p) => p !== '')
    .flatMap(expandPm)
    .map(parseElement);
}

/** Numbers written with separators: `12,000,023` is one number, `0,111` a decimal comma. */
function asSeparatedNumber(s: string): string | undefined {
  if (/^-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$/.test(s)) return s.replace(/,/g, '');
  if (/^-?[1-9]\d{0,2}(?: \d{3})+(?:\.\d+)?$/.test(s)) return s.replace(/ /g, '');
  if (/^-?0,\d+$/.test(s)) return s.replace(',', '.');
  return undefined;
}

export function parseAnswer(raw: string): AnswerNode {
  const s = stripOuterBraces(raw);
  const num = asSeparatedNumber(s);
  if (num !== undefined) return { kind: 'expr', latex: num };
  const groups = splitTopLevel(s, /;/)
    .parts.map((p) => p.trim())
    .filter((p) => p !== '');
  if (groups.length > 1) return { kind: 'list', items: groups.map((g) => asGroup(g)) };
  const union = splitTopLevel(s, /\\cup(?![a-zA-Z])/).parts;
  if (union.length > 1) return { kind: 'union', items: union.map((u) => parseElement(u)) };
  const items = splitItems(s);
  if (items.length === 1) return items[0];
  if (items.length === 0) return { kind: 'expr', latex: s };
  return { kind: 'list', items };
}

/** `p=5,q=2` inside a `;`-separated answer is one solution: the tuple (5, 2). */
function asGroup(g: string): AnswerNode {
  const node = parseAnswer(g);
  return node.kind === 'list' ? { kind: 'tuple', open: '(', close: ')', items: node.items } : node;
}
