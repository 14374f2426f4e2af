// The programmatic long-CoT teacher: turns the search tree of teacher-search.ts into a trace a
// person can follow (hypotheses, deductions, contradictions, backtracking, final check), ending
// in `</think> <answer>…</answer>`. The text is the completion that follows the prompt's <think>.
import { evaluate, evaluatePartial, mentionedPeople } from './logic.ts';
import { hashSeed, mulberry32, type Rng } from './rng.ts';
import {
  searchSolution,
  type Assignment,
  type BranchStep,
  type ContradictionStep,
  type DeduceStep,
  type Step,
} from './teacher-search.ts';
import { casesTraceLines } from './teacher-cases.ts';
import { identity, listNames, solutionText, solutionTextFormat, statementText } from './text.ts';
import type { KkPuzzle, Statement } from './types.ts';

export type TeacherStyle = 'long' | 'short' | 'cases';
export const TEACHER_STYLES: readonly TeacherStyle[] = ['long', 'short', 'cases'];

export interface TeacherOptions {
  /** 'long' (default): full search with explanations and a final check. 'short': only the path
   *  to the answer, one terse line per step (the paper's short-CoT ablation). 'cases': a truth
   *  table, every assignment in turn until one fits (teacher-cases.ts; learnable from scratch). */
  style?: TeacherStyle;
  /** Restate every statement before reasoning (long: on). */
  restate?: boolean;
  /** Say why each deduction follows (long: on). */
  explain?: boolean;
  /** After finding the answer, rule out the other value at every case split (long: on). */
  checkAlternatives?: boolean;
  /** Check the final assignment against every statement before answering (long: on). */
  verify?: boolean;
  /** Varies the wording; the default derives from the puzzle id, so traces are reproducible. */
  seed?: number;
}

interface Ctx {
  p: KkPuzzle;
  rng: Rng;
  explain: boolean;
  short: boolean;
}

const q = (ctx: Ctx, i: number): string => `"${statementText(ctx.p.statements[i], ctx.p.names)}"`;
const is = (ctx: Ctx, person: number, knight: boolean): string => `${ctx.p.names[person]} is a ${identity(knight)}`;
const joinAnd = (parts: string[]): string =>
  parts.length <= 2 ? parts.join(' and ') : `${parts.slice(0, -1).join(', ')}, and ${parts[parts.length - 1]}`;

/** "B is a knave and C is a knight": what is already known about the people statement i mentions. */
function knownAbout(ctx: Ctx, i: number, at: Assignment, skipSpeaker: boolean): string {
  const facts = mentionedPeople(ctx.p.statements[i])
    .filter((p) => at[p] !== undefined && !(skipSpeaker && p === i))
    .map((p) => is(ctx, p, at[p] as boolean));
  return joinAnd(facts);
}

function partText(ctx: Ctx, s: Statement): string {
  return `"${statementText(s, ctx.p.names)}"`;
}

/** Why a statement that must have truth value `truth` forces its unknown parts (root op only). */
function whyForced(ctx: Ctx, s: Statement, truth: boolean, at: Assignment): string {
  if (s.op === 'leaf' || s.op === 'not') return '';
  const vals = s.args.map((a) => evaluatePartial(a, at));
  const knownIdx = vals.findIndex((v) => v !== undefined);
  const known = knownIdx >= 0 ? s.args[knownIdx] : undefined;
  const kv = knownIdx >= 0 ? vals[knownIdx] : undefined;
  const tf = (v: boolean | undefined): string => (v ? 'true' : 'false');
  switch (s.op) {
    case 'and':
      if (truth) return 'For an "and" to be true, both parts must be true.';
      return known ? `${partText(ctx, known)} is true, so for the "and" to be false the other part must be false.` : '';
    case 'or':
      if (!truth) return 'For an "or" to be false, both parts must be false.';
      return known ? `${partText(ctx, known)} is false, so for the "or" to be true the other part must be true.` : '';
    case '->':
      if (!truth) return 'An "if…then" is false only when the condition holds and the conclusion fails.';
      if (knownIdx === 0 && kv)
        return `The condition ${partText(ctx, s.args[0])} holds, so the conclusion must hold as well.`;
      if (knownIdx === 1 && !kv)
        return `The conclusion ${partText(ctx, s.args[1])} fails, so the condition must fail as well.`;
      return '';
    case '<=>':
      if (!known) return '';
      return `${partText(ctx, known)} is ${tf(kv)}, so for the "if and only if" to be ${tf(truth)} the other side must be ${tf(truth ? kv : !kv)}.`;
  }
}

