// `warmup doctor`: what a user needs to know before a long run, probed on this machine: Node,
// each backend and whether it computes here, the Python sandbox's isolation, and memory.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import { adapterInfo, type BackendName, hasHardwareWebgpu, wasmThreadsInUse } from '@warmup/core';
import { installNodeWebgpu, probeIsolation, useNodeBackend, WASM_THREADS_ENV, wasmThreadsSetting } from '@warmup/node';
import type { Command } from 'commander';
import { cliPackage } from '../package-info.ts';

interface BackendReport {
  name: Exclude<BackendName, 'auto'>;
  works: boolean;
  detail: string;
  webgpu?: { adapter: string; software: boolean; maxBufferSize: number; maxStorageBufferBindingSize: number };
  /** threadsCount: XNNPACK threads in use; threadsSetting: what WARMUP_WASM_THREADS / --threads asked for. */
  wasm?: { simd: boolean; threads: boolean; threadsCount: number; threadsSetting: number };
  tfjsNode?: string[];
}

export interface DoctorReport {
  node: { version: string; supported: string; ok: boolean };
  platform: string;
  cpus: number;
  backends: BackendReport[];
  auto: string;
  sandbox: { isolation: 'namespaces' | 'rlimits'; root: boolean; python: string; pythonVersion: string };
  memory: { totalBytes: number; availableBytes: number; cgroupLimitBytes: number | null; v8HeapLimitBytes: number };
}

const req = createRequire(import.meta.url);
const GiB = 1024 ** 3;
const gib = (n: number): string => `${(n / GiB).toFixed(1)} GiB`;
const mib = (n: number): string => (n >= GiB ? gib(n) : `${Math.round(n / 1024 ** 2)} MiB`);

/** `^20.19.0 || >=22.12.0` for the running major.minor (the only forms package.json uses). */
function satisfies(version: string, range: string): boolean {
  const [maj, min] = version.replace(/^v/, '').split('.').map(Number);
  return range.split('||').some((part) => {
    const m = /^\s*(\^|>=)(\d+)\.(\d+)/.exec(part);
    if (!m) return false;
    const [M, N] = [Number(m[2]), Number(m[3])];
    if (m[1] === '^') return maj === M && min >= N;
    return maj > M || (maj === M && min >= N);
  });
}

/** A small op, read back: a backend that initialises but cannot compute does not count. */
async function computes(name: Exclude<BackendName, 'auto'>): Promise<void> {
  const used = await useNodeBackend(name);
  if (used !== name) throw new Error(`got ${used}`);
  const y = tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).sum());
  const v = (await y.data())[0];
  y.dispose();
  if (v !== 64) throw new Error(`a 4x4 matmul gave ${v}, not 64`);
}

async function probe(name: Exclude<BackendName, 'auto'>, extra: () => Promise<Partial<BackendReport>>) {
  const report: BackendReport = { name, works: false, detail: '' };
  try {
    Object.assign(report, await extra());
    await computes(name);
    report.works = true;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    report.detail = report.detail ? `${report.detail}; ${msg}` : msg;
  }
  return report;
}

/** Threads only help on idle cores: on a machine already busy (measured here at load ~18 on 2 cores:
 *  2 threads trained 29% slower than 1, docs/performance.md) the pool's threads wait for CPU time. */
function busyCores(threads: number): string {
  const load = os.loadavg()[0];
  if (threads <= 1 || load < os.availableParallelism()) return '';
  return `; load average ${load.toFixed(1)} on ${os.availableParallelism()} cores: with the cores busy, WARMUP_WASM_THREADS=1 is faster`;
}

