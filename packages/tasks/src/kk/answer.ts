// Reading a model's K&K answer: find the final <answer> block and the identity it gives each
// person. Tolerant of case, spacing, order, "(1)" numbering, "A: knight", "A is not a knave".

/** Tokens a sampler may leave at the end of a completion (stripped before format checks). */
export const EOS_MARKERS: readonly string[] = [
  '<|im_end|>',
  '<|endoftext|>',
  '<|eot_id|>',
  '<|end_of_text|>',
  '</s>',
  '<eos>',
];

/** Drop trailing whitespace and end-of-sequence markers (repeatedly, in any mix). */
export function stripTrailingEos(text: string): string {
  let t = text.trimEnd();
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of EOS_MARKERS) {
      if (t.endsWith(m)) {
        t = t.slice(0, -m.length).trimEnd();
        changed = true;
      }
    }
  }
  return t;
}

/** Text inside the last `<answer>` … `</answer>` pair, or undefined when there is none. */
export function extractAnswerBlock(completion: string): string | undefined {
  const open = completion.lastIndexOf('<answer>');
  if (open < 0) return undefined;
  const close = completion.indexOf('</answer>', open + 8);
  if (close < 0) return undefined;
  return completion.slice(open + 8, close).trim();
}

export type ParsedAnswer = { ok: true; knights: boolean[] } | { ok: false; reason: string };

/** What may follow a name: "is [not] a", "isn't a", ":" / "=" / "-", then the role. Compiled once
 *  (building a Unicode regex per name list costs milliseconds, too slow inside RL loops). */
const TAIL =
  /[*_]*(?:\s+(?:is|was)\s+(not\s+)?|\s+(isn['’]t)\s+|\s*[:=\-–—]\s*|\s+)(?:(?:a|an)\s+)?[*_]*(knight|knave)s?(?![\p{L}\p{N}_])/uy;
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Map the answer text to one identity per name (true = knight). A missing name, or a name
 *  given both identities, makes the answer unparseable. */
export function parseAnswer(answer: string, names: readonly string[]): ParsedAnswer {
  // Lower-case once; if that changes the length (rare Unicode), positions would drift, so keep
  // the original text (names then match case-sensitively).
  const lowered = answer.toLowerCase();
  const text = lowered.length === answer.length ? lowered : answer;
  const keys = names.map((n) => (text === lowered ? n.toLowerCase() : n));
  const found: Array<boolean | undefined> = names.map(() => undefined);
  for (let who = 0; who < names.length; who++) {
    const key = keys[who];
    if (key === '') continue;
    for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + 1)) {
      const end = at + key.length;
      if ((at > 0 && WORD_CHAR.test(text[at - 1])) || (end < text.length && WORD_CHAR.test(text[end]))) continue;
      TAIL.lastIndex = end;
      const m = TAIL.exec(text);
      if (!m) continue;
      const negated = m[1] !== undefined || m[2] !== undefined;
      const knight = (m[3].toLowerCase() === 'knight') !== negated;
      if (found[who] !== undefined && found[who] !== knight) {
        return { ok: false, reason: `${names[who]} is given both identities` };
      }
      found[who] = knight;
    }
  }
  const missing = names.filter((_, i) => found[i] === undefined);
  if (missing.length) return { ok: false, reason: `no identity for ${missing.join(', ')}` };
  return { ok: true, knights: found as boolean[] };
}
