// The line format of OUT/completions.jsonl: one graded completion per line. Parsing is lenient
// about a torn last line (a crash mid-append) and strict about everything else.
import { DataError } from '@warmup/tasks';

export interface CompletionRecord {
  id: string;
  /** Sample index within the question, 0 … n−1. */
  sample: number;
  completion: string;
  reward: number;
  correct: boolean;
  format_ok: boolean;
  /** Completion length in tokens. */
  tokens: number;
  /** True when generation stopped at the token limit rather than at end of sequence. */
  truncated: boolean;
  /** The answer the grader extracted, when it found one. */
  extracted?: string;
}

/** What reports need of a record: everything but the (possibly long) texts, so a run of many
 *  samples can be summarised without holding every completion in memory. */
export type GradedSample = Omit<CompletionRecord, 'completion' | 'extracted'>;

export function slim(r: CompletionRecord): GradedSample {
  return {
    id: r.id,
    sample: r.sample,
    reward: r.reward,
    correct: r.correct,
    format_ok: r.format_ok,
    tokens: r.tokens,
    truncated: r.truncated,
  };
}

function fail(where: string, what: string): never {
  throw new DataError(what, where);
}

export function parseCompletionRecord(value: unknown, where: string): CompletionRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'expected a JSON object');
  const o = value as Record<string, unknown>;
  const str = (k: string): string =>
    typeof o[k] === 'string' ? (o[k] as string) : fail(where, `field "${k}" must be a string`);
  const num = (k: string): number =>
    typeof o[k] === 'number' && Number.isFinite(o[k])
      ? (o[k] as number)
      : fail(where, `field "${k}" must be a finite number`);
  const bool = (k: string): boolean =>
    typeof o[k] === 'boolean' ? (o[k] as boolean) : fail(where, `field "${k}" must be a boolean`);
  const sample = num('sample');
  if (!Number.isInteger(sample) || sample < 0) fail(where, `field "sample" must be an integer >= 0`);
  const tokens = num('tokens');
  if (!Number.isInteger(tokens) || tokens < 0) fail(where, `field "tokens" must be an integer >= 0`);
  const rec: CompletionRecord = {
    id: str('id'),
    sample,
    completion: str('completion'),
    reward: num('reward'),
    correct: bool('correct'),
    format_ok: bool('format_ok'),
    tokens,
    truncated: bool('truncated'),
  };
  if (o.extracted !== undefined) rec.extracted = str('extracted');
  return rec;
}

/**
 * Parse completions.jsonl. A last line without its newline that is not valid JSON is the trace of
 * an interrupted append and is dropped (reported via `tornTail`); any other bad line is an error.
 */
export function parseCompletions(text: string, source: string): { records: CompletionRecord[]; tornTail: boolean } {
  const lines = text.split('\n');
  const records: CompletionRecord[] = [];
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      if (i === lines.length - 1) {
        tornTail = true;
        continue;
      }
      throw new DataError(`malformed JSON (${(e as Error).message})`, where);
    }
    records.push(parseCompletionRecord(value, where));
  }
  return { records, tornTail };
}

export function completionLine(r: CompletionRecord): string {
  return JSON.stringify(r);
}
