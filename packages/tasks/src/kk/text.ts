// English rendering of puzzles: statements, varied speech templates, the quiz, and the two
// solution texts in the public datasets' exact shapes ("A is a knight, and B is a knave.").
import type { Rng } from './rng.ts';
import type { Statement } from './types.ts';

export function identity(knight: boolean): 'knight' | 'knave' {
  return knight ? 'knight' : 'knave';
}

/** "Zoey is a knight and Ethan is a knave"; nested compound parts are parenthesised. */
export function statementText(s: Statement, names: readonly string[]): string {
  const part = (t: Statement): string =>
    t.op === 'leaf' || t.op === 'not' ? statementText(t, names) : `(${statementText(t, names)})`;
  switch (s.op) {
    case 'leaf':
      return `${names[s.person]} is a ${identity(s.knight)}`;
    case 'not':
      if (s.arg.op === 'leaf') return `${names[s.arg.person]} is not a ${identity(s.arg.knight)}`;
      return `it is not the case that ${part(s.arg)}`;
    case 'and':
      return s.args.map(part).join(' and ');
    case 'or':
      return s.args.map(part).join(' or ');
    case '->':
      return `if ${part(s.args[0])} then ${part(s.args[1])}`;
    case '<=>':
      return `${part(s.args[0])} if and only if ${part(s.args[1])}`;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Speech templates: {N} = speaker, {Q} = statement as a quotation, {S} = as reported speech. */
export const SPEECH_TEMPLATES: readonly string[] = [
  '{N} says, "{Q}."',
  '{N} said, "{Q}."',
  '"{Q}," {N} claims.',
  '"{Q}," says {N}.',
  '{N} tells you that {S}.',
  'According to {N}, "{Q}."',
  '{N} states: "{Q}."',
  'In {N}\'s words: "{Q}."',
  '{N} remarks, "{Q}."',
  '{N} insists that {S}.',
  'As {N} puts it, "{Q}."',
  '{N} was heard saying, "{Q}."',
];

export function speechText(template: string, speaker: string, statement: string): string {
  return template.replaceAll('{N}', speaker).replaceAll('{Q}', capitalize(statement)).replaceAll('{S}', statement);
}

/** "A, B, and C" (two names: "A and B"). */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  return `${names.slice(0, -1).join(', ')}, and ${names[names.length - 1]}`;
}

export const QUIZ_OPENING =
  'A very special island is inhabited only by knights and knaves. Knights always tell the truth, and knaves always lie.';
export const QUIZ_CLOSING = 'So who is a knight and who is a knave?';

/** The full quiz; one speech template per statement is drawn from `rng`. */
export function quizText(names: readonly string[], statements: readonly Statement[], rng: Rng): string {
  const said = statements.map((s, i) => speechText(rng.pick(SPEECH_TEMPLATES), names[i], statementText(s, names)));
  return `${QUIZ_OPENING} You meet ${names.length} inhabitants: ${listNames(names)}. ${said.join(' ')} ${QUIZ_CLOSING}`;
}

/** "A is a knight, B is a knave, and C is a knight." — the public datasets always use ", and". */
export function solutionText(names: readonly string[], solution: readonly boolean[]): string {
  const parts = names.map((name, i) => `${name} is a ${identity(solution[i])}`);
  if (parts.length === 1) return `${parts[0]}.`;
  return `${parts.slice(0, -1).join(', ')}, and ${parts[parts.length - 1]}.`;
}

/** "(1) A is a knight\n(2) B is a knave". */
export function solutionTextFormat(names: readonly string[], solution: readonly boolean[]): string {
  return names.map((name, i) => `(${i + 1}) ${name} is a ${identity(solution[i])}`).join('\n');
}
