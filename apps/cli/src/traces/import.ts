// Converting existing trace files (JSONL or CSV, any column names) into our trace JSONL, so
// traces made elsewhere (another teacher, a public dataset) feed the same SFT loader.
import Papa from 'papaparse';
import { DataError, parseJsonl } from '@warmup/tasks';
import type { TraceRecord } from './record.ts';

export type TraceFormat = 'jsonl' | 'csv';

export interface ImportOptions {
  /** Names the file in errors. */
  file: string;
  format: TraceFormat;
  promptCol: string;
  completionCol: string;
  idCol?: string;
  /** The `source` of every record. */
  source: string;
}

/** `csv` / `tsv` → csv; `jsonl` / `ndjson` / `json` → jsonl; else undefined. */
export function formatOf(file: string): TraceFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'csv' || ext === 'tsv') return 'csv';
  if (ext === 'jsonl' || ext === 'ndjson' || ext === 'json') return 'jsonl';
  return undefined;
}

/** A column of a row: an exact key first, else a dot path into nested objects and arrays. */
function lookup(row: Record<string, unknown>, col: string): unknown {
  if (col in row) return row[col];
  let v: unknown = row;
  for (const key of col.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

interface Row {
  value: Record<string, unknown>;
  where: string;
}

function readRows(text: string, opts: ImportOptions): { rows: Row[]; columns: string[] } {
  if (opts.format === 'jsonl') {
    const rows = parseJsonl(text, opts.file).map(({ value, where }) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new DataError('expected a JSON object', where);
      return { value: value as Record<string, unknown>, where };
    });
    return { rows, columns: rows.length ? Object.keys(rows[0].value) : [] };
  }
  const r = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy' });
  const err = r.errors[0];
  if (err) throw new DataError(`CSV: ${err.message}`, `${opts.file} row ${(err.row ?? 0) + 1}`);
  return {
    rows: r.data.map((value, i) => ({ value, where: `${opts.file} row ${i + 1}` })),
    columns: r.meta.fields ?? [],
  };
}

export function importTraces(text: string, opts: ImportOptions): TraceRecord[] {
  const { rows, columns } = readRows(text, opts);
  if (rows.length === 0) throw new DataError('no records', opts.file);
  // A column missing from the first row is almost always a typo: list what exists.
  const flags: Array<[string, string | undefined]> = [
    ['--prompt-col', opts.promptCol],
    ['--completion-col', opts.completionCol],
    ['--id-col', opts.idCol],
  ];
  for (const [flag, col] of flags) {
    if (col !== undefined && lookup(rows[0].value, col) === undefined) {
      throw new DataError(`${flag} "${col}": no such column (columns: ${columns.join(', ') || 'none'})`, rows[0].where);
    }
  }
  const text_ = (row: Row, col: string, what: string): string => {
    const v = lookup(row.value, col);
    if (typeof v !== 'string')
      throw new DataError(
        `${what} column "${col}" must be a string, got ${v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 40)}`,
        row.where,
      );
    if (v.trim() === '') throw new DataError(`${what} column "${col}" is empty`, row.where);
    return v;
  };
  return rows.map((row, i) => {
    let id = `row-${i + 1}`;
    if (opts.idCol !== undefined) {
      const v = lookup(row.value, opts.idCol);
      if (typeof v === 'number' && Number.isFinite(v)) id = String(v);
      else id = text_(row, opts.idCol, 'id');
    }
    return {
      id,
      prompt: text_(row, opts.promptCol, 'prompt'),
      completion: text_(row, opts.completionCol, 'completion'),
      source: opts.source,
    };
  });
}
