// Where one SFT training step spends its time (bench-train --profile): per phase (data, forward,
// backward, clip + AdamW) by wall clock, and per kernel by tf.profile's kernel timers.
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Model } from '@warmup/core';
import { type AdamW, accumulateGrads, applyGrads, makeSftBatch, type SftBatch, sftLoss } from '@warmup/train';

type Example = { promptIds: number[]; completionIds: number[] };

export interface StepProfile {
  /** Wall and CPU (this process: user + system) ms per phase; CPU time is steadier on a loaded machine. */
  phases: Record<'data' | 'forward' | 'backward' | 'optimizer', { wall: number; cpu: number }>;
  kernels: { name: string; calls: number; ms: number; gflop?: number }[]; // sorted by ms, descending
  kernelMs: number; // sum over kernels while profiling forward + backward + optimizer
  profiledMs: number; // time of that profiled step: the rest is host code (fused attention, bookkeeping)
  /** 'cpu' where kernels run synchronously (wasm, cpu): kernel times are then this process's CPU time. */
  clock: 'cpu' | 'wall';
}

/** 2·batch·M·N·K of a BatchMatMul from its input shapes and transpose attributes. */
function matmulFlop(shapes: number[][], name: string): number | undefined {
  if (!name.startsWith('BatchMatMul') || shapes.length < 2) return undefined;
  const [a, b] = shapes;
  const batch = a.slice(0, -2).reduce((x, y) => x * y, 1);
  const [m, k] = a.slice(-2);
  const n = b[b.length - 1] === k ? b[b.length - 2] : b[b.length - 1];
  return 2 * batch * m * n * k;
}

/** Kernel label: batched matmuls (batch > 1: attention) apart from plain 2-D ones (linear layers). */
function label(name: string, shapes: number[][]): string {
  if (name !== 'BatchMatMul' && name !== '_FusedMatMul') return name;
  const batch = (shapes[0] ?? []).slice(0, -2).reduce((x, y) => x * y, 1);
  return `${name} ${batch > 1 ? '(batched: attention)' : '(2-D: linear)'}`;
}

/** Profile one step on `examples`: first the phases by wall clock (each phase waits for its result),
 *  then the same step again under tf.profile for per-kernel times. Applies two optimizer updates. */
export async function profileStep(
  model: Qwen2Model,
  opt: AdamW,
  examples: Example[],
  padTokenId: number,
  lr: number,
  maxGradNorm: number,
): Promise<StepProfile> {
  const now = (): number => performance.now();
  /** Starts a wall + CPU clock; calling the result reads both in ms. */
  const clock = (): (() => { wall: number; cpu: number }) => {
    const w = now();
    const c = process.cpuUsage();
    return () => {
      const d = process.cpuUsage(c);
      return { wall: now() - w, cpu: (d.user + d.system) / 1000 };
    };
  };
  let t = clock();
  const batch: SftBatch = makeSftBatch(examples, padTokenId);
  const data = t();
  t = clock();
  const loss = tf.tidy(() => sftLoss(model, batch));
  await loss.data();
  loss.dispose();
  const forward = t();
  t = clock();
  const g = await accumulateGrads(model, () => sftLoss(model, batch), 1);
  const grads = t();
  const backward = { wall: grads.wall - forward.wall, cpu: grads.cpu - forward.cpu };
  // A tiny read waits for every queued kernel (WebGPU) before the clock stops.
  const probe = [...model.params.values()].reduce((a, b) => (b.size < a.size ? b : a));
  t = clock();
  await applyGrads(model, opt, g, lr, maxGradNorm);
  const s = tf.sum(probe);
  await s.data();
  s.dispose();
  const optimizer = t();

  // Without this flag off, every kernel output is also read back for a NaN check.
  const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  // On synchronous backends, time each kernel by this process's CPU time, not the wall clock: on a
  // shared machine wall time also counts the other processes' turns.
  const be = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
  const wallTimer = be.time;
  const cpuClock = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
  if (cpuClock)
    be.time = async (f) => {
      const c = process.cpuUsage();
      f();
      const d = process.cpuUsage(c);
      return { kernelMs: (d.user + d.system) / 1000 };
    };
  try {
    const t0 = clock();
    const info = await tf.profile(async () => {
      const g2 = await accumulateGrads(model, () => sftLoss(model, batch), 1);
      await applyGrads(model, opt, g2, lr, maxGradNorm);
    });
    const step = t0();
    const profiledMs = cpuClock ? step.cpu : step.wall;
    const byName = new Map<string, { name: string; calls: number; ms: number; gflop?: number }>();
    let total = 0;
    for (const k of info.kernels) {
      // customGrad bodies appear as pseudo-kernels whose time includes the kernels they ran: skip.
      if (!tf.getKernel(k.name, tf.getBackend())) continue;
      const shapes = (k.inputShapes ?? []) as number[][];
      const name = label(k.name, shapes);
      const e = byName.get(name) ?? { name, calls: 0, ms: 0 };
      const ms = await k.kernelTimeMs; // a number, or a promise on timer-based backends
      e.calls++;
      e.ms += typeof ms === 'number' ? ms : 0;
      const flop = matmulFlop(shapes, k.name);
      if (flop !== undefined) e.gflop = (e.gflop ?? 0) + flop / 1e9;
      byName.set(name, e);
      total += typeof ms === 'number' ? ms : 0;
    }
    const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
    return {
      phases: { data, forward, backward, optimizer },
      kernels,
      kernelMs: total,
      profiledMs,
      clock: cpuClock ? 'cpu' : 'wall',
    };
  } finally {
    be.time = wallTimer;
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
  }
}

