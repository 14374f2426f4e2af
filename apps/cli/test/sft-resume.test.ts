// kill -9 during `warmup sft`, then --resume: the curve continues from the checkpoint and the
// final weights equal an uninterrupted run's with the same seed.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-resume-'));
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
  '14',
  '--checkpoint-every',
  '2',
  '--batch-size',
  '4',
  '--lr',
  '2e-3',
  '--warmup-steps',
  '2',
  '--eval-every',
  '0',
  '--eval-fraction',
  '0',
];

function readWeights(dir: string): Float32Array {
  const buf = readFileSync(path.join(dir, 'model.safetensors'));
  const n = Number(buf.readBigUInt64LE(0));
  const bytes = buf.subarray(8 + n);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function steps(out: string): { step: number; loss: number }[] {
  return readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('warmup sft: kill -9 and --resume', () => {
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

  it("resumes where the checkpoint left off and ends at the uninterrupted run's weights", async () => {
    const full = path.join(tmp, 'full');
    const r = spawnSync('node', args(full), { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);

    const cut = path.join(tmp, 'cut');
    const child = spawn('node', args(cut), { stdio: 'ignore' });
    const state = path.join(cut, 'checkpoint', 'trainer_state.json');
    // Kill hard once a checkpoint past step 4 exists (mid-run, possibly mid-save of the next).
    const killedAt = await new Promise<number>((resolve, reject) => {
      const t = setInterval(() => {
        try {
          if (existsSync(state)) {
            const step = JSON.parse(readFileSync(state, 'utf8')).step as number;
            if (step >= 4) {
              clearInterval(t);
              child.kill('SIGKILL');
              resolve(step);
            }
          }
        } catch {
          // the file is swapped in by rename; a read can race it
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(t);
        reject(new Error('run finished before it could be killed'));
      });
    });
    expect(killedAt).toBeLessThan(14);
    await new Promise((res) => child.on('exit', res));
    expect(existsSync(path.join(cut, 'final'))).toBe(false);

    const again = spawnSync('node', args(cut), { encoding: 'utf8' });
    expect(again.status).toBe(2); // refuses to overwrite a run without --resume
    expect(again.stderr).toMatch(/--resume/);
    const resumed = spawnSync('node', [...args(cut), '--resume'], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);

    const a = steps(full);
    const b = steps(cut);
    expect(b.map((m) => m.step)).toEqual(a.map((m) => m.step)); // 1..14, each once
    // The resumed curve continues: no jump back towards the initial loss.
    b.forEach((m, i) => expect(Math.abs(m.loss - a[i].loss)).toBeLessThan(1e-4 * Math.max(1, a[i].loss)));
    expect(b[b.length - 1].loss).toBeLessThan(b[0].loss);
    const wa = readWeights(path.join(full, 'final'));
    const wb = readWeights(path.join(cut, 'final'));
    expect(wb.length).toBe(wa.length);
    let maxDiff = 0;
    for (let i = 0; i < wa.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wa[i] - wb[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });
});
