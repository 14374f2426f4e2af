// JSON Lines parsing and writing with errors that name the source and line, shared by every
// loader so malformed data is reported the same way in the browser and in Node.
import { DataError } from './task.ts';

export interface JsonlRecord {
  value: unknown;
  /** `source:line`, 1-based, for error messages. */
  where: string;
}

/** The longest JSONL line accepted (characters): a longer one is refused with its file:line
 *  before parsing it can exhaust memory. HumanEval+'s largest records are well below this. */
export const MAX_JSONL_LINE = 16 * 1024 * 1024;

/** Decode UTF-8, refusing invalid bytes with the 1-based line they are on instead of silently
 *  replacing them with U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const strict = new TextDecoder('utf-8', { fatal: true });
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      try {
        strict.decode(bytes.subarray(start, end));
      } catch {
        throw new DataError('invalid UTF-8', `${source}:${line}`);
      }
      start = end + 1;
    }
    throw new DataError('invalid UTF-8', source);
  }
}

/** Parse JSONL text; blank lines are skipped, anything else that is not JSON is an error. */
export function parseJsonl(text: string, source: string): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const where = `${source}:${i + 1}`;
    if (lines[i].length > MAX_JSONL_LINE)
      throw new DataError(
        `line of ${(lines[i].length / 2 ** 20).toFixed(0)} M characters, over the ${MAX_JSONL_LINE / 2 ** 20} M limit per record`,
        where,
      );
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      out.push({ value: JSON.parse(line), where });
    } catch (e) {
      throw new DataError(`malformed JSON (${(e as Error).message})`, where);
    }
  }
  return out;
}

export function toJsonl(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}

/** Narrow an unknown record to a plain object or throw a DataError naming the record. */
export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataError('expected a JSON object', where);
  }
  return value as Record<string, unknown>;
}

export function getString(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new DataError(`field "${key}" must be a string`, where);
  return v;
}