/** The profile as two Markdown tables (phases, then the `top` slowest kernels). */
export function formatProfile(p: StepProfile, top = 12): string {
  const { data, forward, backward, optimizer } = p.phases;
  const sum = (k: 'wall' | 'cpu'): number => data[k] + forward[k] + backward[k] + optimizer[k];
  const pct = (x: number, of: number): string => `${((100 * x) / of).toFixed(1)}%`;
  const rows = ['| phase | wall ms | CPU ms | share of CPU |', '|---|---|---|---|'];
  for (const [k, v] of Object.entries({ data, forward, backward, 'clip + AdamW': optimizer }))
    rows.push(`| ${k} | ${v.wall.toFixed(1)} | ${v.cpu.toFixed(1)} | ${pct(v.cpu, sum('cpu'))} |`);
  rows.push(`| step | ${sum('wall').toFixed(1)} | ${sum('cpu').toFixed(1)} | 100% |`, '');
  rows.push(
    `| kernel | calls | ${p.clock === 'cpu' ? 'CPU' : 'wall'} ms | share of kernel time | GFLOP/s |`,
    '|---|---|---|---|---|',
  );
  for (const k of p.kernels.slice(0, top)) {
    const rate = k.gflop !== undefined && k.ms > 0 ? (k.gflop / (k.ms / 1000)).toFixed(1) : '';
    rows.push(`| ${k.name} | ${k.calls} | ${k.ms.toFixed(1)} | ${pct(k.ms, p.kernelMs)} | ${rate} |`);
  }
  const rest = p.kernels.slice(top).reduce((a, k) => a + k.ms, 0);
  rows.push(
    `| ${p.kernels.length - top > 0 ? `${p.kernels.length - top} other kernels` : '—'} | | ${rest.toFixed(1)} | ${pct(rest, p.kernelMs)} | |`,
  );
  rows.push(
    `| all kernels (profiled step) | ${p.kernels.reduce((a, k) => a + k.calls, 0)} | ${p.kernelMs.toFixed(1)} | 100% | |`,
  );
  // Host code: fused attention (wasm-gemm), the tape, tensor bookkeeping; profiling's own overhead too.
  rows.push(`| outside kernels (host code) | | ${Math.max(0, p.profiledMs - p.kernelMs).toFixed(1)} | | |`);
  return rows.join('\n');
}
