// Playwright Test for the web app's end-to-end specs (e2e/*.spec.mjs): builds the app, serves it
// with `vite preview` (plus fixtures/) on 127.0.0.1, and drives the system's Chromium (WebGPU on
// SwiftShader); `npx playwright install` is never needed. Reports: list + HTML (playwright-report/).
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4317);
const build = process.env.E2E_SKIP_BUILD ? '' : 'npx vite build --logLevel warn && ';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.mjs',
  // Two cores and one heavy page at a time: the specs train models and run Pyodide.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: process.env.CI ? 1 : 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['html', { open: 'never' }]],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--enable-unsafe-webgpu', // WebGPU on Linux, where it is still behind a flag
        '--no-sandbox',
        '--disable-background-networking', // no network here: avoid blocked background traffic
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `${build}npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
