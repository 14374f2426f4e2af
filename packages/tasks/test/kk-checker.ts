// An independent K&K checker for tests: reads statements from the public tuple-string form or the
// structured form and brute-forces assignments with plain recursion — no code shared with src/kk.

type Tree = unknown;

/** Truth of a statement under an assignment, written directly from the grammar's meaning. */
export function truthOf(s: Tree, knights: boolean[]): boolean {
  const o = s as { op: string; person?: number; knight?: boolean; arg?: Tree; args?: Tree[] };
  if (o.op === 'leaf') return knights[o.person as number] === o.knight;
  if (o.op === 'not') return !truthOf(o.arg, knights);
  const vals = (o.args as Tree[]).map((a) => truthOf(a, knights));
  if (o.op === 'and') return vals.every((v) => v);
  if (o.op === 'or') return vals.some((v) => v);
  if (o.op === '->') return !vals[0] || vals[1];
  if (o.op === '<=>') return vals[0] === vals[1];
  throw new Error(`unknown op ${o.op}`);
}

/** Every assignment in which each speaker is a knight exactly when their statement is true. */
export function allSolutions(statements: Tree[]): boolean[][] {
  const n = statements.length;
  const out: boolean[][] = [];
  const cur: boolean[] = [];
  const rec = (i: number): void => {
    if (i === n) {
      if (statements.every((s, j) => truthOf(s, cur) === cur[j])) out.push(cur.slice());
      return;
    }
    for (const v of [false, true]) {
      cur[i] = v;
      rec(i + 1);
    }
  };
  rec(0);
  return out;
}

/** Read the public datasets' Python tuple string with a regex tokenizer (no shared parser). */
export function readPythonTuple(text: string): Tree[] {
  const tokens = text.match(/\(|\)|'[^']*'|-?\d+/g) ?? [];
  let i = 0;
  const node = (): Tree => {
    if (tokens[i] !== '(') throw new Error(`expected ( at token ${i}`);
    i++;
    const items: Array<string | number | Tree> = [];
    while (tokens[i] !== ')') {
      const t = tokens[i];
      if (t === '(') items.push(node());
      else {
        items.push(t.startsWith("'") ? t.slice(1, -1) : Number(t));
        i++;
      }
    }
    i++;
    return items;
  };
  const root = node() as Tree[];
  const convert = (t: Tree): Tree => {
    const [head, ...rest] = t as [string, ...Tree[]];
    if (head === 'telling-truth' || head === 'lying')
      return { op: 'leaf', person: rest[0], knight: head === 'telling-truth' };
    if (head === 'not') return { op: 'not', arg: convert(rest[0]) };
    return { op: head, args: rest.map(convert) };
  };
  return root.map(convert);
}
