// `warmup sft` / `warmup grpo` against a clumsy user: contradictory or absurd flags, a 50 MB JSONL
// line, invalid UTF-8, a hand-edited trainer_state.json, a start-up failure and a diverging
// learning rate each end with one line and a non-zero exit, and never leave or wipe run outputs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-robust-'));
const run = (...a: string[]) => spawnSync('node', [BIN, ...a], { encoding: 'utf8', cwd: ROOT });
const puzzles = path.join(tmp, 'kk.jsonl');
const traces = path.join(tmp, 'traces.jsonl');
const grpo = (out: string, ...a: string[]) =>
  run('grpo', '--model', 'kk-tiny', '--task', 'kk', '--data', puzzles, '--out', out, '--backend', 'wasm', ...a);
const sft = (out: string, ...a: string[]) =>
  run('sft', '--model', 'kk-tiny', '--data', traces, '--out', out, '--backend', 'wasm', '--eval-every', '0', ...a);

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const last = lines[lines.length - 1];
  expect(stderr).not.toMatch(/\n\s+at /);
  return last;
}

beforeAll(() => {
  expect(run('kk', 'generate', '--people', '2', '--count', '6', '--seed', '9', '--out', puzzles).status).toBe(0);
  const t = run(
    'kk',
    'generate',
    '--people',
    '2..3',
    '--count',
    '30',
    '--seed',
    '5',
    '--with-trace',
    '--style',
    'short',
    '--out',
    traces,
  );
  expect(t.status, t.stderr).toBe(0);
});

describe('bad flags and files give exit 2 and no run folder', () => {
  it.each([
    [['--epsilon', '-0.2'], /--epsilon -0\.2: the clip range must be in \[0, 1\)/],
    [['--num-generations', '1000000'], /--num-generations 1000000: at most 1024/],
    [['--epsilon', '0.2', '--epsilon-high', '0.1'], /--epsilon-high 0\.1 is below --epsilon 0\.2/],
    [['--lora-alpha', '16'], /--lora-alpha needs --lora-rank > 0/],
    [['--reference', 'nowhere', '--beta', '0'], /--reference is only used with a KL term/],
    [['--reference', 'nowhere', '--beta', '0.1'], /--reference: no such folder: nowhere/],
  ])('grpo %s', (flags, message) => {
    const out = path.join(tmp, `g-${flags.join('')}`);
    const r = grpo(out, ...flags);
    expect(r.status, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('sft --batch-size 100000000', () => {
    const out = path.join(tmp, 's-batch');
    const r = sft(out, '--batch-size', '100000000');
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/--batch-size 100000000: at most 65536/);
    expect(existsSync(out)).toBe(false);
  });

  it('a 50 MB JSONL line and invalid UTF-8 name their file:line', () => {
    const big = path.join(tmp, 'big.jsonl');
    const first = readFileSync(traces, 'utf8').split('\n')[0];
    writeFileSync(big, `${first}\n{"prompt": "${'x'.repeat(50 * 2 ** 20)}", "completion": "y"}\n`);
    let r = sft(path.join(tmp, 's-big'), '--data', big);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/big\.jsonl:2: line of 50 M characters/);
    const bad = path.join(tmp, 'bad-utf8.jsonl');
    writeFileSync(
      bad,
      Buffer.concat([
        Buffer.from(`${first}\n{"prompt": "a`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('", "completion": "b"}\n'),
      ]),
    );
    r = sft(path.join(tmp, 's-utf8'), '--data', bad);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/bad-utf8\.jsonl:2: invalid UTF-8/);
  });

  it('a start-up failure after the model loaded leaves no metrics.jsonl or settings.json', () => {
    const notModel = path.join(tmp, 'not-a-model');
    mkdirSync(notModel, { recursive: true });
    const out = path.join(tmp, 'g-ref');
    const r = grpo(
      out,
      ...['--beta', '0.1', '--reference', notModel, '--max-steps', '1', '--num-generations', '2'],
      ...['--prompts-per-step', '1', '--max-completion-length', '16'],
    );
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/--reference: cannot load/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});

describe('a run folder is never wiped by bad state or a diverging run', () => {
  it('a hand-edited or truncated trainer_state.json is refused and metrics.jsonl kept', () => {
    const out = path.join(tmp, 's-state');
    const r = sft(out, '--max-steps', '2', '--checkpoint-every', '1', '--eval-fraction', '0');
    expect(r.status, r.stderr).toBe(0);
    const file = path.join(out, 'checkpoint', 'trainer_state.json');
    const state = readFileSync(file, 'utf8');
    const metrics = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8');
    for (const [edit, message] of [
      [state.replace(/"step": \d+/, '"step": "x"'), /key "step"/],
      [state.replace(/"step": \d+/, '"step": -7'), /key "step"/],
      [state.slice(0, 25), /not valid JSON/],
    ] as const) {
      writeFileSync(file, edit);
      const again = sft(out, '--max-steps', '4', '--resume', '--eval-fraction', '0');
      expect(again.status, again.stderr).toBe(2);
      expect(oneLine(again.stderr)).toMatch(message);
      expect(readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')).toBe(metrics);
    }
  });

  it('sft --lr 1e30 stops with a clear message and writes no final weights', () => {
    const out = path.join(tmp, 's-diverge');
    const r = sft(out, '--lr', '1e30', '--max-steps', '10', '--eval-fraction', '0');
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/training diverged at step 1 .*lower --lr/);
    expect(existsSync(path.join(out, 'final'))).toBe(false);
  });
});
