// A crash between the two renames of the checkpoint swap (injected with WARMUP_CRASH_TEST, which
// SIGKILLs the process there): the next start completes the swap, a start without --resume is
// refused without touching metrics.jsonl, and --resume ends at the uninterrupted run's weights.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-swapcrash-'));
const data = path.join(tmp, 'kk.jsonl');

const args = (out: string): string[] => [
  BIN,
  'sft',
  '--model',
  'kk-tiny',
  '--data',
  data,
  '--out',
  out,
  '--backend',
  'wasm',
  '--seed',
  '3',
  '--max-steps',
  '8',
  '--checkpoint-every',
  '2',
  '--batch-size',
  '4',
  '--lr',
  '2e-3',
  '--eval-every',
  '0',
  '--eval-fraction',
  '0',
];

const lines = (out: string): string => readFileSync(path.join(out, 'metrics.jsonl'), 'utf8');

describe('warmup sft: killed between the renames of a checkpoint swap', () => {
  beforeAll(() => {
    const r = spawnSync('node', [
      BIN,
      'kk',
      'generate',
      '--people',
      '2..3',
      '--count',
      '40',
      '--seed',
      '5',
      '--with-trace',
      '--style',
      'short',
      '--out',
      data,
    ]);
    expect(r.status).toBe(0);
  });

  it('recovers the checkpoint, refuses to start over, and resumes to identical weights', () => {
    const full = path.join(tmp, 'full');
    const r = spawnSync('node', args(full), { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);

    const cut = path.join(tmp, 'cut');
    // the 3rd swap is the checkpoint of step 6: killed with checkpoint/ renamed away
    const crashed = spawnSync('node', args(cut), {
      encoding: 'utf8',
      env: { ...process.env, WARMUP_CRASH_TEST: 'between-renames:3' },
    });
    expect(crashed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(cut, 'checkpoint'))).toBe(false);
    const before = lines(cut);
    expect(before.trim().split('\n')).toHaveLength(6);

    const again = spawnSync('node', args(cut), { encoding: 'utf8' });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/--resume/);
    expect(again.stderr).toMatch(/completed an interrupted checkpoint write/);
    expect(lines(cut)).toBe(before); // nothing truncated
    expect(JSON.parse(readFileSync(path.join(cut, 'checkpoint', 'trainer_state.json'), 'utf8')).step).toBe(6);
    expect(readdirSync(cut).filter((n) => n.startsWith('.'))).toEqual([]);

    const resumed = spawnSync('node', [...args(cut), '--resume'], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(lines(cut).trim().split('\n')).toHaveLength(8);
    const wa = readFileSync(path.join(full, 'final', 'model.safetensors'));
    const wb = readFileSync(path.join(cut, 'final', 'model.safetensors'));
    expect(wb.equals(wa)).toBe(true);
  }, 300_000); // four short training runs on a shared 2-core machine
});
