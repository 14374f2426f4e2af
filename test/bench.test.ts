// `npm run bench`: the table it prints from a history record (no timing: a synthetic record), and
// its refusal of bad flags.
import { spawnSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { type BenchRecord, formatTables } from '../scripts/bench.ts';

const record: BenchRecord = {
  date: '2026-11-30T14:00:00.000Z',
  quick: false,
  commit: 'abc1234',
  machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 24, platform: 'linux', arch: 'x64' },
  node: 'v20.20.2',
  wasmThreads: 2,
  torchThreads: 1,
  loadAverage: { before: 1, after: 1.5 },
  train: [
    {
      preset: 'peer-1.8m',
      batch: 8,
      seq: 128,
      ours: [
        { backend: 'wasm', tokensPerS: 1000, rounds: [900, 1000, 1100], tokensPerCpuS: 1000 },
        { backend: 'webgpu', adapter: 'llvmpipe', tokensPerS: null, rounds: [], error: 'no adapter' },
      ],
      torch: { version: '1.13', threads: 1, tokensPerS: 5000, rounds: [5000], tokensPerCpuS: 4000 },
      torchNote: null,
    },
    {
      preset: 'kk-10m',
      batch: 4,
      seq: 128,
      ours: [
        { backend: 'wasm', tokensPerS: 200, rounds: [200] },
        { backend: 'webgpu', tokensPerS: 50, rounds: [50] },
      ],
      torch: null,
      torchNote: 'not run: /usr/bin/python3 cannot import torch (apt-get install python3-torch)',
    },
  ],
  generation: [
    {
      preset: 'kk-tiny',
      batch: 8,
      newTokens: 256,
      backend: 'wasm',
      tokensPerS: { concat: 400, preallocated: 600 },
      tokensPerCpuS: { concat: 350, preallocated: 700 },
    },
  ],
};

describe('bench table', () => {
  const text = formatTables(record, [{ preset: 'peer-1.8m', label: "1.8M (the peer's size)" }]);

  it('has a column per backend (adapter named), the PyTorch figure and the ratio to wasm', () => {
    expect(text).toContain(
      '| model (SFT tokens/s) | ours, wasm | ours, webgpu (llvmpipe) | PyTorch, 1 thread | PyTorch / ours, wasm | the same per CPU-s |',
    );
    expect(text).toContain(
      "| 1.8M (the peer's size), batch 8 × 128 | 1000 | unavailable | 5000 | **5.00×** | 4.00× (4000 / 1000) |",
    );
    expect(text).toContain('| kk-10m, batch 4 × 128 | 200 | 50.0 | – | – | – |');
    expect(text).toContain('peer-1.8m webgpu: no adapter');
  });

  it('says in one line when the PyTorch twin is not installed', () => {
    expect(text).toContain('PyTorch: not installed, so no ratio (`npm run setup:bench` installs the twin).');
  });

  it('reports generation before and after the preallocated cache', () => {
    expect(text).toContain('| kk-tiny, 8 × 256, wasm | 400 | 600 | 1.50× | 350 → 700 |');
  });

  it('states machine, Node and thread count above the tables', () => {
    expect(text.split('\n')[0]).toBe(
      '2026-11-30, Test CPU (2 cores), Node v20.20.2, wasm threads 2; load average 1.00 → 1.50',
    );
  });
});

describe('bench flags', () => {
  it('refuses a bad flag with one line and exit code 2, before measuring anything', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--rounds', '0'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^bench: --rounds/);
  });
});
