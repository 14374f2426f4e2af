// The "cases" teacher: a truth-table trace that first copies each person's sentence from the quiz
// and restates it plainly, then tries every assignment in a fixed order and checks each statement
// part by part, stopping at the first that fits. Every step is a copy or a local look-up, so very
// small models trained from scratch can learn to follow it (the search traces need insight).
import { evaluate } from './logic.ts';
import { identity, solutionText, statementText } from './text.ts';
import type { KkPuzzle, Statement } from './types.ts';

/** The assignment for case number c (0-based): person 0 is the most significant bit, knight first. */
export function caseAssignment(c: number, n: number): boolean[] {
  return Array.from({ length: n }, (_, i) => ((c >> (n - 1 - i)) & 1) === 0);
}

const tf = (v: boolean): string => (v ? 'true' : 'false');

/** The statement restated with each leaf's value looked up: `Mia is a knight (true) or …`. */
function annotated(s: Statement, names: readonly string[], at: readonly boolean[]): string {
  if (s.op === 'leaf' || s.op === 'not') return `${statementText(s, names)} (${tf(evaluate(s, at))})`;
  const parts = s.args.map((x) => annotated(x, names, at));
  if (s.op === '->') return `if ${parts[0]} then ${parts[1]}`;
  if (s.op === '<=>') return `${parts[0]} if and only if ${parts[1]}`;
  return parts.join(` ${s.op} `);
}

/** One statement checked under one case: its value, and whether the speaker may say it. */
function checkLine(p: KkPuzzle, i: number, at: readonly boolean[], caseNo: number): { line: string; fits: boolean } {
  const s = p.statements[i];
  const truth = evaluate(s, at);
  const fits = truth === at[i];
  // A bare leaf is its own look-up; compound statements show each part's value before the result.
  const body = s.op === 'leaf' || s.op === 'not' ? statementText(s, p.names) : annotated(s, p.names, at);
  const verdict = fits
    ? `A ${identity(at[i])} can say that.`
    : `A ${identity(at[i])} cannot say that, so case ${caseNo} fails.`;
  return { line: `${p.names[i]} says ${body}: ${tf(truth)}. ${verdict}`, fits };
}

/** The quiz's sentences that report what each person says, in order; undefined when the quiz is
 *  not shaped like the generator's (one sentence per speaker between the roster and the question). */
export function speechSentences(p: KkPuzzle): string[] | undefined {
  const roster = p.quiz.indexOf(' inhabitants: ');
  const close = p.quiz.lastIndexOf(' So who is');
  if (roster < 0 || close < 0) return undefined;
  const afterRoster = p.quiz.indexOf('. ', roster);
  if (afterRoster < 0 || afterRoster > close) return undefined;
  // Sentences end in '.' or '."'; statements and names contain no full stops.
  const parts = p.quiz
    .slice(afterRoster + 2, close)
    .trim()
    .split(/(?<=\.|\.")\s+/);
  return parts.length === p.n && parts.every((s, i) => s.includes(p.names[i])) ? parts : undefined;
}

/** The trace lines from the opening to the line naming the working case. */
export function casesTraceLines(p: KkPuzzle): { lines: string[]; solution: boolean[] } {
  const lines = [`There are ${p.n} people, so there are ${2 ** p.n} cases.`];
  // Copying the quiz sentence first makes the plain restatement a local rewrite, and the cases
  // below copy from these plain lines instead of searching the quiz's varied phrasings.
  const said = speechSentences(p);
  p.statements.forEach((s, i) => {
    if (said) lines.push(said[i]);
    lines.push(`So ${p.names[i]} says: ${statementText(s, p.names)}.`);
  });
  lines.push('I will check each case in turn.');
  for (let c = 0; c < 2 ** p.n; c++) {
    const at = caseAssignment(c, p.n);
    lines.push(`Case ${c + 1}: ${solutionText(p.names, at).replace(/\.$/, '')}.`);
    let ok = true;
    for (let i = 0; i < p.n && ok; i++) {
      const { line, fits } = checkLine(p, i, at, c + 1);
      lines.push(line);
      ok = fits;
    }
    if (ok) {
      lines.push(`Every statement fits, so case ${c + 1} is the answer.`);
      return { lines, solution: at };
    }
  }
  throw new Error(`teacher: puzzle ${p.id} has no consistent assignment`);
}