function deduceText(ctx: Ctx, d: DeduceStep): string {
  const speaker = ctx.p.names[d.stmt];
  const consequence = joinAnd(d.forced.map((f) => is(ctx, f.person, f.knight)));
  if (ctx.short) {
    if (d.via === 1) {
      return `${speaker}'s statement is ${d.forced[0].knight ? 'true' : 'false'}, so ${consequence}.`;
    }
    return `From ${speaker}'s statement, ${consequence}.`;
  }
  if (d.via === 0) {
    const truth = d.before[d.stmt] as boolean;
    const head = `${speaker} is a ${identity(truth)}, so ${speaker}'s statement ${q(ctx, d.stmt)} is ${truth ? 'true' : 'false'}.`;
    const why = ctx.explain ? whyForced(ctx, ctx.p.statements[d.stmt], truth, d.before) : '';
    return [head, why, `So ${consequence}.`].filter(Boolean).join(' ');
  }
  if (d.via === 1) {
    // Only the speaker is forced here, and the speaker is a knight exactly when the statement is true.
    const truth = d.forced[0].knight;
    const decided = evaluatePartial(ctx.p.statements[d.stmt], d.before) !== undefined;
    const unknown = mentionedPeople(ctx.p.statements[d.stmt])
      .filter((p) => d.before[p] === undefined)
      .map((p) => ctx.p.names[p]);
    const facts = decided ? knownAbout(ctx, d.stmt, d.before, true) : '';
    const verdict = `that statement is ${truth ? 'true' : 'false'}, so ${speaker} is a ${identity(truth)}.`;
    const rule = ctx.explain
      ? truth
        ? ' Only a knight would say something true.'
        : ' Only a knave would say something false.'
      : '';
    const reason = facts
      ? `Since ${facts}, ${verdict}`
      : unknown.length
        ? `Whatever ${joinAnd(unknown)} turns out to be, ${verdict}`
        : verdict.charAt(0).toUpperCase() + verdict.slice(1);
    return `${speaker} says ${q(ctx, d.stmt)}. ${reason}${rule}`;
  }
  const head = `${speaker}'s statement ${q(ctx, d.stmt)} is about ${speaker} too`;
  if (!ctx.explain) return `${head}; the only consistent reading is that ${consequence}.`;
  const cases = [selfCase(ctx, d, true), selfCase(ctx, d, false)];
  const close = cases.some((c) => c.impossible) ? `So ${consequence}.` : `Either way, ${consequence}.`;
  return `${head}, so let me consider both cases for ${speaker}. ${cases[0].text} ${cases[1].text} ${close}`;
}

/** One case of a self-referential statement: the speaker is a knight (k) or a knave. */
function selfCase(ctx: Ctx, d: DeduceStep, k: boolean): { text: string; impossible: boolean } {
  const i = d.stmt;
  const s = ctx.p.statements[i];
  const others = mentionedPeople(s).filter((p) => p !== i && d.before[p] === undefined);
  const trial: Assignment = d.before.slice();
  trial[i] = k;
  const agree: Array<boolean | undefined | null> = others.map(() => null);
  let models = 0;
  for (let mask = 0; mask < 1 << others.length; mask++) {
    others.forEach((p, j) => (trial[p] = ((mask >> j) & 1) === 1));
    if (evaluatePartial(s, trial) !== k) continue;
    models++;
    others.forEach(
      (p, j) => (agree[j] = agree[j] === null ? (trial[p] as boolean) : agree[j] === trial[p] ? agree[j] : undefined),
    );
  }
  const name = ctx.p.names[i];
  const need = `${name}'s statement would have to be ${k ? 'true' : 'false'}`;
  if (models === 0) return { text: `If ${name} were a ${identity(k)}, ${need}, but it cannot be.`, impossible: true };
  const forced = others.flatMap((p, j) => (typeof agree[j] === 'boolean' ? [is(ctx, p, agree[j] as boolean)] : []));
  const then = forced.length ? `which requires that ${joinAnd(forced)}` : 'which is possible';
  return { text: `If ${name} were a ${identity(k)}, ${need}, ${then}.`, impossible: false };
}

function contradictionText(ctx: Ctx, c: ContradictionStep): string {
  const i = c.stmt;
  const speaker = ctx.p.names[i];
  const truth = evaluatePartial(ctx.p.statements[i], c.at);
  const k = c.at[i];
  if (k !== undefined && truth !== undefined) {
    const facts = knownAbout(ctx, i, c.at, false);
    const rule = k ? 'a knight cannot lie' : 'a knave cannot tell the truth';
    return `But ${speaker} is a ${identity(k)}, and ${speaker}'s statement ${q(ctx, i)} is ${truth ? 'true' : 'false'}${facts ? ` since ${facts}` : ''}; ${rule}. That is a contradiction.`;
  }
  return `But then ${speaker}'s statement ${q(ctx, i)} cannot be squared with ${speaker} being either a knight or a knave. That is a contradiction.`;
}

const ASSUME = ['Suppose {X}.', "Let's assume {X}.", 'Assume {X}.', 'What if {X}? Let me try that.'];
const ALT = [
  'Now let me make sure there is no other answer. Suppose instead {X}.',
  'To be sure the answer is unique, let me also try {X}.',
];

