// Measures what each fused-op switch is worth in one process: SFT steps on the same batch with the
// learning rate at 0 (identical work every step), arms alternating step by step, so that a machine
// whose speed drifts (shared hosts, other jobs) moves every arm alike. Prints median wall and CPU
// ms per step per arm. Usage: npx tsx scripts/bench-switches.ts [--preset peer-1.8m] [--batch 8]
// [--seq 128] [--rounds 7] [--backend wasm]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BackendName,
  initModel,
  setAttentionTileSkip,
  setFusedLogprobs,
  setFusedNormMlp,
  setFusedOps,
  wasmThreadsInUse,
} from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { accumulateGrads, applyGrads, makeSftBatch, newOptimizer, sftLoss } from '@warmup/train';
import { parseChoice, parseIntFlag } from '../apps/cli/src/args.ts';
import { UsageError } from '../apps/cli/src/errors.ts';
import { allPresetNames, findPreset } from './find-preset.ts';

interface Arm {
  name: string;
  set: () => void;
}

/** Every switch on, then each group of fused ops off alone, then all of them off. */
const ARMS: Arm[] = [
  { name: 'all fused ops', set: () => undefined },
  { name: 'norm/SwiGLU kernels off', set: () => setFusedNormMlp(false) },
  { name: 'log-prob op off', set: () => setFusedLogprobs(false) },
  { name: 'attention tile skipping off', set: () => setAttentionTileSkip(false) },
  {
    name: 'the three above off',
    set: () => {
      setFusedNormMlp(false);
      setFusedLogprobs(false);
      setAttentionTileSkip(false);
    },
  },
  { name: 'every fused op off (setFusedOps(false))', set: () => setFusedOps(false) },
];

function resetSwitches(): void {
  setFusedOps(true);
  setFusedNormMlp(true);
  setFusedLogprobs(true);
  setAttentionTileSkip(true);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'peer-1.8m' },
      batch: { type: 'string', default: '8' },
      seq: { type: 'string', default: '128' },
      rounds: { type: 'string', default: '7' },
      backend: { type: 'string', default: 'wasm' },
    },
  });
  const preset = findPreset(values.preset)?.preset;
  if (!preset)
    throw new UsageError(
      `--preset: no preset named ${JSON.stringify(values.preset)}; presets: ${allPresetNames().join(', ')}`,
    );
  const B = parseIntFlag('--batch', values.batch, { min: 1 });
  const T = parseIntFlag('--seq', values.seq, { min: 4 });
  const rounds = parseIntFlag('--rounds', values.rounds, { min: 1 });
  const backend = parseChoice('--backend', values.backend, ['wasm', 'cpu'] as const) as BackendName;
  const used = await useNodeBackend(backend);
  const model = initModel(preset.config, 0);
  const opt = newOptimizer({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  let seed = 1;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows = Array.from({ length: B }, () => {
    const ids = Array.from({ length: T }, () => Math.floor(rand() * preset.config.vocabSize));
    return { promptIds: ids.slice(0, Math.floor(T / 4)), completionIds: ids.slice(Math.floor(T / 4)) };
  });
  const batch = makeSftBatch(rows, 0);
  const step = async (): Promise<{ wall: number; cpu: number; loss: number }> => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const g = await accumulateGrads(model, () => sftLoss(model, batch), 1);
    await applyGrads(model, opt, g, 0, 1);
    const c = process.cpuUsage(c0);
    return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000, loss: g.loss };
  };
  const threads = used === 'wasm' ? `, ${wasmThreadsInUse()} thread(s)` : '';
  console.log(`${values.preset}, batch ${B} x ${T}, ${used}${threads}, ${rounds} rounds, arms alternating per step`);
  const wall = ARMS.map(() => [] as number[]);
  const cpu = ARMS.map(() => [] as number[]);
  const losses = ARMS.map(() => 0);
  for (let r = -1; r < rounds; r++) {
    for (const [i, arm] of ARMS.entries()) {
      resetSwitches();
      arm.set();
      const s = await step();
      if (r < 0) continue; // one warm-up step per arm: compiles and allocates each path once
      wall[i].push(s.wall);
      cpu[i].push(s.cpu);
      losses[i] = s.loss;
    }
  }
  resetSwitches();
  const base = median(cpu[0]);
  console.log('\n| arm | wall ms (median) | CPU ms (median) | CPU vs all fused | loss |\n|---|---:|---:|---:|---:|');
  for (const [i, arm] of ARMS.entries())
    console.log(
      `| ${arm.name} | ${median(wall[i]).toFixed(0)} | ${median(cpu[i]).toFixed(0)} | ${(median(cpu[i]) / base).toFixed(2)}× | ${losses[i].toFixed(6)} |`,
    );
  opt.dispose();
  model.dispose();
  tf.disposeVariables();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(e instanceof UsageError ? 2 : 1);
});
