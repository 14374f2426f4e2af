// Pulls the final answer out of free text the way a grader reads a solution: the last \boxed{}
// (adjacent boxes such as "\boxed{1} and \boxed{-2}" count as one list), a later "the answer is"
// phrase, the last math segment, or — for prose — the last number.
import { matchBrace } from './latex-scan.ts';

export interface Span {
  start: number;
  end: number;
  content: string;
}

/** Every `\boxed{…}` / `\fbox{…}` (nested braces allowed) and the brace-less `\boxed 5` form. */
export function findBoxed(text: string): Span[] {
  const out: Span[] = [];
  const re = /\\(?:boxed|fbox)(?![a-zA-Z])\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const at = m.index + m[0].length;
    if (text[at] === '{') {
      const end = matchBrace(text, at);
      if (end < 0) continue;
      out.push({ start: m.index, end, content: text.slice(at + 1, end - 1) });
      re.lastIndex = end;
    } else {
      const word = /^[^\s$]+/.exec(text.slice(at));
      if (word) out.push({ start: m.index, end: at + word[0].length, content: word[0] });
    }
  }
  return out;
}

/** Text that may sit between two parts of one answer: delimiters, spacing, "and"/"or", and the
 *  name of the next part ("x = \boxed{1} and y = \boxed{2}" is the pair 1, 2). */
const CONNECTIVE =
  /^(?:\s|\$|\\\(|\\\)|\\\[|\\\]|\\q?quad|\\[,;:! ]|,|;|\.|&|\\text\{\s*(?:and|or|,)?\s*\}|\band\b|\bor\b|\b[A-Za-z](?:_\{?\w+\}?)?\s*=)*$/;

/** Join the last span with the spans right before it that only connectives separate. */
function lastGroup(text: string, spans: Span[], loose = false): Span | undefined {
  if (spans.length === 0) return undefined;
  let i = spans.length - 1;
  // a gold answer may name its parts ("\boxed{1} papers and \boxed{2} bins"): a short gap with
  // a connective word still joins; "\boxed{1} no no \boxed{2}" does not
  const joins = (gap: string): boolean => {
    if (CONNECTIVE.test(gap)) return true;
    const words = gap.replace(/\\text\{([^{}]*)\}/g, ' $1 ');
    return !!loose && words.length <= 40 && !/[.:\n]/.test(words) && /\b(?:and|or)\b|[,;]/.test(words);
  };
  while (i > 0 && joins(text.slice(spans[i - 1].end, spans[i].start))) i--;
  const group = spans.slice(i);
  return { start: group[0].start, end: group[group.length - 1].end, content: group.map((s) => s.content).join(', ') };
}

/** Math segments: `$$…$$`, `$…$`, `\(…\)`, `\[…\]`. An unmatched `$` (a currency sign) is skipped. */
export function findMathSegments(text: string): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    let open = '';
    let close = '';
    if (c === '\\' && (text[i + 1] === '(' || text[i + 1] === '[')) {
      open = text.slice(i, i + 2);
      close = text[i + 1] === '(' ? '\\)' : '\\]';
    } else if (c === '\\') {
      i++;
      continue;
    } else if (c === '$') {
      open = text[i + 1] === '$' ? '$$' : '$';
      close = open;
    } else continue;
    let j = i + open.length;
    let end = -1;
    for (; j < text.length; j++) {
      if (text.startsWith(close, j) && (close[0] !== '$' || text[j - 1] !== '\\')) {
        end = j;
        break;
      }
      if (text[j] === '\\' && close[0] === '$') j++;
    }
    if (end < 0) continue;
    out.push({ start: i, end: end + close.length, content: text.slice(i + open.length, end) });
    i = end + close.length - 1;
  }
  return out;
}

/** Strips `\text{…}` and LaTeX commands; what remains tells prose ("Jane is 3") from math. */
export function looksLikeProse(s: string): boolean {
  const bare = s
    .replace(/\\(?:text|textbf|textit|textnormal|mathrm|mbox)\{[^{}]*\}/g, ' ')
    .replace(/\\[a-zA-Z]+/g, ' ');
  const words = bare.match(/[A-Za-z]{3,}/g) ?? [];
  return words.some((w) => !MATH_WORDS.test(w));
}

