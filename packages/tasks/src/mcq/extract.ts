// Reads the chosen option letter (A–J) from an answer: a \boxed{} letter, an answer that is just a
// letter ("(C)", "C. 42"), an "answer is X" phrase, or else the last standalone capital A–J.
import { findBoxed } from '../math/extract.ts';

/** A leading option letter: "C", "(C) text", "C.", "C) text", "\text{C}"; not "A man". */
function leadingLetter(s: string, letters: string): string | undefined {
  const t = s
    .replace(/\\(?:text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}/g, '$1')
    .replace(/[$*]/g, '')
    .trim();
  const m = new RegExp(`^(?:\\(([${letters}])\\)|([${letters}])(?:[.:)\\]]|$))`).exec(t);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function extractChoice(text: string, letters: string): string | undefined {
  const boxed = findBoxed(text);
  if (boxed.length > 0) {
    const l = leadingLetter(boxed[boxed.length - 1].content, letters);
    if (l) return l;
  }
  const whole = leadingLetter(text, letters);
  if (whole) return whole;
  const phrase = [
    ...text.matchAll(new RegExp(`[Aa]nswer\\s*(?:is|:)\\s*:?\\s*\\(?([${letters}])\\)?(?![A-Za-z])`, 'g')),
  ];
  if (phrase.length > 0) return phrase[phrase.length - 1][1];
  // the last capital that stands alone; "A man" / "I think" are words, not answers
  const standalone = [...text.matchAll(new RegExp(`(?<![A-Za-z])\\(?([${letters}])\\)?(?![A-Za-z'])`, 'g'))].filter(
    (m) => !(m[0].length === 1 && /^[AI]$/.test(m[1]) && /^\s+[a-z]/.test(text.slice((m.index ?? 0) + 1))),
  );
  return standalone.length > 0 ? standalone[standalone.length - 1][1] : undefined;
}
