// String-level clean-up of an extracted answer before it is parsed: LaTeX spelling variants
// (\dfrac, \left(, \le vs \leq), spacing, units in \text{}, degrees, percent, currency and
// trailing periods, so that only the mathematical content is compared.
import { matchBrace } from './latex-scan.ts';

/** `\frac12`, `\frac1{x}`, `\sqrt3` → braced arguments, so all spellings compare alike. */
function braceShortArgs(s: string): string {
  return s
    .replace(/\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])/g, '\\frac{$1}{$2}')
    .replace(/\\frac\s*([0-9a-zA-Z])\s*(?=\{)/g, '\\frac{$1}')
    .replace(/\\frac\s*(\{[^{}]*\})\s*([0-9a-zA-Z])/g, '\\frac$1{$2}')
    .replace(/\\sqrt\s*([0-9a-zA-Z])/g, '\\sqrt{$1}');
}

const TEXT_COMMANDS = /\\(?:text|textbf|textit|textnormal|textrm|mathrm|mathbf|mathit|mbox|textsf|mathsf)\s*\{/g;

/** Unit words inside \text{} are dropped when math remains (`125\text{ miles}` → `125`); an answer
 *  that is only text keeps its words (`\text{(C)}` → `(C)`). "and"/"or" become list commas. */
function unwrapText(s: string): string {
  const pieces: { start: number; end: number; inner: string }[] = [];
  let m: RegExpExecArray | null;
  TEXT_COMMANDS.lastIndex = 0;
  while ((m = TEXT_COMMANDS.exec(s))) {
    const open = m.index + m[0].length - 1;
    const end = matchBrace(s, open);
    if (end < 0) break;
    pieces.push({ start: m.index, end, inner: s.slice(open + 1, end - 1) });
    TEXT_COMMANDS.lastIndex = end;
  }
  if (pieces.length === 0) return s;
  const outside = pieces.reduceRight((acc, p) => acc.slice(0, p.start) + acc.slice(p.end), s);
  const hasMath = /[0-9]|\\[a-zA-Z]/.test(outside);
  let out = s;
  for (const p of [...pieces].reverse()) {
    const inner = p.inner.trim();
    let rep: string;
    if (/^(?:and|or|,)$/i.test(inner)) rep = ',';
    else if (hasMath && /^[A-Za-z .\-/]*$/.test(inner) && inner.length > 1) rep = ' ';
    else if (isTrailingUnitLetter(s, p, inner)) rep = ' ';
    else rep = inner;
    // a unit's exponent goes with it: 5\text{ cm}^2 is 5, not 25
    const after = rep === ' ' ? /^\s*\^\s*(?:\{\d\}|\d)/.exec(out.slice(p.end)) : null;
    out = out.slice(0, p.start) + rep + out.slice(p.end + (after ? after[0].length : 0));
  }
  return out;
}

/** One-letter SI units (`12\,\mathrm{m}`, `5\text{ g}`) are dropped only right after a number and
 *  at the end of the answer: elsewhere one letter is a constant or variable (\mathrm{e}, \mathrm{d}x). */
function isTrailingUnitLetter(s: string, p: { start: number; end: number }, inner: string): boolean {
  if (!/^[mgsLNJWVK]$/.test(inner)) return false;
  const before = s.slice(0, p.start).replace(/(?:\\[,;: !]|\s)+$/, '');
  return /\d$/.test(before) && /^\s*(?:\^\s*(?:\{\d\}|\d))?\s*$/.test(s.slice(p.end));
}

/** Trailing unit words after a number: "125 miles", "3 hours", "28 pct". */
function dropTrailingWords(s: string): string {
  const m = /^(-?[\d.,/\s]*\d)\s*([A-Za-z][A-Za-z.]*\s*)+$/.exec(s);
  return m && /[A-Za-z]{2,}/.test(s.slice(m[1].length)) ? m[1] : s;
}

export function normalizeAnswer(raw: string): string {
  let s = raw;
  // JSON-escaped LaTeX ("\\frac") read back as text: the doubled backslash is an escaping artefact
  s = s.replace(
    /\\\\(?=(?:left|right|frac|dfrac|tfrac|sqrt|leq?|geq?|pi|cdot|times|infty|text|mathrm|boxed|in|cup|cap|pm|mp|neq?|alpha|beta|gamma|theta|circ)(?![a-zA-Z]))/g,
    '\\',
  );
  s = s.replace(/\\(?:boxed|fbox)\s*\{/g, '{');
  s = s
    .replace(/\u2212/g, '-')
    .replace(/\u00d7/g, '\\times ')
    .replace(/\u00b7/g, '\\cdot ')
    .replace(/\u221e/g, '\\infty ')
    .replace(/\u03c0/g, '\\pi ')
    .replace(/\u2264/g, '\\le ')
    .replace(/\u2265/g, '\\ge ')
    .replace(/\u2260/g, '\\neq ')
    .replace(/\u2248/g, '\\approx ')
    .replace(/\u00b0/g, '')
    .replace(/\u221a/g, '\\sqrt');
  s = s
    .replace(/\\(?:left|right)\s*\./g, '')
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![a-zA-Z])/g, '')
    .replace(/\\(?:displaystyle|textstyle|scriptstyle)(?![a-zA-Z])/g, '')
    .replace(/\\[dtc]frac(?![a-zA-Z])/g, '\\frac')
    .replace(/\\[dt]binom(?![a-zA-Z])/g, '\\binom')
    .replace(/\\lbrace(?![a-zA-Z])/g, '\\{')
    .replace(/\\rbrace(?![a-zA-Z])/g, '\\}')
    .replace(/(\d),\\!\s*(?=\d{3}(?!\d))/g, '$1') // 12,\!000: the LaTeX thousands separator
    .replace(/\\q?quad/g, ' ') // also the glued "\quadx" seen in scraped data
    // `\\` (a matrix row break) is matched first so its second backslash is not read as `\ `
    .replace(/\\\\|\\[,;: !]/g, (m) => (m === '\\\\' ? m : m === '\\!' ? '' : ' '))
    .replace(/~/g, ' ');
  s = unwrapText(s);
  s = s
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree(?![a-zA-Z])/g, '')
    .replace(/\\%|%/g, '')
    .replace(/\\\$|\$/g, '')
    .replace(/\\(?:gt)(?![a-zA-Z])/g, '>')
    .replace(/\\(?:lt)(?![a-zA-Z])/g, '<')
    .replace(/\\(?:leqslant|leq|le)(?![a-zA-Z])|<=/g, '\\le ')
    .replace(/\\(?:geqslant|geq|ge)(?![a-zA-Z])|>=/g, '\\ge ')
    .replace(/\\(?:neq|ne)(?![a-zA-Z])|!=/g, '\\neq ')
    .replace(/==/g, '=')
    .replace(/\\infin(?![a-zA-Z])/g, '\\infty')
    .replace(/\bpct\b|\bpercent\b|\bdegrees?\b/g, '')
    .replace(/(?<!\\)\b(?:and|or)\b/g, ',');
  s = braceShortArgs(s);
  s = s.replace(/(^|[^\d.])\.(\d)/g, '$10.$2'); // ".5" → "0.5"
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/^[\s:]+|[\s.,;:]+$/g, '').trim(); // trailing period/comma of the sentence
  s = dropTrailingWords(s);
  return s;
}

/** Whitespace-insensitive form for plain string identity (keeps spaces that separate letters
 *  from commands, so `\pi r` does not become `\pir`). */
export function compact(s: string): string {
  return s
    .replace(/\s*([^a-zA-Z\s])\s*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