const MATH_WORDS =
  /^(?:and|or|sqrt|frac|sin|cos|tan|cot|sec|csc|log|exp|arcsin|arccos|arctan|sinh|cosh|tanh|lim|max|min|gcd|lcm|det|mod|pmod|deg|arg|dim|sup|inf|pmatrix|bmatrix|matrix|array|infty|pct)$/i;

/** Numbers as written in prose: thousands separators (commas or spaces between groups of three) and
 *  decimal commas stay for later parsing. */
const NUMBER = /(?<![A-Za-z\d])-?(?:\d{1,3}(?: \d{3})+(?![\d,.])|\d+(?:[.,]\d+)*(?:\s*\/\s*\d+)?)/g;

export function lastNumber(s: string): string | undefined {
  const all = s
    .replace(/,\\!/g, ',')
    .replace(/[\u00a0\u202f]/g, ' ')
    // a unit's exponent is not a number of the answer: "12 cm^2", "12 m²"
    .replace(/([A-Za-z])\s*(?:\^\s*\{?\d+\}?|[²³])/g, '$1')
    .match(NUMBER);
  return all ? all[all.length - 1] : undefined;
}

/** The answer in the tail of an "answer is …" phrase, or undefined when it holds no math/number. */
function answerFromPhraseTail(tail: string): string | undefined {
  const t = tail.replace(/^[\s:]+/, '');
  const seg = findMathSegments(t)[0];
  if (seg && t.slice(0, seg.start).trim() === '') return seg.content;
  const sentence = t.split(/\.(?:\s|$)|\n|I hope/)[0].trim();
  if (sentence === '') return undefined;
  if (!looksLikeProse(sentence)) return sentence;
  return lastNumber(sentence);
}

interface Candidate {
  at: number;
  answer: string;
}

function phraseCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  // Without "is"/":" the phrase counts only when math follows at once ("Answer \[ 9 \]"): "the
  // answer, we compute 5 + 3" is reasoning, not an answer.
  const re = /\b(?:final\s+)?answer\b(\s*(?:is\b|:|=)\s*(?:is\b)?:?)?\s*/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const tail = text.slice(m.index + m[0].length, m.index + m[0].length + 400);
    if (m[1] === undefined && !/^(?:\$|\\\(|\\\[)/.test(tail)) continue;
    const answer = answerFromPhraseTail(tail);
    if (answer !== undefined && answer.trim() !== '') out.push({ at: m.index, answer });
  }
  return out;
}

/** The final answer of `text` (a model response or a gold answer), or undefined when none.
 *  `gold` allows words between boxes ("\boxed{1} papers and \boxed{2} bins" is one answer). */
export function extractAnswer(text: string, opts: { gold?: boolean } = {}): string | undefined {
  const candidates: Candidate[] = [];
  const boxed = lastGroup(text, findBoxed(text), opts.gold);
  if (boxed) candidates.push({ at: boxed.start, answer: boxed.content });
  candidates.push(...phraseCandidates(text));
  if (candidates.length > 0) return candidates.reduce((a, b) => (b.at > a.at ? b : a)).answer;
  const seg = lastGroup(text, findMathSegments(text));
  const after = seg ? text.slice(seg.end) : text;
  // a number in the prose after the last formula is the later statement ("so there are 12")
  const tailNumber = looksLikeProse(after) ? lastNumber(after) : undefined;
  if (tailNumber !== undefined) return tailNumber;
  if (seg && seg.content.trim() !== '') return seg.content;
  const t = text.trim();
  if (t === '') return undefined;
  if (!looksLikeProse(t)) return t;
  // a short answer in words ("Evelyn", "Monday") is itself the answer
  return lastNumber(t) ?? (t.length <= 40 && !/[.!?:]\s/.test(t) ? t : undefined);
}

/** Only the last \boxed{} counts in the RL reward (docs/METHOD.md), so the task uses this stricter form. */
export function extractBoxed(text: string): string | undefined {
  return lastGroup(text, findBoxed(text))?.content;
}
