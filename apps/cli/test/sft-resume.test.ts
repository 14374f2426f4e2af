// `warmup sft` interrupted two ways, both against one uninterrupted run with the same seed: kill -9
// mid-run then --resume (the curve continues, final weights match), and a crash injected between
// the two renames of a checkpoint swap (WARMUP_CRASH_TEST SIGKILLs the process there: the next
// start completes the swap, a start without --resume is refused without touching metrics.jsonl,
// and --resume ends at byte-identical weights). The first three runs start together to use both cores.
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-resume-'));
const data = path.join(tmp, 'kk.jsonl');
const STEPS = 8;

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
  String(STEPS),
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

interface Done {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** spawnSync's result without blocking, so independent runs overlap. */
function runNode(argv: string[], env?: SpawnOptions['env']): Promise<Done> {
  return new Promise((resolve) => {
    const child = spawn('node', argv, { env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('close', (status, signal) => resolve({ status, signal, stderr }));
  });
}

function readWeights(dir: string): Float32Array {
  const buf = readFileSync(path.join(dir, 'model.safetensors'));
  const n = Number(buf.readBigUInt64LE(0));
  const bytes = buf.subarray(8 + n);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

const lines = (out: string): string => readFileSync(path.join(out, 'metrics.jsonl'), 'utf8');
const steps = (out: string): { step: number; loss: number }[] =>
  lines(out)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** The uninterrupted run, shared by both cases, and the run killed mid-swap: both start with the
 *  kill -9 case's run. */
let full: Promise<Done>;
let swapCrash: Promise<Done>;
const fullDir = path.join(tmp, 'full');
const swapDir = path.join(tmp, 'swapcrash');
// Three short training runs at once, then two resumes each: more than the 120 s default on a loaded
// 2-core machine (alone it takes well under a minute; figures in the commit message).
const SLOW = 300_000;

describe('warmup sft: interrupted runs resume to the uninterrupted weights', () => {
  beforeAll(() => {
    const r = spawnSync('node', [
      BIN,
      'kk',
      'generate',
      '--people',
      '2',
      '--count',
      '32',
      '--seed',
      '5',
      '--with-trace',
      '--style',
      'short',
      '--out',
      data,
    ]);
    expect(r.status).toBe(0);
    full = runNode(args(fullDir));
    // the 3rd swap is the checkpoint of step 6: killed with checkpoint/ renamed away
    swapCrash = runNode(args(swapDir), { ...process.env, WARMUP_CRASH_TEST: 'between-renames:3' });
  });

  it(
    "kill -9: resumes where the checkpoint left off and ends at the uninterrupted run's weights",
    async () => {
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
      expect(killedAt).toBeLessThan(STEPS);
      await new Promise((res) => child.on('exit', res));
      expect(existsSync(path.join(cut, 'final'))).toBe(false);

      const again = await runNode(args(cut));
      expect(again.status).toBe(2); // refuses to overwrite a run without --resume
      expect(again.stderr).toMatch(/--resume/);
      const resumed = await runNode([...args(cut), '--resume']);
      expect(resumed.status, resumed.stderr).toBe(0);

      const f = await full;
      expect(f.status, f.stderr).toBe(0);
      const a = steps(fullDir);
      const b = steps(cut);
      expect(b.map((m) => m.step)).toEqual(a.map((m) => m.step)); // 1..STEPS, each once
      expect(a).toHaveLength(STEPS);
      // The resumed curve continues: no jump back towards the initial loss.
      b.forEach((m, i) => expect(Math.abs(m.loss - a[i].loss)).toBeLessThan(1e-4 * Math.max(1, a[i].loss)));
      expect(b[b.length - 1].loss).toBeLessThan(b[0].loss);
      const wa = readWeights(path.join(fullDir, 'final'));
      const wb = readWeights(path.join(cut, 'final'));
      expect(wb.length).toBe(wa.length);
      let maxDiff = 0;
      for (let i = 0; i < wa.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wa[i] - wb[i]));
      expect(maxDiff).toBeLessThan(1e-5);
    },
    SLOW,
  );

  it(
    'crash between the renames of a swap: recovers the checkpoint, refuses to start over, resumes to identical weights',
    async () => {
      const cut = swapDir;
      const crashed = await swapCrash;
      expect(crashed.signal).toBe('SIGKILL');
      expect(existsSync(path.join(cut, 'checkpoint'))).toBe(false);
      const before = lines(cut);
      expect(before.trim().split('\n')).toHaveLength(6);

      const again = await runNode(args(cut));
      expect(again.status).toBe(2);
      expect(again.stderr).toMatch(/--resume/);
      expect(again.stderr).toMatch(/completed an interrupted checkpoint write/);
      expect(lines(cut)).toBe(before); // nothing truncated
      expect(JSON.parse(readFileSync(path.join(cut, 'checkpoint', 'trainer_state.json'), 'utf8')).step).toBe(6);
      expect(readdirSync(cut).filter((n) => n.startsWith('.'))).toEqual([]);

      const resumed = await runNode([...args(cut), '--resume']);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(lines(cut).trim().split('\n')).toHaveLength(STEPS);
      const f = await full;
      expect(f.status, f.stderr).toBe(0);
      const wa = readFileSync(path.join(fullDir, 'final', 'model.safetensors'));
      const wb = readFileSync(path.join(cut, 'final', 'model.safetensors'));
      expect(wb.equals(wa)).toBe(true);
    },
    SLOW,
  );
});
