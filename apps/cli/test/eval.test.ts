// `warmup eval` and `warmup eval compare` through a real process (fixtures/eval-cli.ts wires the
// command to a toy task and a fake sampler): outputs, resuming, flag validation, exit codes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
const script = path.join(root, 'apps/cli/test/fixtures/eval-cli.ts');
let dir: string;
let model: string;
let data: string;
let logFile: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, 'eval', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, EVAL_FAKE_LOG: logFile },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function logLines(): string[] {
  return existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean) : [];
}

const solved = [0, 1, 2, 4];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warmup-eval-'));
  model = path.join(dir, 'model');
  mkdirSync(model);
  data = path.join(dir, 'data.jsonl');
  writeFileSync(
    data,
    solved.map((s, i) => JSON.stringify({ id: `q${i}`, answer: String(10 + i), solved: s })).join('\n') + '\n',
  );
  logFile = path.join(dir, 'log.txt');
});

const base = (out: string, ...more: string[]) => [
  '--model',
  model,
  '--task',
  'kk',
  '--data',
  data,
  '--out',
  out,
  ...more,
];

describe('warmup eval', () => {
  it('runs, writes completions and reports, and resumes without resampling', () => {
    const out = path.join(dir, 'run-a');
    const first = cli(...base(out, '--limit', '2', '--batch-size', '4'));
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(logLines()).toEqual([`load ${model} t=0.7 batch=4`, 'sample q0', 'sample q1', 'dispose']);
    writeFileSync(logFile, '');

    const second = cli(...base(out, '--batch-size', '8'));
    expect(second.code).toBe(0);
    // q0, q1 are done; 8 sequences per call = 2 questions × 4 samples
    expect(logLines().filter((l) => l.startsWith('sample'))).toEqual(['sample q2,q3']);
    const lines = readFileSync(path.join(out, 'completions.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(16);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.questions).toBe(4);
    expect(report.pass1.mean).toBeCloseTo(7 / 16, 12);
    expect(report.passk['4']).toBeCloseTo(3 / 4, 12);
    expect(report.format_failure_rate).toBeCloseTo(9 / 16, 12);
    expect(report.buckets.map((b: { count: number }) => b.count)).toEqual([1, 1, 1, 0, 1]);
    for (const f of ['report.md', 'passk.svg', 'buckets.svg', 'config.json'])
      expect(existsSync(path.join(out, f))).toBe(true);
    expect(second.out).toMatch(/^pass@1 43\.8 ± 20\.7 \| pass@2 58\.3 \| pass@4 75\.0 \| format failures 56\.3\n/);
  });

  it('refuses to resume with other settings, before loading the model', () => {
    const out = path.join(dir, 'run-a');
    writeFileSync(logFile, '');
    const r = cli(...base(out, '--temperature', '1'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/config\.json was made with temperature=0\.7, this run has temperature=1/);
    expect(logLines()).toEqual([]);
  });

  it.each([
    [['--samples', '0'], /--samples must be >= 1/],
    [['--temperature', 'hot'], /--temperature must be a number/],
    [['--top-p', '1.5'], /--top-p must be <= 1/],
    [['--task', 'poetry'], /--task must be one of kk, math, mcq, code/],
    [['--prompt-style', 'xml'], /--prompt-style must be one of r1, chat/],
    [['--bucket-edges', '0.5,0.2'], /--bucket-edges: bucket edges must increase/],
    [['--backend', 'tpu'], /--backend must be one of/],
    [['--reference', '/nonexistent'], /--reference: no completions.jsonl/],
  ])('rejects %j with exit 2 and no output', (extra, msg) => {
    writeFileSync(logFile, '');
    const out = path.join(dir, 'bad');
    const r = cli(...base(out, ...(extra as string[])));
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(msg as RegExp);
    expect(logLines()).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('names the data file and line of a bad record; requires --model', () => {
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"a","answer":"1","solved":1}\n{"id":"b"}\n');
    const r = cli('--model', model, '--task', 'kk', '--data', bad, '--out', path.join(dir, 'bad2'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:2: expected {id, answer, solved}`);
    const m = cli('--task', 'kk', '--data', data, '--out', path.join(dir, 'bad3'));
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/--model is required/);
  });

  it('buckets by a reference run, and compare puts runs side by side', () => {
    const ref = path.join(dir, 'run-a');
    const out = path.join(dir, 'run-b');
    expect(cli(...base(out, '--samples', '2', '--reference', ref)).code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.bucket_reference).toBe(ref);
    // run-a's solve rates 0, 1/4, 1/2, 1 put one question in each of these buckets
    expect(report.buckets.map((b: { count: number }) => b.count)).toEqual([1, 1, 1, 0, 1]);

    const cmp = path.join(dir, 'cmp');
    const c = cli('compare', ref, out, '--labels', 'base,warmup', '--out', cmp);
    expect(c.code).toBe(0);
    expect(c.out.split('\n')[0]).toBe('| metric, unit | base | warmup |');
    expect(c.out).toContain('| questions × samples (count) | 4 × 4 | 4 × 2 |');
    // run-a is bucketed by itself and is run-b's reference: the same buckets, no warning
    expect(c.out).not.toMatch(/Note: buckets come from different reference runs/);
    expect(readFileSync(path.join(cmp, 'compare.md'), 'utf8')).toBe(c.out);
    expect(existsSync(path.join(cmp, 'passk.svg'))).toBe(true);

    const d = cli('compare', ref, out, '--labels', 'one');
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/--labels: 1 labels for 2 runs/);
    const e = cli('compare', ref, path.join(dir, 'nowhere'));
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/no report.json in .*nowhere/);
  });
});
