// The MATH target task (MATH-500 records): prompt in the paper's format and the reward of
// docs/METHOD.md — format gate −2, last \boxed{} in the answer equivalent to gold +2, wrong −0.5,
// no \boxed −1. `correct` reads the answer even when the format gate fails (for accuracy).
import { checkAnswerFormat, FORMAT_PENALTY } from '../answer-format.ts';
import { asObject } from '../jsonl.ts';
import { R1_SYSTEM } from '../prompt.ts';
import { DataError, type Example, type Grade, type PromptParts, type Task } from '../task.ts';
import { loadCas } from './cas.ts';
import { MathEquivalence } from './equivalence.ts';
import { extractBoxed } from './extract.ts';

export interface MathExample extends Example {
  problem: string;
  /** The gold final answer (LaTeX, as in MATH-500's `answer`). */
  answer: string;
  level?: number;
  subject?: string;
}

export const MATH_INSTRUCTION = 'Please reason step by step, and put your final answer within \\boxed{}.';

export const MATH_REWARD = { correct: 2, wrong: -0.5, noBoxed: -1 } as const;

function idOf(o: Record<string, unknown>, index: number): string {
  for (const k of ['unique_id', 'id', 'problem_id']) {
    const v = o[k];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return String(index);
}

function levelOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /(\d+)/.exec(v) : null;
  return m ? Number(m[1]) : undefined;
}

export function mathFromRecord(record: unknown, where: string, index: number): MathExample {
  const o = asObject(record, where);
  const problem = o.problem ?? o.question;
  if (typeof problem !== 'string' || problem.trim() === '')
    throw new DataError('field "problem" must be a non-empty string', where);
  let answer: string | undefined;
  if (typeof o.answer === 'string' || typeof o.answer === 'number') answer = String(o.answer);
  // the original MATH release has no `answer` field: its gold is the solution's last \boxed{}
  else if (typeof o.solution === 'string') answer = extractBoxed(o.solution);
  if (answer === undefined || answer.trim() === '')
    throw new DataError('needs an "answer" (or a "solution" with \\boxed{})', where);
  return {
    id: idOf(o, index),
    problem,
    answer,
    level: levelOf(o.level),
    subject: typeof o.subject === 'string' ? o.subject : typeof o.type === 'string' ? o.type : undefined,
  };
}

export function mathPromptParts(example: MathExample): PromptParts {
  return { system: R1_SYSTEM, user: `${example.problem}\n${MATH_INSTRUCTION}` };
}

/** Grade with a ready equivalence checker (synchronous; the task wrapper loads the CAS). */
export function gradeMath(eq: MathEquivalence, example: MathExample, completion: string): Grade {
  const format = checkAnswerFormat(completion);
  const boxed = extractBoxed(format.ok ? (format.answer ?? '') : completion);
  let correct = false;
  try {
    correct = boxed !== undefined && eq.answers(example.answer, boxed);
  } catch {
    correct = false; // the CAS is third-party code: a crash there is a wrong answer, not a crash here
  }
  const answerPart = boxed === undefined ? MATH_REWARD.noBoxed : correct ? MATH_REWARD.correct : MATH_REWARD.wrong;
  if (!format.ok) {
    return { reward: FORMAT_PENALTY, parts: { format: FORMAT_PENALTY }, correct, formatOk: false, extracted: boxed };
  }
  return { reward: answerPart, parts: { format: 0, answer: answerPart }, correct, formatOk: true, extracted: boxed };
}

export const mathTask: Task<MathExample> = {
  name: 'math',
  minReward: FORMAT_PENALTY,
  fromRecord: mathFromRecord,
  promptParts: mathPromptParts,
  async grade(example, completion) {
    return gradeMath(new MathEquivalence(await loadCas()), example, completion);
  },
};
