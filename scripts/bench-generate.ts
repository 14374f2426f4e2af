// Benchmark: batched sampling throughput (new tokens/s) of a preset with random weights, the KV
// cache's grow-by-concat path against the preallocated one, interleaved in one process so load on
// the shared machine hits both alike. Usage: npx tsx scripts/bench-generate.ts [--preset kk-tiny]
// [--batch 8] [--new-tokens 256] [--prompt 32] [--rounds 3] [--backends wasm,cpu] [--json]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, generate, initModel, type KVCacheMode } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { parseChoice, parseIntFlag } from '../apps/cli/src/args.ts';
import { UsageError } from '../apps/cli/src/errors.ts';
import { type Preset, readPreset } from '../apps/cli/src/model-spec.ts';

export interface GenBenchOptions {
  batch: number;
  newTokens: number;
  prompt: number;
  rounds: number;
}

export interface GenBenchResult {
  backend: string;
  /** Median over rounds of new tokens per second, per cache mode. */
  tokensPerS: Partial<Record<KVCacheMode, number>>;
  /** Per-round seconds, per mode, in the order they ran. */
  seconds: Partial<Record<KVCacheMode, number[]>>;
  /** Median over rounds of new tokens per CPU-second of this process (all its threads): steadier
   *  than wall time on a loaded machine, but it counts a thread pool's spinning as work. */
  tokensPerCpuS: Partial<Record<KVCacheMode, number>>;
  /** Tensors alive after the timed runs minus before: must be 0. */
  leakedTensors: number;
  error?: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Time `rounds` interleaved rounds of each cache mode on one backend (switching to it first).
 *  Sampling at temperature 1 with no EOS, so every row makes exactly `newTokens` tokens. */
export async function benchGeneration(
  preset: Preset,
  backend: BackendName,
  o: GenBenchOptions,
  modes: KVCacheMode[] = ['concat', 'preallocated'],
  log: (s: string) => void = () => {},
): Promise<GenBenchResult> {
  const used = await useNodeBackend(backend);
  const model = initModel(preset.config, 0);
  const V = preset.config.vocabSize;
  const prompts = Array.from({ length: o.batch }, (_, b) =>
    // Rows of different lengths, so left padding is part of what is timed.
    Array.from({ length: o.prompt - (b % 4) }, (_, t) => (b * 131 + t * 17 + 3) % V),
  );
  const run = (kvCache: KVCacheMode, maxNewTokens: number) =>
    generate(model, prompts, { maxNewTokens, temperature: 1, topP: 0.95, eosTokenIds: [], seed: 7, kvCache });
  try {
    for (const m of modes) await run(m, 2); // kernel warm-up
    const before = tf.memory().numTensors;
    const seconds: Partial<Record<KVCacheMode, number[]>> = {};
    const cpuSeconds: Partial<Record<KVCacheMode, number[]>> = {};
    const cpu = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    for (let r = 0; r < o.rounds; r++)
      for (const m of modes) {
        const t0 = performance.now();
        const c0 = cpu();
        await run(m, o.newTokens);
        const s = (performance.now() - t0) / 1000;
        (seconds[m] ??= []).push(s);
        (cpuSeconds[m] ??= []).push(cpu() - c0);
        log(`  ${used} ${m} round ${r + 1}: ${s.toFixed(2)} s (${((o.batch * o.newTokens) / s).toFixed(0)} tok/s)`);
      }
    const tokensPerS: Partial<Record<KVCacheMode, number>> = {};
    const tokensPerCpuS: Partial<Record<KVCacheMode, number>> = {};
    for (const m of modes) {
      tokensPerS[m] = (o.batch * o.newTokens) / median(seconds[m]!);
      tokensPerCpuS[m] = (o.batch * o.newTokens) / median(cpuSeconds[m]!);
    }
    return { backend: used, tokensPerS, tokensPerCpuS, seconds, leakedTensors: tf.memory().numTensors - before };
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  let v;
  try {
    v = parseArgs({
      options: {
        preset: { type: 'string', default: 'kk-tiny' },
        batch: { type: 'string', default: '8' },
        'new-tokens': { type: 'string', default: '256' },
        prompt: { type: 'string', default: '32' },
        rounds: { type: 'string', default: '3' },
        backends: { type: 'string', default: 'wasm,cpu' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const preset = readPreset(v.preset!);
  if (!preset) throw new UsageError(`--preset: no preset ${v.preset}`);
  const o: GenBenchOptions = {
    batch: parseIntFlag('--batch', v.batch, { min: 1 }),
    newTokens: parseIntFlag('--new-tokens', v['new-tokens'], { min: 1 }),
    prompt: parseIntFlag('--prompt', v.prompt, { min: 4 }),
    rounds: parseIntFlag('--rounds', v.rounds, { min: 1 }),
  };
  const backends = v
    .backends!.split(',')
    .map((b) => parseChoice('--backends', b.trim(), ['wasm', 'cpu', 'webgpu'] as const));
  const log = (s: string): void => void (v.json ? process.stderr : process.stdout).write(`${s}\n`);
  const results: GenBenchResult[] = [];
  for (const be of backends) results.push(await benchGeneration(preset, be, o, undefined, log));
  if (v.json) {
    process.stdout.write(`${JSON.stringify({ preset: v.preset, ...o, results })}\n`);
    return;
  }
  log(`\n${v.preset}: ${o.batch} rows × ${o.newTokens} new tokens, sampling (T 1, top-p 0.95); medians of ${o.rounds}`);
  log('| backend | concat cache tok/s | preallocated tok/s | speed-up | concat tok/CPU-s | preallocated tok/CPU-s |');
  log('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const a = r.tokensPerS.concat ?? Number.NaN;
    const b = r.tokensPerS.preallocated ?? Number.NaN;
    const ca = r.tokensPerCpuS.concat ?? Number.NaN;
    const cb = r.tokensPerCpuS.preallocated ?? Number.NaN;
    log(
      `| ${r.backend} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)}× | ${ca.toFixed(0)} | ${cb.toFixed(0)} |`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench-generate: ${(e as Error).message}\n`);
      process.exit((e as Error).name === 'UsageError' ? 2 : 1);
    },
  );
