// Both cores in the browser: the server sends COOP/COEP, so the page is cross-origin isolated, the
// worker starts TF.js's threaded wasm build with a thread per core, and the backend line says so.
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
