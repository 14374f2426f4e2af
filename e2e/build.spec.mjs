// The build keeps TF.js out of the page's own bundle (it belongs in the worker) and ships the
// wasm binaries as the app's own assets.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { assert } from './helpers.mjs';
import { test } from './fixtures.mjs';

test('build: page bundle has no TF.js; wasm binaries are local assets', async ({ repoRoot }) => {
  test.setTimeout(10_000);
  const assets = path.join(repoRoot, 'dist/web/assets');
  const files = readdirSync(assets);
  const page = files.filter((f) => /^index-.*\.js$/.test(f));
  assert.equal(page.length, 1, `expected one index-*.js, got ${page.join(', ')}`);
  const text = readFileSync(path.join(assets, page[0]), 'utf8');
  assert.ok(!/registerKernel|tfjs-backend|WEBGPU_/.test(text), 'the page bundle contains TF.js code');
  for (const w of ['tfjs-backend-wasm-', 'tfjs-backend-wasm-simd-', 'tfjs-backend-wasm-threaded-simd-']) {
    assert.ok(
      files.some((f) => f.startsWith(w) && f.endsWith('.wasm')),
      `missing ${w}*.wasm in dist/web/assets`,
    );
  }
});