function branchText(ctx: Ctx, b: BranchStep, depth: number, out: string[]): void {
  const claim = is(ctx, b.person, b.knight);
  const name = ctx.p.names[b.person];
  if (ctx.short) {
    if (!b.ok || b.alternative) return;
    out.push(`Assume ${claim}.`);
    renderSteps(ctx, b.body, depth, out);
    return;
  }
  if (b.alternative) out.push(ctx.rng.pick(ALT).replace('{X}', claim));
  else if (b.assumed)
    out.push(
      ctx.rng
        .pick(ASSUME)
        .replace('{X}', claim)
        .replace(/^./, (c) => c.toUpperCase()),
    );
  else out.push(`So ${name} cannot be a ${identity(!b.knight)}; ${name} must be a ${identity(b.knight)}.`);
  renderSteps(ctx, b.body, depth + 1, out);
  if (!b.ok && b.assumed) out.push(`So the assumption that ${claim} leads to a contradiction.`);
  if (!b.ok && !b.assumed) out.push(`Both options for ${name} fail, so an earlier assumption must be wrong.`);
}

function renderSteps(ctx: Ctx, steps: Step[], depth: number, out: string[]): void {
  for (const s of steps) {
    if (s.kind === 'deduce') out.push(deduceText(ctx, s));
    else if (s.kind === 'contradiction') {
      if (!ctx.short) out.push(contradictionText(ctx, s));
    } else if (s.kind === 'branch') branchText(ctx, s, depth, out);
    else
      out.push(
        ctx.short
          ? 'Everyone is decided and every statement checks out.'
          : `Now everyone's identity is fixed and no statement is violated: ${solutionText(ctx.p.names, s.at as boolean[])}`,
      );
  }
}

function verification(p: KkPuzzle, solution: boolean[]): string[] {
  const lines = [`Let me verify this assignment against every statement.`];
  p.statements.forEach((s, i) => {
    const truth = evaluate(s, solution);
    const ok = truth === solution[i];
    lines.push(
      `- ${p.names[i]} is a ${identity(solution[i])} and says "${statementText(s, p.names)}", which is ${truth ? 'true' : 'false'}` +
        (ok
          ? ` — consistent, since a ${identity(solution[i])} ${solution[i] ? 'tells the truth' : 'lies'}.`
          : ' — inconsistent!'),
    );
  });
  lines.push("Every statement is consistent with the speaker's identity.");
  return lines;
}

/** Write the teacher's completion for a puzzle. Throws if the puzzle's stored solution is not
 *  what the reasoning reaches (the teacher's answer is never wrong). */
export function teacherTrace(p: KkPuzzle, opts: TeacherOptions = {}): string {
  const style = opts.style ?? 'long';
  if (style === 'cases') return casesTrace(p);
  const long = style === 'long';
  const checkAlternatives = opts.checkAlternatives ?? long;
  const result = searchSolution(p.statements, { checkAlternatives });
  const solution = storedSolution(p, result.solution);
  const ctx: Ctx = {
    p,
    rng: mulberry32(hashSeed('kk-teacher', p.id, opts.seed ?? 0)),
    explain: opts.explain ?? long,
    short: !long,
  };
  const out: string[] = [];
  if (opts.restate ?? long) {
    out.push(
      `There are ${p.n} people: ${listNames(p.names)}. A knight always tells the truth and a knave always lies, ` +
        `so each person is a knight exactly when their statement is true. The statements are:`,
    );
    p.statements.forEach((s, i) => out.push(`${i + 1}. ${p.names[i]}: "${statementText(s, p.names)}"`));
    out.push('I will try hypotheses, follow their consequences, and back up when one leads to a contradiction.');
  }
  renderSteps(ctx, result.steps, 0, out);
  if (opts.verify ?? long) out.push(...verification(p, solution));
  return finish(p, out, solution);
}

function finish(p: KkPuzzle, out: string[], solution: boolean[]): string {
  out.push(`So the answer is: ${solutionText(p.names, solution)}`);
  return `\n${out.join('\n')}\n</think> <answer>\n${solutionTextFormat(p.names, solution)}\n</answer>`;
}

/** The reasoning's answer, if it is the puzzle's stored solution; a teacher never answers wrongly. */
function storedSolution(p: KkPuzzle, found: boolean[] | undefined): boolean[] {
  if (!found || found.some((k, i) => k !== p.solution[i]))
    throw new Error(`teacher: puzzle ${p.id} does not have the stored solution as its unique answer`);
  return found;
}

function casesTrace(p: KkPuzzle): string {
  const { lines, solution } = casesTraceLines(p);
  // The first fitting case is the answer only because puzzles have exactly one solution.
  return finish(p, lines, storedSolution(p, solution));
}
