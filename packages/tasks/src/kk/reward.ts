// The two K&K reward schemes of docs/METHOD.md. "paper": a format gate (−2 on failure), then +2 all
// right / −0.5 wrong / −1 unparseable. "logic-rl": format ±1 plus answer +2 / −1.5 / −2.
import type { Grade } from '../task.ts';
import { extractAnswerBlock, parseAnswer, stripTrailingEos } from './answer.ts';

export type KkRewardScheme = 'paper' | 'logic-rl';
export const KK_REWARD_SCHEMES: readonly KkRewardScheme[] = ['paper', 'logic-rl'];

export const KK_MIN_REWARD: Readonly<Record<KkRewardScheme, number>> = { paper: -2, 'logic-rl': -3 };

function count(text: string, tag: string): number {
  let c = 0;
  for (let i = text.indexOf(tag); i >= 0; i = text.indexOf(tag, i + tag.length)) c++;
  return c;
}

export interface FormatCheck {
  ok: boolean;
  /** Why it failed (undefined when ok). */
  reason?: string;
}

/** The paper's gate, exactly: one `</think>`, one `<answer>`, one `</answer>`, and the completion
 *  ends with `</answer>` once trailing whitespace and EOS markers are stripped. Tag order and
 *  `<think>` are not checked (the prompt already opened `<think>`). */
export function paperFormat(completion: string): FormatCheck {
  const t = stripTrailingEos(completion);
  for (const tag of ['</think>', '<answer>', '</answer>']) {
    const c = count(t, tag);
    if (c !== 1) return { ok: false, reason: `${tag} appears ${c} times (need exactly 1)` };
  }
  if (!t.endsWith('</answer>')) return { ok: false, reason: 'text after </answer>' };
  return { ok: true };
}

/** Logic-RL's structure check: `<think>`, `</think>`, `<answer>`, `</answer>` once each, in that
 *  order. The prompt ends with `<think>`, so it is implied unless the completion opens with it. */
export function logicRlFormat(completion: string): FormatCheck {
  const body = completion.trimStart();
  const t = body.startsWith('<think>') ? body : `<think>${body}`;
  const tags = ['<think>', '</think>', '<answer>', '</answer>'];
  for (const tag of tags) {
    const c = count(t, tag);
    if (c !== 1) return { ok: false, reason: `${tag} appears ${c} times (need exactly 1)` };
  }
  const pos = tags.map((tag) => t.indexOf(tag));
  if (!(pos[0] < pos[1] && pos[1] < pos[2] && pos[2] < pos[3])) return { ok: false, reason: 'tags out of order' };
  return { ok: true };
}

/** Grade a completion (the text after the prompt's `<think>`) against the known solution. */
export function gradeKk(
  completion: string,
  names: readonly string[],
  solution: readonly boolean[],
  scheme: KkRewardScheme = 'paper',
): Grade {
  try {
    return gradeUnsafe(String(completion), names, solution, scheme);
  } catch (e) {
    // Grading must never throw inside a training loop; a failure counts as the minimum reward.
    const reward = KK_MIN_REWARD[scheme];
    return {
      reward,
      parts: { format: reward, answer: 0 },
      correct: false,
      formatOk: false,
      detail: `grader error: ${(e as Error).message}`,
    };
  }
}

function gradeUnsafe(
  completion: string,
  names: readonly string[],
  solution: readonly boolean[],
  scheme: KkRewardScheme,
): Grade {
  const format = scheme === 'paper' ? paperFormat(completion) : logicRlFormat(completion);
  const block = extractAnswerBlock(completion);
  const parsed = block === undefined ? undefined : parseAnswer(block, names);
  const correct = parsed?.ok === true && parsed.knights.every((k, i) => k === solution[i]);
  const answerDetail =
    block === undefined
      ? 'no <answer> block'
      : parsed && !parsed.ok
        ? `unparseable: ${parsed.reason}`
        : correct
          ? undefined
          : 'wrong identities';
  let parts: Record<string, number>;
  if (scheme === 'paper') {
    if (!format.ok) parts = { format: -2, answer: 0 };
    else parts = { format: 0, answer: parsed === undefined || !parsed.ok ? -1 : correct ? 2 : -0.5 };
  } else {
    const answer = !format.ok || block === '' || parsed === undefined || !parsed.ok ? -2 : correct ? 2 : -1.5;
    parts = { format: format.ok ? 1 : -1, answer };
  }
  const detail = format.ok ? answerDetail : [`format: ${format.reason}`, answerDetail].filter(Boolean).join('; ');
  return {
    reward: parts.format + parts.answer,
    parts,
    correct,
    formatOk: format.ok,
    ...(block !== undefined ? { extracted: block } : {}),
    ...(detail ? { detail } : {}),
  };
}
