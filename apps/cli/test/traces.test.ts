// `warmup traces import`: JSONL and CSV files with their own column names become trace JSONL;
// bad columns or rows are errors naming the file and row, with no output written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTraces } from '../src/traces/import.ts';

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'apps/cli/bin/warmup.js');

const csv =
  'qid,question,answer\n7,"Who is a knight?","<think>A says ""hi""\nthen B</think> <answer>(1) A is a knight</answer>"\n8,Q2,A2\n';

describe('importTraces', () => {
  it('CSV: quoted fields with commas, quotes and newlines; numeric ids', () => {
    const recs = importTraces(csv, {
      file: 't.csv',
      format: 'csv',
      promptCol: 'question',
      completionCol: 'answer',
      idCol: 'qid',
      source: 'import:t.csv',
    });
    expect(recs).toEqual([
      {
        id: '7',
        prompt: 'Who is a knight?',
        completion: '<think>A says "hi"\nthen B</think> <answer>(1) A is a knight</answer>',
        source: 'import:t.csv',
      },
      { id: '8', prompt: 'Q2', completion: 'A2', source: 'import:t.csv' },
    ]);
  });

  it('JSONL: nested columns by dot path; ids default to row numbers', () => {
    const text = [
      { input: { text: 'p1' }, outputs: ['c1'] },
      { input: { text: 'p2' }, outputs: ['c2'] },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const recs = importTraces(text, {
      file: 't.jsonl',
      format: 'jsonl',
      promptCol: 'input.text',
      completionCol: 'outputs.0',
      source: 's',
    });
    expect(recs.map((r) => [r.id, r.prompt, r.completion])).toEqual([
      ['row-1', 'p1', 'c1'],
      ['row-2', 'p2', 'c2'],
    ]);
  });

  it('names a missing column (listing the columns) and a bad row', () => {
    expect(() =>
      importTraces(csv, { file: 't.csv', format: 'csv', promptCol: 'prompt', completionCol: 'answer', source: 's' }),
    ).toThrow(/--prompt-col "prompt": no such column \(columns: qid, question, answer\)/);
    const text = '{"p": "a", "c": "b"}\n{"p": "a", "c": 5}\n';
    expect(() =>
      importTraces(text, { file: 't.jsonl', format: 'jsonl', promptCol: 'p', completionCol: 'c', source: 's' }),
    ).toThrow(/t\.jsonl:2: completion column "c" must be a string/);
  });
});

describe('warmup traces import (CLI)', () => {
  it('writes the JSONL, and exits 2 without output on a bad column', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'warmup-traces-'));
    const input = path.join(dir, 'in.csv');
    writeFileSync(input, csv);
    const out = path.join(dir, 'out.jsonl');
    const run = (...cols: string[]) =>
      spawnSync(process.execPath, [bin, 'traces', 'import', '--in', input, '--out', out, ...cols], {
        cwd: root,
        encoding: 'utf8',
      });
    const bad = run('--prompt-col', 'nope', '--completion-col', 'answer');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/in\.csv row 1: --prompt-col "nope": no such column/);
    expect(existsSync(out)).toBe(false);
    const ok = run('--prompt-col', 'question', '--completion-col', 'answer', '--id-col', 'qid');
    expect(ok.status).toBe(0);
    const recs = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(recs.map((r) => [r.id, r.source])).toEqual([
      ['7', 'import:in.csv'],
      ['8', 'import:in.csv'],
    ]);
  });
});
