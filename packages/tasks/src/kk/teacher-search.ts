// The teacher's reasoning as data: a depth-first search over hypotheses with forced deductions
// (propagation) and contradictions, recorded as a tree that teacher.ts turns into prose.
import { evaluatePartial, mentionedPeople } from './logic.ts';
import type { Statement } from './types.ts';

export type Assignment = Array<boolean | undefined>;

/** A forced identity: statement `stmt` (spoken by person `stmt`) decides `person`. */
export interface DeduceStep {
  kind: 'deduce';
  stmt: number;
  /** 0: speaker known, so the statement must be true/false; 1: the statement (not about its
   *  speaker) has a known truth value, which decides the speaker; 2: the statement mentions its
   *  speaker and only some readings are consistent. */
  via: 0 | 1 | 2;
  forced: Array<{ person: number; knight: boolean }>;
  /** Identities known just before this step. */
  before: Assignment;
}

export interface ContradictionStep {
  kind: 'contradiction';
  stmt: number;
  at: Assignment;
}

/** A case split on one person. `assumed` false means the value was forced because the other
 *  value had already failed; `alternative` marks a check made after a solution was found. */
export interface BranchStep {
  kind: 'branch';
  person: number;
  knight: boolean;
  assumed: boolean;
  alternative: boolean;
  ok: boolean;
  body: Step[];
}

export interface SolvedStep {
  kind: 'solved';
  at: Assignment;
}

export type Step = DeduceStep | ContradictionStep | BranchStep | SolvedStep;

export interface SearchResult {
  steps: Step[];
  solution?: boolean[];
}

type Analysis =
  | { kind: 'ok' }
  | { kind: 'contradiction' }
  | { kind: 'force'; via: 0 | 1 | 2; forced: Array<{ person: number; knight: boolean }> };

function analyze(statements: readonly Statement[], i: number, assign: Assignment): Analysis {
  const vars = [i, ...mentionedPeople(statements[i]).filter((p) => p !== i)];
  const unknown = vars.filter((p) => assign[p] === undefined);
  const trial = assign.slice();
  const agree: Array<boolean | undefined | null> = unknown.map(() => null); // null: no model yet
  let models = 0;
  for (let mask = 0; mask < 1 << unknown.length; mask++) {
    unknown.forEach((p, j) => (trial[p] = ((mask >> j) & 1) === 1));
    if (evaluatePartial(statements[i], trial) !== trial[i]) continue;
    models++;
    unknown.forEach((p, j) => {
      const v = trial[p] as boolean;
      agree[j] = agree[j] === null ? v : agree[j] === v ? v : undefined;
    });
  }
  if (models === 0) return { kind: 'contradiction' };
  const forced = unknown.flatMap((p, j) =>
    typeof agree[j] === 'boolean' ? [{ person: p, knight: agree[j] as boolean }] : [],
  );
  if (forced.length === 0) return { kind: 'ok' };
  const via = assign[i] !== undefined ? 0 : mentionedPeople(statements[i]).includes(i) ? 2 : 1;
  return { kind: 'force', via, forced };
}

/** Apply forced deductions until none is left; stops at the first contradiction. */
function propagate(statements: readonly Statement[], assign: Assignment, steps: Step[]): boolean {
  for (;;) {
    let best: { i: number; a: Extract<Analysis, { kind: 'force' }> } | undefined;
    for (let i = 0; i < statements.length; i++) {
      const a = analyze(statements, i, assign);
      if (a.kind === 'contradiction') {
        steps.push({ kind: 'contradiction', stmt: i, at: assign.slice() });
        return false;
      }
      if (a.kind === 'force' && (!best || a.via < best.a.via)) best = { i, a };
    }
    if (!best) return true;
    steps.push({ kind: 'deduce', stmt: best.i, via: best.a.via, forced: best.a.forced, before: assign.slice() });
    for (const f of best.a.forced) assign[f.person] = f.knight;
  }
}

export interface SearchOptions {
  /** After a solution is found, also refute the untried value at every case split. */
  checkAlternatives: boolean;
}

function dfs(statements: readonly Statement[], assign: Assignment, opts: SearchOptions): SearchResult {
  const steps: Step[] = [];
  if (!propagate(statements, assign, steps)) return { steps };
  const open = assign.indexOf(undefined);
  if (open < 0) {
    steps.push({ kind: 'solved', at: assign.slice() });
    return { steps, solution: assign as boolean[] };
  }
  const first = dfs(statements, withValue(assign, open, true), opts);
  steps.push({
    kind: 'branch',
    person: open,
    knight: true,
    assumed: true,
    alternative: false,
    ok: !!first.solution,
    body: first.steps,
  });
  if (first.solution) {
    if (opts.checkAlternatives) {
      const other = dfs(statements, withValue(assign, open, false), opts);
      steps.push({
        kind: 'branch',
        person: open,
        knight: false,
        assumed: true,
        alternative: true,
        ok: !!other.solution,
        body: other.steps,
      });
      if (other.solution) throw new Error('puzzle has more than one solution');
    }
    return { steps, solution: first.solution };
  }
  const second = dfs(statements, withValue(assign, open, false), opts);
  steps.push({
    kind: 'branch',
    person: open,
    knight: false,
    assumed: false,
    alternative: false,
    ok: !!second.solution,
    body: second.steps,
  });
  return { steps, solution: second.solution };
}

function withValue(assign: Assignment, p: number, v: boolean): Assignment {
  const next = assign.slice();
  next[p] = v;
  return next;
}

/** Search for the solution from scratch (nobody's identity known). */
export function searchSolution(statements: readonly Statement[], opts: SearchOptions): SearchResult {
  return dfs(
    statements,
    statements.map(() => undefined),
    opts,
  );
}
