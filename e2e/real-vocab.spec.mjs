// A model past WebGPU's 128 MiB binding size in the browser: the real Qwen vocabulary (151,936)
// with hidden 256 makes a 155 MB float32 embedding. Made with `warmup init` under the OS temp
// folder, served by URL (with Range and CORS, as a model host would), loaded on WebGPU with the
// memory plan and bytes/total shown first, then generation. One SFT step at this size took more
// than 7 minutes on SwiftShader here (2026-11-30), so it runs only with E2E_REAL_VOCAB_TRAIN=1.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, callApi, openApp } from './helpers.mjs';
import { test } from './fixtures.mjs';

const CONFIG = {
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  vocab_size: 151936,
  hidden_size: 256,
  intermediate_size: 512,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 4096,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  tie_word_embeddings: true,
  hidden_act: 'silu',
  bos_token_id: 151643,
  eos_token_id: 151643,
};

/** Serve a folder over HTTP with single Range support and CORS on a free port. */
function serveFolder(dir) {
  const server = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    if (req.method === 'OPTIONS') return res.end();
    const file = path.join(dir, path.basename(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      return res.end();
    }
    const size = statSync(file).size;
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const [start, end] = m ? [Number(m[1]), Math.min(Number(m[2]), size - 1)] : [0, size - 1];
    res.statusCode = m ? 206 : 200;
    res.setHeader('Content-Length', String(end - start + 1));
    if (m) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    if (req.method === 'HEAD') return res.end();
    createReadStream(file, { start, end }).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let tmp;
let server;

test.beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-e2e-vocab-'));
  const cfg = path.join(tmp, 'config.json');
  writeFileSync(cfg, JSON.stringify(CONFIG));
  const bin = path.join(repoRoot, 'apps/cli/bin/warmup.js');
  execFileSync(process.execPath, [bin, 'init', '--config', cfg, '--out', path.join(tmp, 'model')], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  server = await serveFolder(path.join(tmp, 'model'));
});

test.afterAll(() => {
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Open the app on WebGPU and load the served model through the URL tab. */
async function loadOnWebgpu(page, baseUrl) {
  await openApp(page, baseUrl);
  await page.selectOption('#backend-select', 'webgpu');
  await page.waitForFunction(() => document.getElementById('status-backend')?.textContent === 'backend: webgpu', null, {
    timeout: 60_000,
  });
  await page.click('[data-tab="url"]');
  await page.fill('#model-url', `http://127.0.0.1:${server.address().port}/`);
  await page.click('#model-url-load');
  // The plan comes before any weight is read; then bytes/total climbs to 100%.
  await page.waitForFunction(
    () => /needs about \d+ MiB on webgpu/.test(document.getElementById('model-load-status')?.textContent ?? ''),
    null,
    { timeout: 60_000 },
  );
  await page.waitForFunction(() => document.getElementById('status-model')?.textContent?.includes('127.0.0.1'), null, {
    timeout: 180_000,
  });
}

test('real Qwen vocabulary on WebGPU: plan and bytes/total shown, 155 MB embedding loads by URL and generates', async ({
  page,
  baseUrl,
}) => {
  test.setTimeout(300_000);
  await loadOnWebgpu(page, baseUrl);
  const status = await page.textContent('#model-load-status');
  assert.match(status, /loading \d+ MiB \/ \d+ MiB \(100%\)/, status);
  const facts = await page.textContent('#model-facts');
  assert.match(facts, /151936/, facts);
  assert.match(facts, /memory plan/, facts);
  const g = await callApi(page, 'generate', { prompt: 'Hello', maxNewTokens: 2, greedy: true });
  assert.ok(g.ids.length >= 1 && g.ids.every((id) => id >= 0 && id < 151936), JSON.stringify(g).slice(0, 300));
  assert.ok(
    g.logprobs.length === g.ids.length && g.logprobs.every((x) => Number.isFinite(x) && x < 0),
    `logprobs: ${JSON.stringify(g.logprobs)}`,
  );
});

test('real Qwen vocabulary on WebGPU: one SFT step (E2E_REAL_VOCAB_TRAIN=1)', async ({ page, baseUrl }) => {
  test.skip(!process.env.E2E_REAL_VOCAB_TRAIN, 'takes > 7 min on SwiftShader; set E2E_REAL_VOCAB_TRAIN=1');
  test.setTimeout(1_800_000);
  await loadOnWebgpu(page, baseUrl);
  const reply = await callApi(page, 'train', {
    kind: 'sft',
    traceStyle: 'short',
    data: { peopleMin: 2, peopleMax: 2, count: 2, seed: 0, promptStyle: 'r1' },
    steps: 1,
    lr: 1e-4,
    batchSize: 1,
  });
  assert.equal(reply.steps, 1, JSON.stringify(reply).slice(0, 300));
});
