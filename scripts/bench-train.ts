// Benchmark: training throughput (tokens/s of full SFT optimizer steps: forward, backward, AdamW) of
// a preset on each TF.js backend, next to the PyTorch peer (scripts/bench_train_torch.py) when
// Debian's python3-torch is present. Usage: npx tsx scripts/bench-train.ts [--preset qwen-10m]
// [--batch 4] [--seq 128] [--steps 5] [--warmup 2] [--backends wasm,webgpu] [--torch-threads 2]
// [--no-torch] [--json] (--json: the summary as one JSON line, the last line of stdout)
// [--profile] (instead of timing: per-phase and per-kernel time of one step after the warm-up)
// [--unfused] (plain TF.js ops instead of the fused ones: attention, RoPE, Identity/Cast; for before/after).
// [--unfused-norm-mlp] (only RMSNorm, its residual add and SwiGLU as plain TF.js ops; the other fused ops stay on).
// [--unfused-logprobs] (only the token log-prob / cross-entropy op as the TF.js chain; the other fused ops stay on).
// --preset also takes the bench-only shapes in scripts/bench-presets (peer-1.8m: the JS peer's 4 x 192).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {
  countParameters,
  wasmThreadsInUse,
  fusedAttentionActive,
  webgpuAttentionActive,
  fusedNormMlpActive,
  initModel,
  setFusedNormMlp,
  setFusedLogprobs,
  setFusedOps,
  type BackendName,
} from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import {
  accumulateGrads,
  applyGrads,
  globalNorm,
  makeSftBatch,
  newOptimizer,
  sftLoss,
  type SftBatch,
  type SftExample,
} from '@warmup/train';
import { parseChoice, parseFloatFlag, parseIntFlag } from '../apps/cli/src/args.ts';
import { UsageError } from '../apps/cli/src/errors.ts';
import { allPresetNames, findPreset } from './find-preset.ts';
import { formatProfile, profileStep } from './profile-step.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TORCH_SCRIPT = path.join(ROOT, 'scripts/bench_train_torch.py');
const FIXTURE = path.resolve(ROOT, 'fixtures/qwen2-tiny');
const PYTHON = '/usr/bin/python3';
interface BackendResult {
  backend: string;
  /** e.g. "llvmpipe" for WebGPU on Mesa's software Vulkan driver. */
  adapter?: string;
  /** wasm: the threads its pool computes with (WARMUP_WASM_THREADS, default every core). */
  threads?: number;
  tokensPerS?: number;
  stepSeconds?: number[];
  /** This process's CPU time per step (user + system): steadier than wall time on a loaded machine. */
  cpuSeconds?: number[];
  gradNorms?: number[];
  firstLoss?: number;
  lastLoss?: number;
  /** Where this backend needed a stand-in for a trainer piece, or something went wrong silently. */
  note?: string;
  /** Tensors alive after the timed steps minus before them: a leak would skew later steps. */
  leakedTensors?: number;
  error?: string;
}

interface TorchResult {
  torch: string;
  threads: number;
  blas: string | null;
  parameters: number;
  tokens_per_s: number;
  step_seconds: number[];
  first_loss: number;
  last_loss: number;
  check?: { loss: number; expected_loss: number; ok: boolean };
}

interface Options {
  preset: string;
  batch: number;
  seq: number;
  steps: number;
  warmup: number;
  backends: BackendName[];
  lr: number;
  maxGradNorm: number;
  torch: boolean;
  torchThreads: number;
  json: boolean;
  profile: boolean;
  unfused: boolean;
  unfusedLogprobs: boolean;
  unfusedNormMlp: boolean;
}

