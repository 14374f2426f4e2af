// Both cores in the browser: the server sends COOP/COEP, so the page is cross-origin isolated, the
// worker starts TF.js's threaded wasm build with a thread per core, and the backend line says so.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { assert, callApi, FIXTURE_URL, EXPECTED_URL, openApp } from './helpers.mjs';
import { test } from './fixtures.mjs';

test('threads: cross-origin isolated page, wasm on every core, status line says how many, parity holds', async ({
  page,
  baseUrl,
  pageErrors,
}) => {
  test.setTimeout(90_000);
  const response = await page.goto(baseUrl);
  assert.equal(response?.headers()['cross-origin-opener-policy'], 'same-origin');
  assert.equal(response?.headers()['cross-origin-embedder-policy'], 'require-corp');
  await openApp(page, baseUrl);
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true, 'page not cross-origin isolated');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const info = await callApi(page, 'init', 'wasm');
  assert.equal(info.backend, 'wasm');
  assert.equal(info.wasm?.crossOriginIsolated, true, 'worker not cross-origin isolated');
  assert.equal(info.wasm?.threads, true, 'TF.js did not pick the threaded build');
  const want = Math.min(cores, 8);
  assert.equal(info.wasm?.threadsCount, want, `threads in use: ${info.wasm?.threadsCount}, cores ${cores}`);
  assert.ok(want > 1 || cores === 1, 'a machine with one core cannot show threads > 1');
  await page.selectOption('#backend-select', 'wasm');
  await page.waitForFunction(
    (n) => new RegExp(`wasm SIMD on, ${n} threads\\.`).test(document.getElementById('backend-info')?.textContent ?? ''),
    want,
    { timeout: 30_000 },
  );
  // The threaded build computes what the float64 reference says (logits of the qwen2-tiny fixture).
  const r = await callApi(page, 'parity', FIXTURE_URL, EXPECTED_URL);
  assert.ok(
    r.rightPadded <= 1e-4 && r.leftPadded <= 1e-4,
    `logits error: right ${r.rightPadded}, left ${r.leftPadded}`,
  );
  assert.deepEqual(pageErrors, [], 'page errors');
});

const TYPES = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.zip': 'application/zip',
};

/** The built app from dist/web on its own port, with or without COOP/COEP (without them the page is
 *  not cross-origin isolated and TF.js loads its one-thread build). */
function serveBuild(root, isolated) {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      let p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (p.endsWith('/')) p += 'index.html';
      const f = path.join(root, p);
      if (!f.startsWith(root) || !existsSync(f) || !statSync(f).isFile()) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('Content-Type', TYPES[path.extname(f)] ?? 'application/octet-stream');
      if (isolated) {
        res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      }
      res.end(readFileSync(f));
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// A measurement, not a check: SFT tokens/s in Chromium on wasm with a thread per core (isolated page)
// and with one thread (the same build served without COOP/COEP), alternating.
// WARMUP_THREADS_MEASURE=1 npx playwright test e2e/threads.spec.mjs [THREADS_PRESET=kk-small THREADS_ROUNDS=3]
test('threads: measure SFT tokens/s, isolated vs not (WARMUP_THREADS_MEASURE=1)', async ({ browser, repoRoot }) => {
  test.skip(!process.env.WARMUP_THREADS_MEASURE, 'a measurement: set WARMUP_THREADS_MEASURE=1');
  test.setTimeout(1_800_000);
  const preset = process.env.THREADS_PRESET ?? 'kk-small';
  const rounds = Number(process.env.THREADS_ROUNDS ?? 3);
  const idle = (page) =>
    page.waitForFunction(() => document.getElementById('status-busy')?.hidden === true, null, { timeout: 900_000 });
  const results = { true: [], false: [] };
  for (let r = 0; r < rounds; r++) {
    for (const isolated of r % 2 ? [false, true] : [true, false]) {
      const server = await serveBuild(path.join(repoRoot, 'dist/web'), isolated);
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${server.address().port}/?model=none`);
      await page.waitForFunction(() => 'warmup' in globalThis, null, { timeout: 60_000 });
      await page.selectOption('#backend-select', 'wasm');
      await page.waitForFunction(() => /wasm SIMD/.test(document.getElementById('backend-info')?.textContent ?? ''));
      await idle(page);
      const line = /wasm SIMD[^.]*\./.exec((await page.textContent('#backend-info')) ?? '')?.[0];
      await page.selectOption('#preset-select', preset);
      await page.click('#preset-create');
      await page.waitForFunction((p) => document.getElementById('status-model')?.textContent?.includes(p), preset);
      await idle(page);
      const fields = { 'train-people-min': 2, 'train-people-max': 2, 'train-count': 32, 'train-trace': 'short' };
      for (const [id, v] of Object.entries({ ...fields, 'train-steps': 8, 'train-lr': '3e-3', 'train-batch': 4 })) {
        if ((await page.$eval(`#${id}`, (e) => e.tagName)) === 'SELECT') await page.selectOption(`#${id}`, String(v));
        else await page.fill(`#${id}`, String(v));
      }
      await page.click('#train-start');
      await idle(page);
      const hist = await page.evaluate(() => globalThis.warmup.train.history());
      // The first step warms up (kernel set-up); the median of the rest.
      const tps = hist
        .filter((m) => m.tokens_per_s > 0)
        .slice(1)
        .map((m) => m.tokens_per_s)
        .sort((a, b) => a - b);
      const median = tps[Math.floor(tps.length / 2)];
      results[isolated].push(median);
      console.log(
        `     round ${r + 1}, ${line} ${preset}: ${Math.round(median)} tok/s, last loss ${hist.at(-1)?.loss}`,
      );
      await page.close();
      server.close();
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `     ${preset}, medians of ${rounds} rounds: isolated (threads) ${Math.round(med(results.true))} tok/s, not isolated (1 thread) ${Math.round(med(results.false))} tok/s`,
  );
});
