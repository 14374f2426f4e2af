// The multiple-choice target task (MMLU-Pro records): options lettered A–J after dropping "N/A",
// reward +2 for the gold letter, −0.5 otherwise, −2 when the format gate fails (docs/METHOD.md).
import { checkAnswerFormat, FORMAT_PENALTY } from '../answer-format.ts';
import { asObject } from '../jsonl.ts';
import { R1_SYSTEM } from '../prompt.ts';
import { DataError, type Example, type Grade, type PromptParts, type Task } from '../task.ts';
import { extractChoice } from './extract.ts';
import { cleanOptions, LETTERS, parseOptions } from './options.ts';

export interface McqExample extends Example {
  question: string;
  options: string[];
  /** The gold letter after re-lettering. */
  answer: string;
  category?: string;
}

export const MCQ_INSTRUCTION = 'Answer with the letter of the correct option, and put the letter within \\boxed{}.';

export const MCQ_REWARD = { correct: 2, wrong: -0.5 } as const;

function goldIndexOf(o: Record<string, unknown>, options: string[], where: string): number {
  const idx = o.answer_index;
  if (typeof idx === 'number' || (typeof idx === 'string' && /^\d+$/.test(idx))) return Number(idx);
  const letter = typeof o.answer === 'string' ? o.answer.trim().toUpperCase() : '';
  if (/^[A-J]$/.test(letter)) return LETTERS.indexOf(letter);
  throw new DataError(`needs "answer_index" or an "answer" letter A–${LETTERS[options.length - 1] ?? 'J'}`, where);
}

export function mcqFromRecord(record: unknown, where: string, index: number): McqExample {
  const o = asObject(record, where);
  const question = o.question;
  if (typeof question !== 'string' || question.trim() === '')
    throw new DataError('field "question" must be a non-empty string', where);
  const original = parseOptions(o.options, where);
  const { options, goldIndex } = cleanOptions(original, goldIndexOf(o, original, where), where);
  const idRaw = o.question_id ?? o.id;
  return {
    id: typeof idRaw === 'string' || typeof idRaw === 'number' ? String(idRaw) : String(index),
    question,
    options,
    answer: LETTERS[goldIndex],
    category: typeof o.category === 'string' ? o.category : undefined,
  };
}

export function mcqPromptParts(example: McqExample): PromptParts {
  const lines = example.options.map((opt, i) => `${LETTERS[i]}. ${opt}`);
  return { system: R1_SYSTEM, user: `${example.question}\n\nOptions:\n${lines.join('\n')}\n\n${MCQ_INSTRUCTION}` };
}

export function gradeMcq(example: McqExample, completion: string): Grade {
  const format = checkAnswerFormat(completion);
  const letters = LETTERS.slice(0, example.options.length);
  const choice = extractChoice(format.ok ? (format.answer ?? '') : completion, letters);
  const correct = choice === example.answer;
  if (!format.ok)
    return { reward: FORMAT_PENALTY, parts: { format: FORMAT_PENALTY }, correct, formatOk: false, extracted: choice };
  const answer = correct ? MCQ_REWARD.correct : MCQ_REWARD.wrong;
  return { reward: answer, parts: { format: 0, answer }, correct, formatOk: true, extracted: choice };
}

export const mcqTask: Task<McqExample> = {
  name: 'mcq',
  minReward: FORMAT_PENALTY,
  fromRecord: mcqFromRecord,
  promptParts: mcqPromptParts,
  grade: gradeMcq,
};
