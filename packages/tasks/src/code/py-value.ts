// The page's side of the grader's data channel: reads the one nonce-framed report a sandboxed
// program wrote, checks every value against the strict tagged encoding of harness.ts (plain Python
// data only), and compares HumanEval+ outputs by type and value. Nothing here trusts the program.

/** A Python value as harness.ts encodes it: None/bool/str as JSON, the rest tagged. */
export type PyValue =
  | null
  | boolean
  | string
  | { i: string }
  | { f: string }
  | { l: PyValue[] }
  | { t: PyValue[] }
  | { d: [PyValue, PyValue][] }
  | { s: PyValue[] }
  | { fs: PyValue[] };

/** One call's outcome in the candidate's run. */
export type CallResult = { ok: PyValue } | { err: string };

const MAX_DEPTH = 100;
const FLOAT = /^-?(?:inf|nan|\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/;

/** The value if `x` is exactly a valid encoding (no extra keys, no wrong types), else throws. */
export function checkPyValue(x: unknown, depth = 0): PyValue {
  if (depth > MAX_DEPTH) throw new Error('value nested too deeply');
  if (x === null || typeof x === 'boolean' || typeof x === 'string') return x;
  if (typeof x !== 'object' || Array.isArray(x)) throw new Error('not an encoded value');
  const keys = Object.keys(x);
  if (keys.length !== 1) throw new Error('an encoded value has exactly one tag');
  const tag = keys[0];
  const v = (x as Record<string, unknown>)[tag];
  const list = (): PyValue[] => {
    if (!Array.isArray(v)) throw new Error(`tag ${tag} needs a list`);
    return v.map((e) => checkPyValue(e, depth + 1));
  };
  switch (tag) {
    case 'i':
      if (typeof v !== 'string' || !/^-?[0-9a-f]+$/.test(v)) throw new Error('bad int');
      return { i: v };
    case 'f':
      if (typeof v !== 'string' || !FLOAT.test(v)) throw new Error('bad float');
      return { f: v };
    case 'l':
      return { l: list() };
    case 't':
      return { t: list() };
    case 's':
      return { s: list() };
    case 'fs':
      return { fs: list() };
    case 'd':
      if (!Array.isArray(v)) throw new Error('tag d needs a list');
      return {
        d: v.map((p): [PyValue, PyValue] => {
          if (!Array.isArray(p) || p.length !== 2) throw new Error('a dict item is a pair');
          return [checkPyValue(p[0], depth + 1), checkPyValue(p[1], depth + 1)];
        }),
      };
    default:
      throw new Error(`unknown tag ${tag}`);
  }
}

export function checkCallResults(x: unknown, count: number): CallResult[] {
  if (!Array.isArray(x) || x.length !== count) throw new Error(`expected ${count} call results`);
  return x.map((r): CallResult => {
    if (r === null || typeof r !== 'object' || Array.isArray(r) || Object.keys(r).length !== 1)
      throw new Error('a call result is {ok} or {err}');
    const o = r as Record<string, unknown>;
    if ('ok' in o) return { ok: checkPyValue(o.ok) };
    if (typeof o.err === 'string') return { err: o.err.slice(0, 200) };
    throw new Error('a call result is {ok} or {err}');
  });
}

/** The JSON after the single line that starts with `nonce`; throws when there is none or several
 *  (the program printed a frame of its own). */
export function readReport(stdout: string, nonce: string): unknown {
  const lines = stdout.split('\n').filter((l) => l.startsWith(nonce));
  if (lines.length !== 1) throw new Error(lines.length === 0 ? 'no report' : 'more than one report');
  return JSON.parse(lines[0].slice(nonce.length));
}

const key = (v: PyValue): string => JSON.stringify(v);

function num(v: PyValue): number | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  if ('f' in v) return Number(v.f.replace('inf', 'Infinity').replace('nan', 'NaN'));
  if ('i' in v) return Number(v.i.startsWith('-') ? -BigInt(`0x${v.i.slice(1)}`) : BigInt(`0x${v.i}`));
  return undefined;
}

const isFloat = (v: PyValue): boolean => v !== null && typeof v === 'object' && 'f' in v;

/** HumanEval+'s comparison: same type and value; int and float compare as numbers within
 *  `atol` (+1e-7 relative) when either is a float, NaN equals NaN; bool is not a number. */
export function samePyValue(got: PyValue, exp: PyValue, atol: number): boolean {
  if ((isFloat(got) || isFloat(exp)) && num(got) !== undefined && num(exp) !== undefined) {
    const g = num(got) as number;
    const e = num(exp) as number;
    if (g === e || (Number.isNaN(g) && Number.isNaN(e))) return true;
    return Math.abs(g - e) <= atol + 1e-7 * Math.abs(e);
  }
  if (got === null || exp === null || typeof got !== 'object' || typeof exp !== 'object') return got === exp;
  const [gt] = Object.keys(got);
  const [et] = Object.keys(exp);
  if (gt !== et) return false;
  const gv = (got as Record<string, unknown>)[gt];
  const ev = (exp as Record<string, unknown>)[et];
  switch (et) {
    case 'l':
    case 't': {
      const a = gv as PyValue[];
      const b = ev as PyValue[];
      return a.length === b.length && a.every((x, i) => samePyValue(x, b[i], atol));
    }
    case 'd': {
      const a = gv as [PyValue, PyValue][];
      const b = ev as [PyValue, PyValue][];
      const byKey = new Map(a.map(([k, v]) => [key(k), v]));
      return (
        a.length === b.length &&
        byKey.size === a.length &&
        b.every(([k, v]) => {
          const g = byKey.get(key(k));
          return g !== undefined && samePyValue(g, v, atol);
        })
      );
    }
    default:
      // ints exactly; sets as their canonical (sorted) encodings
      return key(got) === key(exp);
  }
}
