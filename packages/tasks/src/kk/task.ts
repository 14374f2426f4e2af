// The K&K Task: public/own JSONL records in, R1-style system + quiz prompt out, and the verifiable
// reward of either scheme. Pure TypeScript, shared by the browser app and the CLI.
import { R1_SYSTEM, renderPrompt, type ChatTemplate, type PromptStyle } from '../prompt.ts';
import type { Grade, PromptParts, Task } from '../task.ts';
import { puzzleFromRecord } from './io.ts';
import { gradeKk, KK_MIN_REWARD, type KkRewardScheme } from './reward.ts';
import type { KkPuzzle } from './types.ts';

/** The answer-format instruction appended to the quiz (Logic-RL's wording, paraphrased). */
export const KK_ANSWER_INSTRUCTION =
  'Think it through, then clearly state the identity of each person inside <answer> </answer> tags, ' +
  'one per line in the order they were introduced, for example: ' +
  '<answer> (1) Zoey is a knight\n(2) Oliver is a knave\n(3) ... </answer>.';

export function kkPromptParts(p: KkPuzzle): PromptParts {
  return { system: R1_SYSTEM, user: `${p.quiz}\n\n${KK_ANSWER_INSTRUCTION}` };
}

/** The prompt text in a style; the completion continues right after its final `<think>`. */
export function kkPrompt(p: KkPuzzle, style: PromptStyle, template?: ChatTemplate): string {
  return renderPrompt(kkPromptParts(p), style, template);
}

export interface KkTask extends Task<KkPuzzle> {
  readonly scheme: KkRewardScheme;
  grade(example: KkPuzzle, completion: string): Grade;
}

export function createKkTask(scheme: KkRewardScheme = 'paper'): KkTask {
  return {
    name: 'kk',
    scheme,
    minReward: KK_MIN_REWARD[scheme],
    fromRecord: puzzleFromRecord,
    promptParts: kkPromptParts,
    grade: (p, completion) => gradeKk(completion, p.names, p.solution, scheme),
  };
}

/** The K&K task with the paper's reward. */
export const kkTask: KkTask = createKkTask('paper');
