// The format gate of the paper's rewards: exactly one `</think>`, one `<answer>`, one `</answer>`,
// in that order, and nothing after `</answer>`. The completion starts inside `<think>`.

export interface AnswerFormat {
  ok: boolean;
  /** Text between `<answer>` and `</answer>` when the format is ok. */
  answer?: string;
}

function count(s: string, tag: string): number {
  return s.split(tag).length - 1;
}

export function checkAnswerFormat(completion: string): AnswerFormat {
  const c = completion.trimEnd();
  if (count(c, '</think>') !== 1 || count(c, '<answer>') !== 1 || count(c, '</answer>') !== 1) return { ok: false };
  const t = c.indexOf('</think>');
  const a = c.indexOf('<answer>');
  const e = c.indexOf('</answer>');
  if (!(t < a && a < e) || !c.endsWith('</answer>')) return { ok: false };
  return { ok: true, answer: c.slice(a + '<answer>'.length, e) };
}

/** The reward's format part: 0 when the gate passes, −2 when it fails (docs/METHOD.md). */
export const FORMAT_PENALTY = -2;