function installed(pkg: string): boolean {
  try {
    req.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function cgroupLimit(): number | null {
  for (const f of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    if (!existsSync(f)) continue;
    const n = Number(readFileSync(f, 'utf8').trim());
    if (Number.isFinite(n) && n < 2 ** 60) return n;
  }
  return null;
}

function availableMemory(): number {
  // MemAvailable counts reclaimable cache, which os.freemem() leaves out.
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return os.freemem();
}

export async function runDoctor(engines: string): Promise<DoctorReport> {
  const backends: BackendReport[] = [];
  backends.push(
    await probe('webgpu', async () => {
      if (!(await installNodeWebgpu())) throw new Error('the "webgpu" package (Dawn) could not start');
      const info = await adapterInfo();
      if (!info) throw new Error('no WebGPU adapter (is a Vulkan driver installed? see README)');
      return {
        detail: `${info.description || 'unnamed adapter'} (${info.software ? 'software' : 'hardware'})`,
        webgpu: { adapter: info.description, software: info.software, ...info.limits },
      };
    }),
  );
  backends.push(
    await probe('wasm', async () => {
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      // packages/node starts tfjs-backend-wasm's threaded build itself (tfjs keeps Node on one thread).
      await useNodeBackend('wasm');
      const threadsCount = wasmThreadsInUse() ?? 1;
      const threadsSetting = wasmThreadsSetting();
      const source = process.env[WASM_THREADS_ENV] ? WASM_THREADS_ENV : 'default: every core, at most 8';
      return {
        wasm: { simd, threads: threadsCount > 1, threadsCount, threadsSetting },
        detail: `SIMD ${simd ? 'yes' : 'no'}, ${threadsCount} thread${threadsCount === 1 ? '' : 's'} (${source}${threadsCount !== threadsSetting ? `, asked for ${threadsSetting}` : ''})${busyCores(threadsCount)}`,
      };
    }),
  );
  backends.push(await probe('cpu', async () => ({ detail: 'plain JS, a reference only' })));
  const tfjsNode = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].filter(installed);
  backends.push(
    tfjsNode.length
      ? await probe('tensorflow', async () => ({ tfjsNode, detail: tfjsNode.join(', ') }))
      : { name: 'tensorflow', works: false, detail: 'not installed (npm i @tensorflow/tfjs-node-gpu)', tfjsNode },
  );
  const iso = probeIsolation();
  const py = spawnSync(iso.python, ['--version'], { encoding: 'utf8' });
  return {
    node: { version: process.version, supported: engines, ok: satisfies(process.version, engines) },
    platform: `${process.platform} ${process.arch}`,
    cpus: os.availableParallelism(),
    backends,
    auto: (await hasHardwareWebgpu().catch(() => false)) ? 'webgpu' : 'wasm',
    sandbox: {
      isolation: iso.level,
      root: iso.root,
      python: iso.python,
      pythonVersion: py.status === 0 ? (py.stdout || py.stderr).trim() : 'not found',
    },
    memory: {
      totalBytes: os.totalmem(),
      availableBytes: availableMemory(),
      cgroupLimitBytes: cgroupLimit(),
      v8HeapLimitBytes: v8.getHeapStatistics().heap_size_limit,
    },
  };
}

function format(r: DoctorReport): string {
  const lines = [
    `node     ${r.node.version} on ${r.platform}, ${r.cpus} CPUs (${r.node.ok ? 'supported' : `NOT supported: needs ${r.node.supported}`})`,
    'backends',
  ];
  for (const b of r.backends) {
    let detail = b.detail;
    if (b.webgpu)
      detail += `, maxBufferSize ${mib(b.webgpu.maxBufferSize)}, maxStorageBufferBindingSize ${mib(b.webgpu.maxStorageBufferBindingSize)}`;
    lines.push(`  ${b.name.padEnd(10)} ${b.works ? 'works' : 'no   '}  ${detail}`);
  }
  lines.push(`  auto picks ${r.auto}${r.auto === 'wasm' ? ' (no hardware WebGPU adapter)' : ''}`);
  const s = r.sandbox;
  lines.push(
    `sandbox  ${s.isolation === 'namespaces' ? 'Linux namespaces (root): no network, read-only root, hidden toolkit' : `rlimits only${s.root ? '' : ' (not root)'}: no namespace isolation`}; ${s.pythonVersion} at ${s.python}`,
  );
  const m = r.memory;
  lines.push(
    `memory   ${gib(m.availableBytes)} available of ${gib(m.totalBytes)}${m.cgroupLimitBytes !== null ? `, cgroup limit ${gib(m.cgroupLimitBytes)}` : ''}; V8 heap limit ${gib(m.v8HeapLimitBytes)} (wasm's heap is separate, at most 4 GiB)`,
  );
  return `${lines.join('\n')}\n`;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Check this machine: Node, backends (WebGPU adapter, wasm SIMD/threads, tfjs-node), sandbox, memory')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { json?: boolean }) => {
      const report = await runDoctor(cliPackage.engines.node);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : format(report));
    });
}
