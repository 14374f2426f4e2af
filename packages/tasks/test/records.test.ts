// loadRecords over the four public formats, verbatim JSON fields, and its one-line errors.
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { loadRecords, MAX_JSONL_LINE, rawArrayElements, rawObjectMembers } from '../src/index.ts';

describe('loadRecords', () => {
  it('reads JSONL with file:line locations', async () => {
    const recs = await loadRecords('{"a": 1}\n\n{"a": 2}\n', 'd.jsonl');
    expect(recs.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(recs[1].where).toBe('d.jsonl:3');
    await expect(loadRecords('{"a": 1}\n{oops\n', 'd.jsonl')).rejects.toThrow(/d\.jsonl:2/);
  });

  it('refuses invalid UTF-8 and an over-long line with their file:line', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"a": 1}\n{"a": "'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('"}\n'),
    ]);
    await expect(loadRecords(bytes, 'd.jsonl')).rejects.toThrow(/d\.jsonl:2: invalid UTF-8/);
    const long = `{"a": 1}\n{"a": 2}\n{"a": "${'x'.repeat(MAX_JSONL_LINE)}"}\n`;
    await expect(loadRecords(long, 'd.jsonl')).rejects.toThrow(
      /d\.jsonl:3: line of 16 M characters, over the 16 M limit/,
    );
  });

  it('reads a JSON array and an object holding one array', async () => {
    expect((await loadRecords('[{"a": 1}, {"a": 2}]', 'd.json')).map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    expect((await loadRecords('{"rows": [{"a": 3}]}', 'd.json'))[0].value).toEqual({ a: 3 });
    await expect(loadRecords('{"a": 1}', 'd.json')).rejects.toThrow(/d\.json/);
  });

  it('keeps requested fields as their JSON text, so 1.0 stays 1.0', async () => {
    const line = '{"id": "t", "base_input": [[1.0, 2], [3.50]], "x": 1.0}';
    const [jsonl] = await loadRecords(line, 'd.jsonl', { rawJsonFields: ['base_input'] });
    expect(jsonl.value).toEqual({ id: 't', base_input: '[[1.0, 2], [3.50]]', x: 1 });
    const [json] = await loadRecords(`[${line}]`, 'd.json', { rawJsonFields: ['base_input'] });
    expect((json.value as { base_input: string }).base_input).toBe('[[1.0, 2], [3.50]]');
  });

  it('reads CSV with a header row (quoted commas and newlines)', async () => {
    const csv = 'question,answer\n"a, b",C\n"multi\nline",D\n';
    const recs = await loadRecords(csv, 'd.csv');
    expect(recs.map((r) => r.value)).toEqual([
      { question: 'a, b', answer: 'C' },
      { question: 'multi\nline', answer: 'D' },
    ]);
  });

  it('reads Parquet, with int64 as numbers and lists as arrays', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'question_id', data: [7n, 8n], type: 'INT64' },
        { name: 'question', data: ['q1', 'q2'], type: 'STRING' },
      ],
    });
    const recs = await loadRecords(new Uint8Array(buf), 'd.parquet');
    expect(recs.map((r) => r.value)).toEqual([
      { question_id: 7, question: 'q1' },
      { question_id: 8, question: 'q2' },
    ]);
    await expect(loadRecords(new Uint8Array([1, 2, 3]), 'bad.parquet')).rejects.toThrow(/bad\.parquet/);
  });

  it('names the supported extensions for anything else', async () => {
    await expect(loadRecords('x', 'data.txt')).rejects.toThrow(/\.jsonl, \.json, \.csv, \.parquet/);
  });
});

describe('raw JSON scanning', () => {
  it('splits members and elements without parsing values', () => {
    const m = rawObjectMembers('{"a": "x,}]\\"", "b": [1.0, {"c": [2]}], "d": -1e3 }');
    expect(m.get('a')).toBe('"x,}]\\""');
    expect(m.get('b')).toBe('[1.0, {"c": [2]}]');
    expect(m.get('d')).toBe('-1e3');
    expect(rawArrayElements('[ 1.0 , "a]" , [2] ]')).toEqual(['1.0', '"a]"', '[2]']);
  });
});
