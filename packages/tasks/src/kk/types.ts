// The K&K statement grammar and puzzle record types. A statement is a small tree over claims
// "person p is a knight/knave"; the generator keeps depth <= 2, parsed public data may go deeper.

/** A claim about one person: `knight` true = "is a knight", false = "is a knave". */
export interface LeafStatement {
  op: 'leaf';
  person: number;
  knight: boolean;
}

export interface NotStatement {
  op: 'not';
  arg: Statement;
}

/** "and" / "or" take two or more parts (the generator always uses exactly two). */
export interface JunctionStatement {
  op: 'and' | 'or';
  args: Statement[];
}

/** "if A then B" (`->`) and "A if and only if B" (`<=>`). */
export interface ConditionalStatement {
  op: '->' | '<=>';
  args: [Statement, Statement];
}

export type Statement = LeafStatement | NotStatement | JunctionStatement | ConditionalStatement;

export type StatementOp = Statement['op'];

/** The six node types, in the order of the grammar's die faces. */
export const STATEMENT_OPS: readonly StatementOp[] = ['leaf', 'not', 'and', 'or', '->', '<=>'];

/**
 * The generator's die (docs/METHOD.md): one face each for leaf, not, and, or, ->, <=>; children of
 * the root are always leaves. Exported so stats and tests can state the expected frequencies.
 */
export const STATEMENT_DIE: Readonly<Record<StatementOp, number>> = {
  leaf: 1,
  not: 1,
  and: 1,
  or: 1,
  '->': 1,
  '<=>': 1,
};

export const MIN_PEOPLE = 2;
export const MAX_PEOPLE = 8;

/** One puzzle: who speaks, what they say, and the unique solution (true = knight). */
export interface KkPuzzle {
  id: string;
  /** Position in the source/generated set (the public datasets' `index`). */
  index: number;
  n: number;
  names: string[];
  /** statements[i] is what names[i] says. */
  statements: Statement[];
  solution: boolean[];
  quiz: string;
  solution_text: string;
  solution_text_format: string;
}
