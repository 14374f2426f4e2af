// `warmup toy` and `warmup pretrain` from the outside: the corpus and domain files are written,
// pretraining puts the loss on every token but each window's first, writes a loadable final/
// folder, and bad input fails with exit 2.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { documentExamples } from '../src/commands/pretrain.ts';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-pretrain-'));
const run = (...a: string[]) => spawnSync('node', [BIN, ...a], { encoding: 'utf8', cwd: ROOT });

describe('warmup toy / pretrain', () => {
  it('cuts a document into windows whose loss covers every token but the first', () => {
    const ex = documentExamples([1, 2, 3, 4, 5, 6, 7], 3);
    expect(ex).toEqual([
      { promptIds: [1], completionIds: [2, 3] },
      { promptIds: [4], completionIds: [5, 6] },
    ]);
  });

  it('writes toy data, pretrains on a toy corpus and saves a model', () => {
    const corpus = path.join(tmp, 'corpus.jsonl');
    expect(run('toy', 'corpus', '--count', '40', '--seed', '1', '--out', corpus).status).toBe(0);
    const docs = readFileSync(corpus, 'utf8').trim().split('\n');
    expect(docs).toHaveLength(40);
    const math = path.join(tmp, 'math.jsonl');
    const g = run('toy', 'generate', '--domain', 'math', '--split', 'test', '--count', '5', '--out', math);
    expect(g.status, g.stderr).toBe(0);
    expect(readFileSync(math, 'utf8').trim().split('\n')).toHaveLength(5);

    const out = path.join(tmp, 'run');
    const r = run(
      'pretrain',
      '--model',
      'toy-base',
      '--backend',
      'wasm',
      '--data',
      corpus,
      '--out',
      out,
      '--max-steps',
      '3',
      '--batch-size',
      '4',
      '--max-seq-len',
      '64',
      '--eval-every',
      '0',
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = lines.filter((m) => m.loss !== undefined);
    expect(steps).toHaveLength(3);
    for (const m of steps) {
      expect(Number.isFinite(m.loss)).toBe(true);
      expect(m.loss_tokens).toBeGreaterThan(0.8 * m.tokens); // loss on (almost) every token
    }
    expect(existsSync(path.join(out, 'final', 'model.safetensors'))).toBe(true);
    expect(existsSync(path.join(out, 'final', 'tokenizer.json'))).toBe(true);
  }, 120_000);

  it('rejects bad input with exit 2', () => {
    const empty = path.join(tmp, 'empty.txt');
    writeFileSync(empty, '  \n');
    const r = run('pretrain', '--model', 'toy-base', '--data', empty, '--out', path.join(tmp, 'x'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--data .*empty\.txt: no text/);
    const d = run('toy', 'generate', '--domain', 'chess', '--count', '3', '--out', path.join(tmp, 'c.jsonl'));
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/--domain must be one of math, mcq, code/);
    const c = run(
      'toy',
      'generate',
      '--domain',
      'code',
      '--split',
      'test',
      '--count',
      '9999',
      '--out',
      path.join(tmp, 'c.jsonl'),
    );
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/only \d+ distinct test items/);
  });
});
