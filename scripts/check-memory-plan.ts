// Measures what the memory plan estimates: peak TF.js tensor bytes (tf.profile) of a real SFT step
// (forward, backward, clipping, AdamW) or a generation, and on wasm the heap's final size (it only
// grows, so that is its peak), next to planMemory's total.
// Usage: npx tsx scripts/check-memory-plan.ts --model <preset|config.json> [--backend wasm]
//        [--command sft|generate] [--batch 4] [--seq 256] [--lora-rank 0] [--new-tokens 16]
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { attachLora, formatBytes, generate, initModel, parseConfig, planMemory, type PlanBackend } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { accumulateGrads, applyGrads, makeSftBatch, newOptimizer, sftLoss } from '@warmup/train';
import { readPreset } from '../apps/cli/src/model-spec.ts';

const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const spec = arg('model', 'qwen-tiny');
const config = spec.endsWith('.json')
  ? parseConfig(JSON.parse(readFileSync(spec, 'utf8')), spec)
  : (readPreset(spec)?.config ?? parseConfig({}, spec));
const be = arg('backend', 'wasm') as PlanBackend;
const command = arg('command', 'sft') as 'sft' | 'generate';
const B = Number(arg('batch', '4'));
const T = Number(arg('seq', '256'));
const rank = Number(arg('lora-rank', '0'));
const newTokens = Number(arg('new-tokens', '16'));

await useNodeBackend(be);
const model = initModel(config, 0);
if (rank > 0) attachLora(model, { rank, alpha: 2 * rank, dropout: 0, seed: 0 });
const V = config.vocabSize;
const plan = planMemory({
  config,
  backend: be,
  command,
  batchSize: B,
  seqLen: T,
  loraRank: rank,
  genRows: B,
  promptLen: T,
  newTokens,
});
let peak = 0;
if (command === 'sft') {
  const examples = Array.from({ length: B }, (_, b) => ({
    promptIds: Array.from({ length: T / 2 }, (_, t) => (b * 31 + t * 7) % V),
    completionIds: Array.from({ length: T / 2 }, (_, t) => (b * 17 + t * 5 + 3) % V),
  }));
  const batch = makeSftBatch(examples, 0);
  const opt = newOptimizer({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
  // Two steps: the second runs with the AdamW moments already allocated.
  for (let step = 0; step < 2; step++) {
    const info = await tf.profile(async () => {
      const g = await accumulateGrads(model, () => sftLoss(model, batch), 1);
      await applyGrads(model, opt, g, 1e-4, 1);
    });
    peak = Math.max(peak, info.peakBytes);
  }
  opt.dispose();
} else {
  const prompts = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 13 + t * 3) % V));
  const info = await tf.profile(async () => {
    await generate(model, prompts, { maxNewTokens: newTokens, greedy: true, eosTokenIds: [] });
  });
  peak = info.peakBytes;
}
const heap = be === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : 0;
const packed = plan.items.find((i) => i.name.startsWith('xnnpack'))?.bytes ?? 0;
const tensorPlan = plan.total - packed;
console.log(
  JSON.stringify({
    model: spec,
    backend: be,
    command,
    batch: B,
    seq: T,
    lora_rank: rank,
    plan_total: plan.total,
    plan_tensors: tensorPlan,
    measured_peak_tensor_bytes: peak,
    wasm_heap: heap || undefined,
    rss: process.resourceUsage().maxRSS * 1024,
  }),
);
console.log(
  `plan ${formatBytes(plan.total)} (tensors ${formatBytes(tensorPlan)}) · measured tensor peak ${formatBytes(peak)} (${((100 * tensorPlan) / peak - 100).toFixed(0)}%)${heap ? ` · wasm heap ${formatBytes(heap)} (plan ${((100 * plan.total) / heap - 100).toFixed(0)}%)` : ''}`,
);
process.exit(0);
