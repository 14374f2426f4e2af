// Helpers of the e2e specs: open the app and wait for its worker API, call that API from
// the page, and plain assertions with readable messages.
import assert from 'node:assert/strict';

export { assert };

export const FIXTURE_URL = '/fixtures/qwen2-tiny/';
export const EXPECTED_URL = '/fixtures/qwen2-tiny/expected.json';

/** Open the app and wait until main.ts has exposed `window.warmup`. `model`: the page's `?model=`;
 *  'none' (the default here) opens without loading the shipped base, so a spec starts from a
 *  page with no model and no job running; null opens the plain URL (the shipped base loads). */
export async function openApp(page, baseUrl, { model = 'none' } = {}) {
  await page.goto(model === null ? baseUrl : `${baseUrl}?model=${encodeURIComponent(model)}`);
  await page.waitForFunction(() => 'warmup' in globalThis, null, { timeout: 20_000 });
}

/** Call a WorkerApi method through the page's comlink proxy. */
export async function callApi(page, method, ...args) {
  return page.evaluate(
    async ({ method, args }) => {
      const api = globalThis.warmup.api;
      return api[method](...args);
    },
    { method, args },
  );
}
