// End-to-end tests of the web app: builds it with vite, serves the build plus the qwen2-tiny
// fixture on 127.0.0.1, drives Debian's Chromium (WebGPU on SwiftShader) with playwright-core and
// runs the cases in e2e/*.e2e.mjs. Ends with "e2e: N passed, M failed"; exit 1 on any failure.
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.resolve(repoRoot, 'fixtures/qwen2-tiny');
const resultsDir = path.resolve(repoRoot, 'test-results');
const configFile = path.resolve(repoRoot, 'vite.config.ts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const filter = process.argv[2]; // optional substring of case names

const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', // WebGPU on Linux, where it is still behind a flag
  '--no-sandbox',
  '--disable-background-networking', // no network here: avoid blocked background traffic
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function loadCases() {
  const files = ['build.e2e.mjs', 'parity.e2e.mjs', 'ui.e2e.mjs', 'train.e2e.mjs', 'code.e2e.mjs'];
  const cases = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(repoRoot, 'e2e', f)).href);
    for (const c of mod.cases) cases.push({ ...c, file: f });
  }
  return filter ? cases.filter((c) => c.name.includes(filter)) : cases;
}

async function main() {
  const t0 = Date.now();
  if (!existsSync(path.join(fixture, 'expected.json'))) throw new Error(`fixture not found: ${fixture}`);
  if (!existsSync(chromiumPath))
    throw new Error(`chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  mkdirSync(resultsDir, { recursive: true });

  if (!process.env.E2E_SKIP_BUILD) {
    const tb = Date.now();
    await build({ configFile, logLevel: 'warn' });
    console.log(`build: ${((Date.now() - tb) / 1000).toFixed(1)} s`);
  }
  const port = await freePort();
  const server = await preview({
    configFile,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  const baseUrl = `http://127.0.0.1:${port}/`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });

  let passed = 0;
  let failed = 0;
  try {
    for (const c of await loadCases()) {
      const tc = Date.now();
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      try {
        await withTimeout(c.run({ page, baseUrl, resultsDir, repoRoot, pageErrors }), c.timeoutMs ?? 60_000, c.name);
        passed++;
        console.log(`ok   ${c.name} (${((Date.now() - tc) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        console.log(
          `FAIL ${c.name} (${((Date.now() - tc) / 1000).toFixed(1)} s): ${e instanceof Error ? e.message : String(e)}`,
        );
        if (pageErrors.length) console.log(`     page errors: ${pageErrors.slice(0, 5).join(' | ')}`);
        const shot = path.join(resultsDir, `failed-${c.name.replace(/[^a-z0-9]+/gi, '-')}.png`);
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
  console.log(`total: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`e2e: setup failed: ${e instanceof Error ? e.message : String(e)}`);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  },
);
