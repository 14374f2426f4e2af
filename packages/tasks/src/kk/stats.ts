// Dataset statistics: puzzles per size and statement-type frequencies, next to the frequencies
// the grammar's die implies for raw (pre-rejection) statements, to show the selection bias.
import { STATEMENT_DIE, STATEMENT_OPS, type KkPuzzle, type StatementOp } from './types.ts';

export interface KkStats {
  puzzles: number;
  statements: number;
  byPeople: Record<string, number>;
  /** Root node type counts over all statements. */
  ops: Record<StatementOp, number>;
  /** Fraction of statements per root type (accepted puzzles). */
  opFrequency: Record<StatementOp, number>;
  /** What the grammar gives before uniqueness rejection. */
  grammarFrequency: Record<StatementOp, number>;
  /** Fraction of people who are knights in the solutions. */
  knightFraction: number;
}

/** Root-type probabilities implied by the die (children never change the root type). */
export function grammarOpFrequency(): Record<StatementOp, number> {
  const total = STATEMENT_OPS.reduce((s, op) => s + STATEMENT_DIE[op], 0);
  return Object.fromEntries(STATEMENT_OPS.map((op) => [op, STATEMENT_DIE[op] / total])) as Record<StatementOp, number>;
}

export function kkStats(puzzles: readonly KkPuzzle[]): KkStats {
  const ops = Object.fromEntries(STATEMENT_OPS.map((op) => [op, 0])) as Record<StatementOp, number>;
  const byPeople: Record<string, number> = {};
  let statements = 0;
  let knights = 0;
  let people = 0;
  for (const p of puzzles) {
    byPeople[p.n] = (byPeople[p.n] ?? 0) + 1;
    for (const s of p.statements) {
      ops[s.op]++;
      statements++;
    }
    knights += p.solution.filter(Boolean).length;
    people += p.n;
  }
  const opFrequency = Object.fromEntries(
    STATEMENT_OPS.map((op) => [op, statements ? ops[op] / statements : 0]),
  ) as Record<StatementOp, number>;
  return {
    puzzles: puzzles.length,
    statements,
    byPeople,
    ops,
    opFrequency,
    grammarFrequency: grammarOpFrequency(),
    knightFraction: people ? knights / people : 0,
  };
}
