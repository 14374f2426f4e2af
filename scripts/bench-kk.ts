// `npm run bench:kk`: times `warmup kk generate --count 10000 --people 2..8` end to end (process
// start, generation, atomic write) and checks it against the 10 s budget of the K&K issue.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT_S = 10;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'bench-kk-'));
const out = path.join(dir, 'kk.jsonl');
const args = [
  path.join(root, 'apps/cli/bin/warmup.js'),
  'kk',
  'generate',
  '--count',
  '10000',
  '--people',
  '2..8',
  '--seed',
  '1',
  '--out',
  out,
];
try {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`warmup kk generate exited with ${r.status}`);
  }
  const lines = readFileSync(out, 'utf8').trim().split('\n').length;
  process.stdout.write(
    `warmup kk generate --count 10000 --people 2..8: ${seconds.toFixed(2)} s for ${lines} puzzles (limit ${LIMIT_S} s)\n`,
  );
  if (seconds >= LIMIT_S) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
