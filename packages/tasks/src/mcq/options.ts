// MMLU-Pro's answer options: up to ten (A–J), padded with "N/A" in some releases. The padding is
// dropped, the rest re-lettered, and the gold index mapped to its new position.
import { DataError } from '../task.ts';

export const LETTERS = 'ABCDEFGHIJ';

function isNotApplicable(o: string): boolean {
  return /^\s*n\/?a\s*$/i.test(o);
}

/** Options as stored: a JSON array, or (CSV exports) a JSON/Python list literal in a string. */
export function parseOptions(v: unknown, where: string): string[] {
  let list: unknown = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v);
    } catch {
      list = parsePythonStringList(v);
    }
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' || typeof x === 'number')) {
    throw new DataError('field "options" must be a non-empty list of strings', where);
  }
  return list.map(String);
}

/** `['a', "b's"]` as Python's repr writes it; undefined when it is not such a list. */
function parsePythonStringList(s: string): string[] | undefined {
  const t = s.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  const out: string[] = [];
  const re = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*(,|$)/y;
  const body = t.slice(1, -1);
  re.lastIndex = 0;
  while (re.lastIndex < body.length) {
    const m = re.exec(body);
    if (!m) return undefined;
    const raw = m[1] ?? m[2];
    out.push(raw.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c));
    if (m[3] === '') break;
  }
  return out;
}

export interface CleanOptions {
  options: string[];
  /** 0-based index of the gold option among the kept options. */
  goldIndex: number;
}

/** Drop "N/A" options and map the gold (given as 0-based index into the original list). */
export function cleanOptions(original: readonly string[], goldIndex: number, where: string): CleanOptions {
  if (!Number.isInteger(goldIndex) || goldIndex < 0 || goldIndex >= original.length) {
    throw new DataError(`gold answer index ${goldIndex} is outside the ${original.length} options`, where);
  }
  if (isNotApplicable(original[goldIndex])) throw new DataError('the gold answer is an "N/A" option', where);
  const options: string[] = [];
  let mapped = -1;
  original.forEach((o, i) => {
    if (isNotApplicable(o)) return;
    if (i === goldIndex) mapped = options.length;
    options.push(o);
  });
  if (options.length > LETTERS.length)
    throw new DataError(`at most ${LETTERS.length} options are supported, got ${options.length}`, where);
  return { options, goldIndex: mapped };
}
