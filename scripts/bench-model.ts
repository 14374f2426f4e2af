// Benchmark: forward-pass and batched-generation tokens/s of a preset on each backend available
// here. Usage: npx tsx scripts/bench-model.ts [--preset kk-10m|qwen-10m] [--backends wasm,webgpu,cpu]
import * as tf from '@tensorflow/tfjs-core';
import { countParameters, generate, initModel, selectedLogprobs } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { readPreset } from '../apps/cli/src/model-spec.ts';

const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const presetName = arg('preset', 'kk-10m');
const backends = arg('backends', 'wasm,webgpu,cpu').split(',');
const B = Number(arg('batch', '4'));
const T = Number(arg('seq', '128'));
const genB = Number(arg('gen-batch', '8'));
const genN = Number(arg('gen-tokens', '32'));

const preset = readPreset(presetName);
if (!preset) throw new Error(`no preset ${presetName}`);
console.log(
  `preset ${presetName}: ${countParameters(preset.config).toLocaleString()} parameters; forward batch ${B}x${T}, generation batch ${genB} x ${genN} new tokens after a 16-token prompt`,
);
const rows: string[] = ['| backend | forward tok/s | generation tok/s |', '|---|---|---|'];
for (const be of backends) {
  try {
    const used = await useNodeBackend(be as 'cpu');
    const model = initModel(preset.config, 0);
    const V = preset.config.vocabSize;
    const ids = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 31 + t * 7) % V));
    // "Forward" = score every next token: decoder + LM head in row chunks (a full [B*T, V]
    // logits tensor would exceed WebGPU's 128 MB binding limit for a 152k vocabulary).
    const sel = { rows: [] as number[], cols: [] as number[], targets: [] as number[] };
    ids.forEach((row, b) =>
      row.slice(0, -1).forEach((_, t) => (sel.rows.push(b), sel.cols.push(t), sel.targets.push(row[t + 1]))),
    );
    const fwd = async (): Promise<void> => {
      const l = tf.tidy(() => selectedLogprobs(model, { inputIds: ids }, sel, 1, 128));
      await l.data();
      l.dispose();
    };
    await fwd(); // warm-up: kernel compilation
    const reps = be === 'cpu' ? 1 : 3;
    let t0 = performance.now();
    for (let i = 0; i < reps; i++) await fwd();
    const fwdTps = (reps * B * T) / ((performance.now() - t0) / 1000);
    const prompts = Array.from({ length: genB }, (_, b) => Array.from({ length: 16 }, (_, t) => (b * 13 + t * 3) % V));
    await generate(model, prompts, { maxNewTokens: 2, temperature: 1, eosTokenIds: [] });
    t0 = performance.now();
    await generate(model, prompts, { maxNewTokens: genN, temperature: 1, topP: 0.95, eosTokenIds: [], seed: 1 });
    const genTps = (genB * genN) / ((performance.now() - t0) / 1000);
    rows.push(`| ${used} | ${fwdTps.toFixed(0)} | ${genTps.toFixed(0)} |`);
    console.log(`${used}: forward ${fwdTps.toFixed(0)} tok/s, generation ${genTps.toFixed(0)} tok/s`);
    model.dispose();
  } catch (e) {
    rows.push(`| ${be} | unavailable: ${(e as Error).message.split('\n')[0]} | |`);
  }
}
console.log('\n' + rows.join('\n'));
process.exit(0);
