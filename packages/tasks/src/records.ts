// One loader for the public file formats the datasets ship in (JSONL, JSON, CSV, Parquet as the
// Hugging Face hub publishes them), chosen by file extension. Shared by the tasks and the CLI.
import Papa from 'papaparse';
import { decodeUtf8, parseJsonl } from './jsonl.ts';
import { rawArrayElements, rawObjectMembers } from './raw-json.ts';
import { DataError } from './task.ts';

export interface LoadedRecord {
  value: unknown;
  /** `file:line` (JSONL/CSV) or `file:record N` for error messages. */
  where: string;
}

export interface LoadOptions {
  /** Fields to keep as their JSON source text (a string) instead of a parsed value. */
  rawJsonFields?: readonly string[];
}

export const RECORD_EXTENSIONS = ['.jsonl', '.json', '.csv', '.parquet'] as const;

function extensionOf(filename: string): string {
  const m = /\.[^./\\]+$/.exec(filename.toLowerCase());
  return m ? m[0] : '';
}

function asText(input: string | Uint8Array, filename: string): string {
  return typeof input === 'string' ? input : decodeUtf8(input, filename);
}

function withRawFields(value: unknown, raw: string, fields: readonly string[] | undefined): unknown {
  if (!fields?.length || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const members = rawObjectMembers(raw);
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const f of fields) {
    const text = members.get(f);
    if (text !== undefined && typeof out[f] !== 'string') out[f] = text;
  }
  return out;
}

function loadJsonl(text: string, filename: string, opts: LoadOptions): LoadedRecord[] {
  const lines = text.split('\n');
  return parseJsonl(text, filename).map((r) => {
    const line = Number(r.where.slice(r.where.lastIndexOf(':') + 1));
    return { value: withRawFields(r.value, lines[line - 1], opts.rawJsonFields), where: r.where };
  });
}

function loadJson(text: string, filename: string, opts: LoadOptions): LoadedRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DataError(`malformed JSON (${(e as Error).message})`, filename);
  }
  let rows: unknown[];
  let raws: string[];
  if (Array.isArray(parsed)) {
    rows = parsed;
    raws = opts.rawJsonFields?.length ? rawArrayElements(text) : [];
  } else if (typeof parsed === 'object' && parsed !== null) {
    // {"data": [...]} / {"rows": [...]}: the one array member holds the records
    const arrays = Object.entries(parsed).filter(([, v]) => Array.isArray(v));
    if (arrays.length !== 1)
      throw new DataError('expected a JSON array of records (or an object with one array)', filename);
    rows = arrays[0][1] as unknown[];
    raws = opts.rawJsonFields?.length ? rawArrayElements(rawObjectMembers(text).get(arrays[0][0]) ?? '[]') : [];
  } else {
    throw new DataError('expected a JSON array of records', filename);
  }
  return rows.map((value, i) => ({
    value: raws[i] !== undefined ? withRawFields(value, raws[i], opts.rawJsonFields) : value,
    where: `${filename}:record ${i + 1}`,
  }));
}

function loadCsv(text: string, filename: string): LoadedRecord[] {
  const res = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true, dynamicTyping: false });
  const bad = res.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new DataError(`malformed CSV (${bad.message})`, `${filename}:${(bad.row ?? 0) + 2}`);
  return res.data.map((value, i) => ({ value, where: `${filename}:${i + 2}` }));
}

/** Parquet int64 columns come back as BigInt; records are plain JSON-like data everywhere else. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>, plain);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

async function loadParquet(input: string | Uint8Array, filename: string): Promise<LoadedRecord[]> {
  if (typeof input === 'string') throw new DataError('a parquet file must be read as bytes', filename);
  const { parquetReadObjects } = await import('hyparquet');
  const file = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file });
  } catch (e) {
    throw new DataError(`unreadable parquet (${(e as Error).message})`, filename);
  }
  return rows.map((r, i) => ({ value: plain(r), where: `${filename}:record ${i + 1}` }));
}

/** Records of a data file, format chosen by extension (.jsonl, .json, .csv, .parquet). */
export async function loadRecords(
  input: string | Uint8Array,
  filename: string,
  opts: LoadOptions = {},
): Promise<LoadedRecord[]> {
  const ext = extensionOf(filename);
  switch (ext) {
    case '.jsonl':
      return loadJsonl(asText(input, filename), filename, opts);
    case '.json':
      return loadJson(asText(input, filename), filename, opts);
    case '.csv':
      return loadCsv(asText(input, filename), filename);
    case '.parquet':
      return loadParquet(input, filename);
    default:
      throw new DataError(`unsupported file type "${ext || '(none)'}": use ${RECORD_EXTENSIONS.join(', ')}`, filename);
  }
}
