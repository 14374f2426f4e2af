// UI smoke test: the page works end to end by clicking, as a user would: wasm backend, a K&K
// puzzle graded with the teacher's answer, a tiny model from a preset, text generation, K&K ask,
// and a model folder picked with the folder input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assert, callApi, openApp } from './helpers.mjs';
import { test } from './fixtures.mjs';

async function waitIdle(page, timeout = 60_000) {
  await page.waitForFunction(() => document.getElementById('status-busy')?.hidden === true, null, { timeout });
}

test('ui: wasm, K&K puzzle + teacher grade, preset model, generate, ask, screenshot', async ({
  page,
  baseUrl,
  resultsDir,
  pageErrors,
}) => {
  test.setTimeout(90_000);
  await openApp(page, baseUrl);
  await page.selectOption('#backend-select', 'wasm');
  await page.waitForFunction(() => document.getElementById('status-backend')?.textContent === 'backend: wasm', null, {
    timeout: 30_000,
  });
  await waitIdle(page);

  await page.selectOption('#kk-people', '3');
  await page.click('#kk-new');
  const quiz = await page.textContent('#kk-quiz');
  assert.match(quiz ?? '', /knight/i, `quiz text: ${quiz}`);
  await page.click('#kk-new');
  assert.equal(await page.inputValue('#kk-seed'), '2', 'a second click moves to the next seed');
  assert.notEqual(await page.textContent('#kk-quiz'), quiz, 'a new seed gives a new puzzle');
  await page.click('#kk-teacher');
  const badges = await page.textContent('#kk-grade');
  assert.match(badges ?? '', /correct/, `teacher answer graded: ${badges}`);
  assert.doesNotMatch(badges ?? '', /wrong/);
  await page.screenshot({ path: path.join(resultsDir, 'ui-kk-teacher.png') });

  await page.selectOption('#preset-select', 'tiny-bytes');
  await page.click('#preset-create');
  await page.waitForFunction(() => document.getElementById('status-model')?.textContent?.includes('tiny-bytes'), null, {
    timeout: 30_000,
  });
  await waitIdle(page);
  const facts = await page.textContent('#model-facts');
  assert.match(facts ?? '', /vocab256/);

  await page.fill('#gen-max', '24');
  await page.click('#gen-run');
  await page.waitForFunction(() => (document.getElementById('gen-stats')?.textContent ?? '').includes('tokens'), null, {
    timeout: 30_000,
  });
  await waitIdle(page);
  const stats = await page.textContent('#gen-stats');
  assert.match(stats ?? '', /\d+ tokens after a 16-token prompt/, `stats: ${stats}`);

  await page.click('#kk-ask');
  await page.waitForFunction(() => (document.getElementById('kk-grade')?.textContent ?? '').includes('reward'), null, {
    timeout: 60_000,
  });
  await waitIdle(page);
  const asked = await page.textContent('#kk-completion');
  assert.ok((asked ?? '').length > 0 && asked !== '…', 'the model produced a completion');

  await page.click('#model-panel .tab[data-tab="url"]');
  await page.click('#model-panel .tab[data-tab="preset"]');
  const log = await page.textContent('#log');
  assert.doesNotMatch(log ?? '', /error/i, `log shows an error: ${log}`);
  assert.deepEqual(pageErrors, [], 'page errors');
  await page.screenshot({ path: path.join(resultsDir, 'ui-wasm.png'), fullPage: true });
});

test('ui: folder picker loads the fixture (File objects), greedy reference on wasm, then on cpu after a switch', async ({
  page,
  baseUrl,
  repoRoot,
  pageErrors,
}) => {
  test.setTimeout(60_000);
  const dir = path.resolve(repoRoot, 'fixtures/qwen2-tiny');
  const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')).greedy;
  await openApp(page, baseUrl);
  await page.selectOption('#backend-select', 'wasm');
  await page.waitForFunction(() => document.getElementById('status-backend')?.textContent === 'backend: wasm', null, {
    timeout: 30_000,
  });
  await waitIdle(page);
  await page.click('#model-panel .tab[data-tab="folder"]');
  await page.setInputFiles('#model-folder', dir);
  await page.waitForFunction(() => document.getElementById('status-model')?.textContent === 'model: qwen2-tiny', null, {
    timeout: 30_000,
  });
  await waitIdle(page);
  const g = await callApi(page, 'generate', {
    ids: expected.prompt_ids,
    maxNewTokens: expected.num_new_tokens,
    greedy: true,
    stopAtEos: false,
  });
  assert.deepEqual(g.ids, expected.generated_ids);
  // Switching backend rebuilds the loaded model on the new one (from the same File objects).
  await page.selectOption('#backend-select', 'cpu');
  await page.waitForFunction(() => document.getElementById('status-backend')?.textContent === 'backend: cpu', null, {
    timeout: 30_000,
  });
  await waitIdle(page);
  assert.equal(await page.textContent('#status-model'), 'model: qwen2-tiny');
  const g2 = await callApi(page, 'generate', {
    ids: expected.prompt_ids,
    maxNewTokens: expected.num_new_tokens,
    greedy: true,
    stopAtEos: false,
  });
  assert.deepEqual(g2.ids, expected.generated_ids, 'after the switch to cpu');
  assert.deepEqual(pageErrors, [], 'page errors');
});
