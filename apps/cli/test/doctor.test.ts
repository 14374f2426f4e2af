// `warmup --version` and `warmup doctor --json`: the real CLI in a child process, checked against
// what this process can see itself (Node version, memory, sandbox isolation, package version).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probeIsolation } from '@warmup/node';
import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../src/commands/doctor.ts';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const PKG = JSON.parse(readFileSync(path.join(ROOT, 'apps/cli/package.json'), 'utf8')) as { version: string };

function warmup(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('warmup --version and doctor', () => {
  it('--version prints the package version', () => {
    const r = warmup('--version');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it('doctor --json reports Node, every backend, the sandbox and memory as this machine has them', () => {
    const r = warmup('doctor', '--json');
    expect(r.code, r.stderr).toBe(0);
    // Dawn may print its own warning lines to stdout before the report (see packages/core backend notes).
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n'))) as DoctorReport;
    expect(report.node.version).toBe(process.version);
    expect(report.node.ok).toBe(true);
    expect(report.backends.map((b) => b.name)).toEqual(['webgpu', 'wasm', 'cpu', 'tensorflow']);
    const byName = Object.fromEntries(report.backends.map((b) => [b.name, b]));
    expect(byName.cpu.works).toBe(true);
    expect(byName.wasm.works).toBe(true);
    expect(typeof byName.wasm.wasm?.simd).toBe('boolean');
    // wasm starts with the threads asked for: every core (at most 8) unless WARMUP_WASM_THREADS says otherwise
    const wantThreads = Number(process.env.WARMUP_WASM_THREADS || Math.min(os.availableParallelism(), 8));
    expect(byName.wasm.wasm?.threadsSetting).toBe(wantThreads);
    expect(byName.wasm.wasm?.threadsCount).toBe(wantThreads);
    if (byName.webgpu.works) {
      expect(byName.webgpu.webgpu?.maxStorageBufferBindingSize).toBeGreaterThan(0);
      expect(byName.webgpu.webgpu?.maxBufferSize).toBeGreaterThanOrEqual(
        byName.webgpu.webgpu?.maxStorageBufferBindingSize ?? 0,
      );
    } else expect(byName.webgpu.detail).not.toBe('');
    expect(['webgpu', 'wasm']).toContain(report.auto);
    expect(report.sandbox.isolation).toBe(probeIsolation().level);
    expect(report.memory.totalBytes).toBe(os.totalmem());
    expect(report.memory.availableBytes).toBeGreaterThan(0);
    expect(report.memory.availableBytes).toBeLessThanOrEqual(report.memory.totalBytes);
  });

  it('--threads 1 runs wasm on one thread; a bad count is exit code 2 naming the flag', () => {
    const one = warmup('doctor', '--json', '--threads', '1');
    expect(one.code, one.stderr).toBe(0);
    const report = JSON.parse(one.stdout.slice(one.stdout.indexOf('{\n'))) as DoctorReport;
    expect(report.backends.find((b) => b.name === 'wasm')?.wasm?.threadsCount).toBe(1);
    const bad = warmup('doctor', '--threads', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--threads: "0" is not a thread count from 1 to 8/);
  });

  it('doctor rejects an unknown flag with exit code 2', () => {
    const r = warmup('doctor', '--jsn');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--jsn'/);
  });
});
