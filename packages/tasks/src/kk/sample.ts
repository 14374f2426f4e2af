// Draws one statement from the grammar of docs/METHOD.md: a 6-faced die picks the root (leaf, not,
// and, or, ->, <=>); children are leaves; "I am a knave" is never a leaf; binary parts differ.
import type { Rng } from './rng.ts';
import { STATEMENT_DIE, STATEMENT_OPS, type LeafStatement, type Statement, type StatementOp } from './types.ts';

const DIE_TOTAL = STATEMENT_OPS.reduce((s, op) => s + STATEMENT_DIE[op], 0);

function rollOp(rng: Rng): StatementOp {
  let r = rng.int(DIE_TOTAL);
  for (const op of STATEMENT_OPS) {
    r -= STATEMENT_DIE[op];
    if (r < 0) return op;
  }
  return 'leaf';
}

/** Uniform over the 2n claims except (speaker, knave): "I am a knave" is a paradox. */
export function sampleLeaf(rng: Rng, n: number, speaker: number): LeafStatement {
  // Index 0..2n-2 over the claims with (speaker, knave) removed.
  let i = rng.int(2 * n - 1);
  if (i >= 2 * speaker + 1) i += 1;
  return { op: 'leaf', person: i >> 1, knight: (i & 1) === 0 };
}

function sameLeaf(a: LeafStatement, b: LeafStatement): boolean {
  return a.person === b.person && a.knight === b.knight;
}

export function sampleStatement(rng: Rng, n: number, speaker: number): Statement {
  const op = rollOp(rng);
  if (op === 'leaf') return sampleLeaf(rng, n, speaker);
  if (op === 'not') return { op: 'not', arg: sampleLeaf(rng, n, speaker) };
  const a = sampleLeaf(rng, n, speaker);
  let b = sampleLeaf(rng, n, speaker);
  while (sameLeaf(a, b)) b = sampleLeaf(rng, n, speaker);
  return op === 'and' || op === 'or' ? { op, args: [a, b] } : { op, args: [a, b] };
}

/** Every statement the grammar can produce for this speaker (used to size small puzzle spaces). */
export function allStatements(n: number, speaker: number): Statement[] {
  const leaves: LeafStatement[] = [];
  for (let p = 0; p < n; p++) {
    leaves.push({ op: 'leaf', person: p, knight: true });
    if (p !== speaker) leaves.push({ op: 'leaf', person: p, knight: false });
  }
  const out: Statement[] = [...leaves, ...leaves.map((arg): Statement => ({ op: 'not', arg }))];
  for (const op of ['and', 'or', '->', '<=>'] as const) {
    for (const a of leaves) {
      for (const b of leaves) {
        if (a !== b) out.push(op === 'and' || op === 'or' ? { op, args: [a, b] } : { op, args: [a, b] });
      }
    }
  }
  return out;
}
