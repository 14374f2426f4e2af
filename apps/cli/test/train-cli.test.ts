// `warmup sft` / `warmup grpo` from the outside: bad datasets and options fail with exit 2 before
// any model loads (and leave no run folder), config files work, and a short GRPO run logs metrics.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-train-cli-'));
const run = (...a: string[]) => spawnSync('node', [BIN, ...a], { encoding: 'utf8', cwd: ROOT });
const puzzles = path.join(tmp, 'kk.jsonl');

describe('warmup grpo / sft CLI', () => {
  beforeAll(() => {
    expect(run('kk', 'generate', '--people', '2', '--count', '6', '--seed', '9', '--out', puzzles).status).toBe(0);
  });

  it('rejects an empty dataset before loading a model', () => {
    const empty = path.join(tmp, 'empty.jsonl');
    writeFileSync(empty, '\n');
    const out = path.join(tmp, 'r-empty');
    const r = run('grpo', '--model', 'kk-tiny', '--task', 'kk', '--data', empty, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--data .*empty\.jsonl: no records/);
    expect(existsSync(out)).toBe(false);
  });

  it('runs on a code dataset (HumanEval+ records, graded in the Node sandbox)', () => {
    const out = path.join(tmp, 'r-code');
    const data = path.resolve(__dirname, '../../../data/humanevalplus-mini-sample.jsonl');
    const r = run(
      'grpo',
      '--model',
      'qwen-tiny',
      '--backend',
      'wasm',
      '--task',
      'code',
      '--data',
      data,
      '--limit',
      '4',
      '--out',
      out,
      '--max-steps',
      '1',
      '--num-generations',
      '2',
      '--prompts-per-step',
      '2',
      '--max-completion-length',
      '8',
    );
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const m = JSON.parse(readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')[0]);
    expect(m.step).toBe(1);
    expect(Number.isFinite(m['rewards/code/mean'])).toBe(true);
  });

  it('names file:line of a malformed record', () => {
    const bad = path.join(tmp, 'bad.jsonl');
    writeFileSync(bad, readFileSync(puzzles, 'utf8').split('\n')[0] + '\n{"quiz": 3\n');
    const r = run('grpo', '--model', 'kk-tiny', '--task', 'kk', '--data', bad, '--out', path.join(tmp, 'r-bad'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:2/);
  });

  it('names a bad flag value and an unknown config key', () => {
    let r = run(
      'grpo',
      '--model',
      'kk-tiny',
      '--task',
      'kk',
      '--data',
      puzzles,
      '--out',
      path.join(tmp, 'x'),
      '--num-generations',
      '1',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--num-generations/);
    const cfg = path.join(tmp, 'c.yaml');
    writeFileSync(cfg, 'model: kk-tiny\ntask: kk\nlearning-rate: 3\n');
    r = run('grpo', '--config', cfg, '--data', puzzles, '--out', path.join(tmp, 'y'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown key "learning-rate"/);
    writeFileSync(cfg, 'model: kk-tiny\ntask: kk\nlr: -1\n');
    r = run('grpo', '--config', cfg, '--data', puzzles, '--out', path.join(tmp, 'y'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/key "lr"/);
    r = run(
      'sft',
      '--model',
      'kk-tiny',
      '--data',
      puzzles.replace('.jsonl', '-missing.jsonl'),
      '--out',
      path.join(tmp, 'z'),
      '--lr',
      '1e-3',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--data: no such file/);
  });

  it('runs GRPO from a YAML config and logs per-step reward metrics', () => {
    const cfg = path.join(tmp, 'grpo.yaml');
    const out = path.join(tmp, 'grpo-run');
    writeFileSync(
      cfg,
      [
        'model: kk-tiny',
        'task: kk',
        `data: ${puzzles}`,
        `out: ${out}`,
        'backend: wasm',
        'max-steps: 2',
        'num-generations: 4',
        'prompts-per-step: 2',
        'max-completion-length: 12',
        'lr: 1e-4',
      ].join('\n'),
    );
    const r = run('grpo', '--config', cfg);
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2]);
    for (const l of lines) {
      expect(typeof l.reward).toBe('number');
      expect(l['rewards/kk/mean']).toBe(l.reward);
      expect(l['completions/max_length']).toBeLessThanOrEqual(12);
    }
    expect(existsSync(path.join(out, 'final', 'model.safetensors'))).toBe(true);
    expect(existsSync(path.join(out, 'final', 'tokenizer.json'))).toBe(true);
  });
});
