// Playwright Test fixtures of the e2e specs: the app's URL as `baseUrl`, the repo root, a per-test
// output folder for screenshots and downloads, and the page's errors (attached to a failed test).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base } from '@playwright/test';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const test = base.extend({
  baseUrl: async ({ baseURL }, use) => use(baseURL),
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take a destructured object
  repoRoot: async ({}, use) => use(repoRoot),
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take a destructured object
  resultsDir: async ({}, use, testInfo) => {
    mkdirSync(testInfo.outputDir, { recursive: true });
    await use(testInfo.outputDir);
  },
  pageErrors: [
    async ({ page }, use, testInfo) => {
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await use(errors);
      if (errors.length && testInfo.status !== testInfo.expectedStatus)
        await testInfo.attach('page errors', { body: errors.join('\n'), contentType: 'text/plain' });
    },
    { auto: true },
  ],
});