function parseOptions(argv: string[]): Options {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        preset: { type: 'string', default: 'qwen-10m' },
        batch: { type: 'string', default: '4' },
        seq: { type: 'string', default: '128' },
        steps: { type: 'string', default: '5' },
        warmup: { type: 'string', default: '2' },
        backends: { type: 'string', default: 'wasm,webgpu' },
        lr: { type: 'string', default: '1e-4' },
        'max-grad-norm': { type: 'string', default: '0.1' },
        'no-torch': { type: 'boolean', default: false },
        'torch-threads': { type: 'string', default: '2' },
        json: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        unfused: { type: 'boolean', default: false },
        'unfused-logprobs': { type: 'boolean', default: false },
        'unfused-norm-mlp': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const backends = v
    .backends!.split(',')
    .map((b) => parseChoice('--backends', b.trim(), ['wasm', 'webgpu', 'cpu', 'tensorflow'] as const));
  return {
    preset: v.preset!,
    batch: parseIntFlag('--batch', v.batch, { min: 1 }),
    seq: parseIntFlag('--seq', v.seq, { min: 2 }),
    steps: parseIntFlag('--steps', v.steps, { min: 1 }),
    warmup: parseIntFlag('--warmup', v.warmup, { min: 0 }),
    backends,
    lr: parseFloatFlag('--lr', v.lr, { min: 0 }),
    maxGradNorm: parseFloatFlag('--max-grad-norm', v['max-grad-norm'], { min: 0 }),
    torch: !v['no-torch'],
    torchThreads: parseIntFlag('--torch-threads', v['torch-threads'], { min: 1 }),
    json: v.json!,
    profile: v.profile!,
    unfused: v.unfused!,
    unfusedLogprobs: v['unfused-logprobs']!,
    unfusedNormMlp: v['unfused-norm-mlp']!,
  };
}

/** Deterministic random ids (mulberry32) so every backend trains on the same batches. */
function randomExamples(n: number, B: number, T: number, vocab: number): SftExample[][] {
  let s = 12345;
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const half = Math.floor(T / 2);
  return Array.from({ length: n }, () =>
    Array.from({ length: B }, () => {
      const ids = Array.from({ length: T }, () => Math.floor(rnd() * vocab));
      // Completion = the second half of each row, so the loss covers about T/2 tokens per row.
      return { promptIds: ids.slice(0, half), completionIds: ids.slice(half) };
    }),
  );
}

/** Check the trainer's globalNorm on this backend with as many tensors as the model has
 *  parameters: on WebGPU its single AddN needs one storage buffer per input, and past the
 *  adapter's limit the kernel fails and the read returns a stale buffer. Returns a note or undefined. */
async function checkGlobalNorm(n: number): Promise<string | undefined> {
  const grads = new Map(Array.from({ length: n }, (_, i) => [`g${i}`, tf.fill([3], i + 1)] as [string, tf.Tensor]));
  const want = Math.sqrt(3 * Array.from({ length: n }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b, 0));
  const got = await globalNorm(grads);
  for (const g of grads.values()) g.dispose();
  if (Math.abs(got - want) <= 1e-4 * want) return undefined;
  return `the trainer's globalNorm over ${n} gradients returns ${got.toPrecision(4)} instead of ${want.toPrecision(4)} on this backend, so gradient clipping uses a wrong norm`;
}

async function adapterName(): Promise<string | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const info = (await gpu?.requestAdapter())?.info;
  // Mesa describes llvmpipe as "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)": the part before ':' names it.
  const name = (info?.description || info?.device || info?.vendor || '').split(':')[0].trim();
  return name || undefined;
}

