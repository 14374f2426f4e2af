// SFT (warmup) records from puzzles: the prompt in a chosen style plus the teacher's completion,
// graded with the paper's reward so a broken trace would show up as reward < 2.
import type { ChatTemplate, PromptStyle } from '../prompt.ts';
import { gradeKk } from './reward.ts';
import { kkPrompt } from './task.ts';
import { teacherTrace, type TeacherOptions } from './teacher.ts';
import type { KkPuzzle } from './types.ts';

export interface KkSftRecord {
  id: string;
  prompt: string;
  completion: string;
  source: 'kk-teacher';
  reward: number;
}

/** `template`: the checkpoint's chat template for the chat style (ChatML without one). */
export function makeKkSftRecord(
  p: KkPuzzle,
  promptStyle: PromptStyle,
  teacher: TeacherOptions = {},
  template?: ChatTemplate,
): KkSftRecord {
  const completion = teacherTrace(p, teacher);
  const reward = gradeKk(completion, p.names, p.solution, 'paper').reward;
  return { id: p.id, prompt: kkPrompt(p, promptStyle, template), completion, source: 'kk-teacher', reward };
}

export function makeKkSftRecords(
  puzzles: readonly KkPuzzle[],
  promptStyle: PromptStyle,
  teacher: TeacherOptions = {},
  template?: ChatTemplate,
): KkSftRecord[] {
  return puzzles.map((p) => makeKkSftRecord(p, promptStyle, teacher, template));
}
