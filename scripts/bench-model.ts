// Benchmark: forward-pass and batched-generation tokens/s of a preset on each backend available
// here, or for a checkpoint folder (--model DIR): load time, generation tokens/s and peak memory,
// each backend in its own process so peaks do not mix, next to the memory plan's estimate.
// Usage: npx tsx scripts/bench-model.ts [--preset kk-10m|qwen-10m | --model DIR] [--backends wasm,webgpu,cpu]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  countParameters,
  formatBytes,
  generate,
  initModel,
  loadModel,
  planMemory,
  selectedLogprobs,
  type PlanBackend,
} from '@warmup/core';
import { backendCapacity, folderSource, useNodeBackend } from '@warmup/node';
import { readPreset } from '../apps/cli/src/model-spec.ts';

const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const presetName = arg('preset', 'kk-10m');
const modelDir = arg('model', '');
const backends = arg('backends', 'wasm,webgpu,cpu').split(',');
const B = Number(arg('batch', '4'));
const T = Number(arg('seq', '128'));
const genB = Number(arg('gen-batch', modelDir ? '1' : '8'));
const genN = Number(arg('gen-tokens', modelDir ? '8' : '32'));
const PROMPT = 16;

interface FolderResult {
  backend: string;
  load_s: number;
  gen_tok_s: number;
  peak_rss: number;
  /** Bytes of the wasm heap at the end (it only grows): the backend's own peak. */
  wasm_heap?: number;
}

/** Child mode: one backend, one folder; prints one JSON line. */
async function benchFolder(dir: string, be: string): Promise<void> {
  const used = await useNodeBackend(be as 'cpu');
  const t0 = performance.now();
  const model = await loadModel(folderSource(dir));
  const loadS = (performance.now() - t0) / 1000;
  const V = model.config.vocabSize;
  const prompts = Array.from({ length: genB }, (_, b) =>
    Array.from({ length: PROMPT }, (_, t) => (b * 13 + t * 3) % V),
  );
  await generate(model, prompts, { maxNewTokens: 1, greedy: true, eosTokenIds: [] }); // kernel warm-up
  const t1 = performance.now();
  await generate(model, prompts, { maxNewTokens: genN, greedy: true, eosTokenIds: [] });
  const genTps = (genB * genN) / ((performance.now() - t1) / 1000);
  const heap =
    used === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : undefined;
  const r: FolderResult = {
    backend: used,
    load_s: loadS,
    gen_tok_s: genTps,
    peak_rss: process.resourceUsage().maxRSS * 1024,
    ...(heap ? { wasm_heap: heap } : {}),
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

async function folderTable(dir: string): Promise<void> {
  const { loadConfig } = await import('@warmup/core');
  const config = await loadConfig(folderSource(dir));
  console.log(
    `${dir}: ${countParameters(config).toLocaleString('en-US')} parameters; generation ${genB} row(s) × ${genN} new tokens after a ${PROMPT}-token prompt, greedy`,
  );
  const rows = [
    '| backend | load s | generation tok/s | peak RSS | wasm heap | memory plan (backend bytes) |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const self = fileURLToPath(import.meta.url);
  for (const be of backends) {
    const plan = planMemory({
      config,
      backend: be as PlanBackend,
      command: 'generate',
      genRows: genB,
      promptLen: PROMPT,
      newTokens: genN,
    });
    const cap = await backendCapacity(be as PlanBackend);
    if (plan.total > cap.bytes) {
      rows.push(
        `| ${be} | refused: needs ${formatBytes(plan.total)} > ${formatBytes(cap.bytes)} (${cap.source}) | | | | |`,
      );
      continue;
    }
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        self,
        '--child',
        '--model',
        dir,
        '--backends',
        be,
        '--gen-batch',
        String(genB),
        '--gen-tokens',
        String(genN),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
      },
    );
    const line = child.stdout
      .trim()
      .split('\n')
      .find((l) => l.startsWith('{'));
    if (!line) {
      rows.push(
        `| ${be} | failed: ${(child.stderr.trim().split('\n').at(-1) ?? `exit ${child.status}`).slice(0, 200)} | | | | |`,
      );
      continue;
    }
    const r = JSON.parse(line) as FolderResult;
    rows.push(
      `| ${r.backend} | ${r.load_s.toFixed(1)} | ${r.gen_tok_s.toFixed(2)} | ${formatBytes(r.peak_rss)} | ${r.wasm_heap ? formatBytes(r.wasm_heap) : '–'} | ${formatBytes(plan.total)} |`,
    );
    console.log(
      `${r.backend}: load ${r.load_s.toFixed(1)} s, generation ${r.gen_tok_s.toFixed(2)} tok/s, peak RSS ${formatBytes(r.peak_rss)}`,
    );
  }
  console.log(`\n${rows.join('\n')}`);
}

async function presetTable(): Promise<void> {
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
      const prompts = Array.from({ length: genB }, (_, b) =>
        Array.from({ length: 16 }, (_, t) => (b * 13 + t * 3) % V),
      );
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
}

if (process.argv.includes('--child')) await benchFolder(modelDir, backends[0]);
else if (modelDir) await folderTable(modelDir);
else await presetTable();
process.exit(0);
