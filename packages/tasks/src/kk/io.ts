// K&K JSONL records in and out. Field names follow the public K&K datasets (quiz, names,
// solution, solution_text, solution_text_format, statements as a Python tuple string, index), so
// public files load as they are; our own files add `id` and `n`.
import { asObject, getString, parseJsonl, toJsonl } from '../jsonl.ts';
import { DataError } from '../task.ts';
import { evaluate, isWellFormed } from './logic.ts';
import { formatStatementsTuple, parseStatementsTuple, statementFromNode } from './tuple.ts';
import { solutionText, solutionTextFormat } from './text.ts';
import { MAX_PEOPLE, MIN_PEOPLE, type KkPuzzle, type Statement } from './types.ts';

/** The public datasets' vocabulary block, written for compatibility with their tools. */
const KNIGHT_KNAVE = {
  knight: 'knight',
  knave: 'knave',
  a_knight: 'a knight',
  a_knave: 'a knave',
  Knight: 'Knight',
  Knave: 'Knave',
};

/** JSON shape of one exported puzzle. */
export interface KkRecord {
  id: string;
  index: number;
  n: number;
  names: string[];
  statements: string;
  solution: boolean[];
  quiz: string;
  solution_text: string;
  solution_text_format: string;
  knight_knave: typeof KNIGHT_KNAVE;
}

function statementFromObject(v: unknown): Statement {
  if (Array.isArray(v)) return statementFromNode(v);
  const o = v as Partial<Record<string, unknown>> | null;
  if (!o || typeof o !== 'object') throw new Error(`expected a statement, got ${JSON.stringify(v)}`);
  if (o.op === 'leaf') {
    if (typeof o.person !== 'number' || typeof o.knight !== 'boolean')
      throw new Error('leaf needs person (number) and knight (boolean)');
    return { op: 'leaf', person: o.person, knight: o.knight };
  }
  if (o.op === 'not') return { op: 'not', arg: statementFromObject(o.arg) };
  if ((o.op === 'and' || o.op === 'or' || o.op === '->' || o.op === '<=>') && Array.isArray(o.args)) {
    const args = o.args.map(statementFromObject);
    if (o.op === 'and' || o.op === 'or') return { op: o.op, args };
    if (args.length !== 2) throw new Error(`"${o.op}" takes two parts`);
    return { op: o.op, args: [args[0], args[1]] };
  }
  throw new Error(`unknown statement ${JSON.stringify(v)}`);
}

function readStatements(raw: unknown, n: number, where: string): Statement[] {
  let statements: Statement[];
  try {
    if (typeof raw === 'string') statements = parseStatementsTuple(raw);
    else if (Array.isArray(raw)) statements = raw.map(statementFromObject);
    else throw new Error('must be a tuple string or an array');
  } catch (e) {
    throw new DataError(`field "statements": ${(e as Error).message}`, where);
  }
  if (statements.length !== n)
    throw new DataError(`field "statements" has ${statements.length} entries for ${n} people`, where);
  statements.forEach((s, i) => {
    if (!isWellFormed(s, n))
      throw new DataError(`field "statements": statement ${i + 1} mentions a person outside 0..${n - 1}`, where);
  });
  return statements;
}

/** Parse one record (ours or a public one). `position` is the record's 0-based place in its file. */
export function puzzleFromRecord(record: unknown, where: string, position: number): KkPuzzle {
  const o = asObject(record, where);
  const names = o.names;
  if (!Array.isArray(names) || !names.every((x): x is string => typeof x === 'string' && x.trim() !== '')) {
    throw new DataError('field "names" must be an array of non-empty strings', where);
  }
  const n = names.length;
  if (n < MIN_PEOPLE || n > MAX_PEOPLE)
    throw new DataError(`"names" must have ${MIN_PEOPLE}..${MAX_PEOPLE} entries, got ${n}`, where);
  if (new Set(names).size !== n) throw new DataError('field "names" has repeated names', where);
  for (const key of ['n', 'num_people']) {
    if (o[key] !== undefined && o[key] !== n)
      throw new DataError(`field "${key}" (${String(o[key])}) disagrees with ${n} names`, where);
  }
  const solution = o.solution;
  if (
    !Array.isArray(solution) ||
    solution.length !== n ||
    !solution.every((x): x is boolean => typeof x === 'boolean')
  ) {
    throw new DataError(`field "solution" must be an array of ${n} booleans`, where);
  }
  const statements = readStatements(o.statements, n, where);
  statements.forEach((s, i) => {
    if (evaluate(s, solution) !== solution[i]) {
      throw new DataError(`"solution" is inconsistent with the statement of ${names[i]}`, where);
    }
  });
  const quiz = getString(o, 'quiz', where);
  const optionalText = (key: string, fallback: string): string =>
    o[key] === undefined ? fallback : getString(o, key, where);
  const index = Number.isInteger(o.index) ? (o.index as number) : position;
  let id: string;
  if (typeof o.id === 'string' && o.id !== '') id = o.id;
  else if (typeof o.id === 'number') id = String(o.id);
  else id = Number.isInteger(o.index) ? `kk-n${n}-i${index}` : `kk-n${n}-r${position}`;
  return {
    id,
    index,
    n,
    names: names.slice(),
    statements,
    solution: solution.slice(),
    quiz,
    solution_text: optionalText('solution_text', solutionText(names, solution)),
    solution_text_format: optionalText('solution_text_format', solutionTextFormat(names, solution)),
  };
}

export function puzzleToRecord(p: KkPuzzle): KkRecord {
  return {
    id: p.id,
    index: p.index,
    n: p.n,
    names: p.names,
    statements: formatStatementsTuple(p.statements),
    solution: p.solution,
    quiz: p.quiz,
    solution_text: p.solution_text,
    solution_text_format: p.solution_text_format,
    knight_knave: KNIGHT_KNAVE,
  };
}

/** Parse a K&K JSONL file's text; `source` names the file in errors. Ids must be unique. */
export function parseKkJsonl(text: string, source: string): KkPuzzle[] {
  const seen = new Map<string, string>();
  return parseJsonl(text, source).map(({ value, where }, i) => {
    const p = puzzleFromRecord(value, where, i);
    const first = seen.get(p.id);
    if (first) throw new DataError(`duplicate id "${p.id}" (first at ${first})`, where);
    seen.set(p.id, where);
    return p;
  });
}

export function kkToJsonl(
  puzzles: readonly KkPuzzle[],
  extra?: (p: KkPuzzle, i: number) => Record<string, unknown>,
): string {
  return toJsonl(puzzles.map((p, i) => (extra ? { ...puzzleToRecord(p), ...extra(p, i) } : puzzleToRecord(p))));
}