async function benchBackend(o: Options, name: BackendName, log: (s: string) => void): Promise<BackendResult> {
  const preset = findPreset(o.preset)!.preset;
  const used = await useNodeBackend(name);
  const adapter = used === 'webgpu' ? await adapterName() : undefined;
  const threads = used === 'wasm' ? wasmThreadsInUse() : undefined;
  // Failed WebGPU commands do not throw: count them so a fast but broken run cannot pass unnoticed.
  let gpuErrors = 0;
  const device = (tf.backend() as { device?: GPUDevice }).device;
  const onGpuError = (): void => {
    gpuErrors++;
  };
  device?.addEventListener('uncapturederror', onGpuError);
  const model = initModel(preset.config, 0);
  const opt = newOptimizer({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const examples = randomExamples(o.warmup + o.steps, o.batch, o.seq, preset.config.vocabSize);
  const batches = examples.map((e) => makeSftBatch(e, 0));
  // The smallest parameter: summing it after a step waits for the whole (in-order) GPU queue
  // without copying a large tensor back.
  const probe = [...model.params.values()].reduce((a, b) => (b.size < a.size ? b : a));
  const gradNorms: number[] = [];
  const normProblem = await checkGlobalNorm(model.params.size);
  const step = async (b: SftBatch): Promise<number> => {
    const g = await accumulateGrads(model, () => sftLoss(model, b), 1);
    const loss = g.loss;
    const r = await applyGrads(model, opt, g, o.lr, o.maxGradNorm);
    if (r.skipped) throw new Error(`non-finite loss or gradient (loss ${loss}, grad norm ${r.gradNorm})`);
    gradNorms.push(r.gradNorm);
    const s = tf.sum(probe);
    await s.data();
    s.dispose();
    return loss;
  };
  try {
    const losses: number[] = [];
    for (let i = 0; i < o.warmup; i++) {
      const t0 = performance.now();
      losses.push(await step(batches[i]));
      log(`  ${used} warm-up step ${i + 1}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    }
    if (o.profile) {
      const p = await profileStep(model, opt, examples[o.warmup], 0, o.lr, o.maxGradNorm);
      const how = `attention ${fusedAttentionActive() ? 'fused' : webgpuAttentionActive() ? 'fused (WGSL)' : 'unfused'}, norm/MLP ${fusedNormMlpActive() ? 'fused' : 'unfused'}`;
      log(
        `\n${used}${adapter ? ` (${adapter})` : ''}, one step of ${o.batch} x ${o.seq}, ${how}:\n${formatProfile(p)}\n`,
      );
      return { backend: used, adapter, note: normProblem };
    }
    const before = tf.memory().numTensors;
    const stepSeconds: number[] = [];
    const cpuSeconds: number[] = [];
    for (let i = 0; i < o.steps; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      losses.push(await step(batches[o.warmup + i]));
      const c = process.cpuUsage(c0);
      cpuSeconds.push((c.user + c.system) / 1e6);
      stepSeconds.push((performance.now() - t0) / 1000);
      log(`  ${used} step ${i + 1}: ${stepSeconds[i].toFixed(2)} s, loss ${losses[losses.length - 1].toFixed(4)}`);
    }
    const total = stepSeconds.reduce((a, b) => a + b, 0);
    const notes: string[] = [];
    if (normProblem) notes.push(normProblem);
    if (gpuErrors) notes.push(`${gpuErrors} WebGPU validation errors (printed by Dawn above)`);
    const leaked = tf.memory().numTensors - before;
    if (leaked > 0) notes.push(`${leaked} tensors leaked over ${o.steps} steps`);
    return {
      backend: used,
      adapter,
      threads,
      note: notes.length ? notes.join('; ') : undefined,
      gradNorms,
      tokensPerS: (o.batch * o.seq * o.steps) / total,
      stepSeconds,
      cpuSeconds,
      firstLoss: losses[0],
      lastLoss: losses[losses.length - 1],
      leakedTensors: leaked,
    };
  } finally {
    device?.removeEventListener('uncapturederror', onGpuError);
    opt.dispose();
    model.dispose();
  }
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runTorch(o: Options): TorchResult {
  const args = [
    TORCH_SCRIPT,
    findPreset(o.preset)!.file,
    '--batch',
    `${o.batch}`,
    '--seq',
    `${o.seq}`,
    '--steps',
    `${o.steps}`,
    '--warmup',
    `${Math.max(o.warmup, 1)}`,
    '--lr',
    `${o.lr}`,
    '--max-grad-norm',
    `${o.maxGradNorm}`,
    '--threads',
    `${o.torchThreads}`,
  ];
  // The fixture check proves the peer computes the same model and loss (cheap: a 109k model).
  if (existsSync(path.join(FIXTURE, 'expected.json'))) args.push('--check', FIXTURE);
  // torch.set_num_threads does not limit Debian's OpenBLAS pool (or OpenMP's): pin every pool, or
  // "1 thread" quietly uses both cores and overstates what one PyTorch thread does.
  const threads = `${o.torchThreads}`;
  const env = { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 24, env });
  if (r.status !== 0)
    throw new Error(
      `bench_train_torch.py failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').pop()}`,
    );
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const preset = findPreset(o.preset)?.preset;
  if (!preset) throw new UsageError(`--preset: no preset ${o.preset}; presets: ${allPresetNames().join(', ')}`);
  const log = (s: string): void => {
    (o.json ? process.stderr : process.stdout).write(s + '\n');
  };
  const params = countParameters(preset.config);
  setFusedOps(!o.unfused);
  setFusedLogprobs(!o.unfusedLogprobs);
  setFusedNormMlp(!o.unfusedNormMlp);
  log(
    `preset ${o.preset}: ${params.toLocaleString('en-US')} parameters, vocab ${preset.config.vocabSize}; SFT steps of batch ${o.batch} x seq ${o.seq} (${o.batch * o.seq} tokens, loss on the second half), ${o.warmup} warm-up + ${o.steps} timed steps`,
  );

  // Other processes on a 2-core machine skew every figure (PyTorch's spinning BLAS threads most).
  const loadBefore = loadavg()[0];
  if (loadBefore > 1.5)
    log(`warning: load average ${loadBefore.toFixed(2)}: other processes compete for the CPU, figures will be low`);
  const results: BackendResult[] = [];
  for (const be of o.backends) {
    try {
      results.push(await benchBackend(o, be, log));
    } catch (e) {
      results.push({ backend: be, error: (e as Error).message.split('\n')[0] });
      log(`  ${be}: unavailable: ${results[results.length - 1].error}`);
    }
  }
  if (o.profile) return;

  let torch: TorchResult | undefined;
  let torchNote: string | undefined;
  if (!o.torch) torchNote = 'skipped (--no-torch)';
  else if (!torchAvailable()) torchNote = `not run: ${PYTHON} cannot import torch (apt-get install python3-torch)`;
  else {
    try {
      torch = runTorch(o);
      log(
        `  PyTorch ${torch.torch}: ${torch.step_seconds.map((s) => s.toFixed(2)).join(', ')} s per step (BLAS ${torch.blas ?? 'unknown'})`,
      );
      if (torch.blas && !/openblas|mkl|blis/i.test(torch.blas))
        torchNote = `PyTorch runs on the reference BLAS (${torch.blas}); apt-get install libopenblas0-pthread for a fair peer`;
    } catch (e) {
      torchNote = (e as Error).message;
    }
  }

  const load = { before: loadBefore, after: loadavg()[0] };
  if (o.json) {
    // One line, last on stdout: Dawn prints WebGPU validation messages to stdout natively.
    process.stdout.write(
      JSON.stringify({
        preset: o.preset,
        parameters: params,
        vocab: preset.config.vocabSize,
        batch: o.batch,
        seq: o.seq,
        steps: o.steps,
        warmup: o.warmup,
        loadAverage: load,
        backends: results,
        torch: torch ?? null,
        torchNote: torchNote ?? null,
      }) + '\n',
    );
    return;
  }
  const rows = ['| backend | tokens/s | s/step | PyTorch ÷ this |', '|---|---|---|---|'];
  for (const r of results) {
    const label = r.adapter
      ? `${r.backend} (${r.adapter})`
      : r.threads
        ? `${r.backend} (${r.threads} thread${r.threads === 1 ? '' : 's'})`
        : r.backend;
    if (r.error || r.tokensPerS === undefined) {
      rows.push(`| ${label} | unavailable: ${r.error} | | |`);
      continue;
    }
    const sPerStep = (o.batch * o.seq) / r.tokensPerS;
    const ratio = torch ? `${fmt(torch.tokens_per_s / r.tokensPerS)}×` : '–';
    rows.push(`| ${label} | ${fmt(r.tokensPerS)} | ${sPerStep.toFixed(2)} | ${ratio} |`);
  }
  if (torch)
    rows.push(
      `| PyTorch ${torch.torch} CPU, ${torch.threads} threads | ${fmt(torch.tokens_per_s)} | ${((o.batch * o.seq) / torch.tokens_per_s).toFixed(3)} | 1× |`,
    );
  log('');
  log(rows.join('\n'));
  for (const r of results) if (r.note) log(`\n${r.backend}: ${r.note}`);
  if (torch?.check)
    log(
      `\nPyTorch peer check on fixtures/qwen2-tiny: SFT loss ${torch.check.loss.toFixed(6)} vs expected ${torch.check.expected_loss.toFixed(6)} (${torch.check.ok ? 'ok' : 'MISMATCH'})`,
    );
  if (torch)
    log(
      `first-step loss: ${results
        .filter((r) => r.firstLoss !== undefined)
        .map((r) => `${r.backend} ${r.firstLoss!.toFixed(3)}`)
        .join(
          ', ',
        )}, PyTorch ${torch.first_loss.toFixed(3)} (ln vocab = ${Math.log(preset.config.vocabSize).toFixed(3)})`,
    );
  if (torchNote) log(`\nPyTorch: ${torchNote}`);
  log(`load average (1 min): ${load.before.toFixed(2)} before, ${load.after.toFixed(2)} after`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const input = (e as { name?: string }).name === 'UsageError' || (e as { name?: string }).name === 'ConfigError';
    process.stderr.write(`bench-train: ${(e as Error).message}\n`);
    process.exit(input ? 2 : 1);
  },
);
