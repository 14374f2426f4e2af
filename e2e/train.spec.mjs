// Training in the browser on wasm, driven through the Train panel: SFT warmup on short 2-person
// teacher traces (the loss must fall, and no tensors may leak), GRPO with G=4 (reward metrics
// must stream in), the trained model answering in the K&K panel and downloaded as a zip; and
// Stop reaching the worker mid-run for both training and generation.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { assert, callApi, openApp } from './helpers.mjs';
import { test } from './fixtures.mjs';

async function waitIdle(page, timeout = 60_000) {
  await page.waitForFunction(() => document.getElementById('status-busy')?.hidden === true, null, { timeout });
}

async function wasmWithModel(page, baseUrl) {
  await openApp(page, baseUrl);
  await page.selectOption('#backend-select', 'wasm');
  await page.waitForFunction(() => document.getElementById('status-backend')?.textContent === 'backend: wasm', null, {
    timeout: 30_000,
  });
  await waitIdle(page);
  // The smallest K&K-tokenizer preset when the repo has one (shorter sequences), else bytes.
  const presets = await page.$$eval('#preset-select option', (os) => os.map((o) => o.value));
  const preset = presets.includes('kk-tiny') ? 'kk-tiny' : 'tiny-bytes';
  await page.selectOption('#preset-select', preset);
  await page.click('#preset-create');
  await page.waitForFunction((p) => document.getElementById('status-model')?.textContent?.includes(p), preset, {
    timeout: 30_000,
  });
  await waitIdle(page);
  return preset;
}

async function setTrainFields(page, fields) {
  for (const [id, value] of Object.entries(fields)) {
    const tag = await page.$eval(`#${id}`, (e) => e.tagName);
    if (tag === 'SELECT') await page.selectOption(`#${id}`, String(value));
    else await page.fill(`#${id}`, String(value));
  }
}

const history = (page) => page.evaluate(() => globalThis.warmup.train.history());
const lastReply = (page) => page.evaluate(() => globalThis.warmup.train.lastReply());
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('train: wasm SFT 15 steps (loss falls, no leaks), GRPO G=4, ask, switch to cpu, download, screenshot', async ({
  page,
  baseUrl,
  resultsDir,
  pageErrors,
}) => {
  test.setTimeout(60_000);
  const preset = await wasmWithModel(page, baseUrl);
  const before = (await callApi(page, 'memory')).numTensors;

  await setTrainFields(page, {
    'train-people-min': 2,
    'train-people-max': 2,
    'train-count': 32,
    'train-trace': 'short',
    'train-steps': 15,
    'train-lr': '3e-3',
    // Byte-level sequences are ~4x longer (~1,200 tokens): a smaller batch keeps the case short.
    'train-batch': preset === 'kk-tiny' ? 4 : 2,
  });
  const t0 = Date.now();
  await page.click('#train-start');
  await waitIdle(page);
  const sftS = (Date.now() - t0) / 1000;
  const sft = await history(page);
  const reply = await lastReply(page);
  assert.ok(reply, 'train() replied');
  assert.equal(reply.steps, 15);
  assert.equal(reply.stopped, false);
  assert.deepEqual(
    sft.map((m) => m.step),
    Array.from({ length: 15 }, (_, i) => i + 1),
    'one metrics line per step, in order',
  );
  const losses = sft.map((m) => m.loss);
  assert.ok(losses.every(Number.isFinite), `finite losses: ${losses}`);
  const first = mean(losses.slice(0, 3));
  const last = mean(losses.slice(-3));
  assert.ok(last < first, `loss should fall: first 3 mean ${first.toFixed(3)}, last 3 mean ${last.toFixed(3)}`);
  assert.ok(
    sft.every((m) => m.tokens_per_s > 0 && m.step_s > 0),
    'tokens/s and step time reported',
  );
  const afterSft = (await callApi(page, 'memory')).numTensors;
  assert.equal(afterSft, before, "SFT leaves exactly the model's own tensors (optimizer moments freed)");
  assert.match(await page.textContent('#status-model'), /\+ sft 15/);
  assert.match(await page.textContent('#train-stats'), /done: 15 steps/);
  const panel = await page.$('#train-panel');
  await panel.screenshot({ path: path.join(resultsDir, 'train-sft.png') });
  console.log(
    `     ${preset}: sft 15 steps in ${sftS.toFixed(1)} s, loss ${losses[0].toFixed(3)} -> ${losses[14].toFixed(3)} (first-3 mean ${first.toFixed(3)}, last-3 mean ${last.toFixed(3)}), ${Math.round(mean(sft.map((m) => m.tokens_per_s)))} tok/s, ${mean(sft.map((m) => m.step_s)).toFixed(2)} s/step`,
  );

  await page.click('#train-panel .tab[data-train-kind="grpo"]');
  await setTrainFields(page, {
    'train-g': 4,
    'train-pps': 1,
    'train-max-completion': 32,
    'train-temp': 1,
    'train-steps': 2,
    'train-lr': '1e-4',
    'train-batch': 4,
  });
  const t1 = Date.now();
  await page.click('#train-start');
  await waitIdle(page);
  const grpoS = (Date.now() - t1) / 1000;
  const grpo = await history(page);
  assert.equal(grpo.length, 2, 'two GRPO steps reported');
  for (const m of grpo) {
    assert.ok(Number.isFinite(m.reward) && m.reward >= -2 && m.reward <= 2, `reward ${m.reward}`);
    assert.ok(m.correct_frac >= 0 && m.correct_frac <= 1, `correct_frac ${m.correct_frac}`);
    assert.ok(
      m['completions/mean_length'] > 0 && m['completions/mean_length'] <= 32,
      `completion length ${m['completions/mean_length']}`,
    );
  }
  assert.equal((await callApi(page, 'memory')).numTensors, before, 'GRPO leaves no tensors behind');
  assert.match(await page.textContent('#status-model'), /\+ sft 15 \+ grpo 2/);
  await panel.screenshot({ path: path.join(resultsDir, 'train-grpo.png') });
  console.log(
    `     grpo 2 steps in ${grpoS.toFixed(1)} s: reward ${grpo.map((m) => m.reward.toFixed(2)).join(', ')}, correct ${grpo.map((m) => m.correct_frac).join(', ')}, generation ${grpo.map((m) => m.gen_s.toFixed(2)).join(', ')} s`,
  );

  // The trained model stays loaded: the K&K panel asks it.
  await page.fill('#gen-max', '16');
  await page.click('#kk-ask');
  await page.waitForFunction(() => (document.getElementById('kk-grade')?.textContent ?? '').includes('reward'), null, {
    timeout: 20_000,
  });
  await waitIdle(page);

  // A backend switch rebuilds the trained weights (not the untrained preset) on the new backend.
  const prompt = { prompt: 'Alice says', maxNewTokens: 8, greedy: true, stopAtEos: false };
  const onWasm = await callApi(page, 'generate', prompt);
  await page.selectOption('#backend-select', 'cpu');
  await page.waitForFunction(() => document.getElementById('status-backend')?.textContent === 'backend: cpu', null, {
    timeout: 30_000,
  });
  await waitIdle(page);
  assert.match(await page.textContent('#status-model'), /\+ sft 15 \+ grpo 2/);
  const onCpu = await callApi(page, 'generate', prompt);
  assert.deepEqual(onCpu.ids, onWasm.ids, 'greedy ids of the trained model after the switch to cpu');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
  const zipPath = path.join(resultsDir, download.suggestedFilename());
  await download.saveAs(zipPath);
  const files = unzipSync(readFileSync(zipPath));
  const names = Object.keys(files)
    .map((n) => n.replace(/^[^/]+\//, ''))
    .sort();
  const expectNames = [
    'config.json',
    'model.safetensors',
    ...(preset === 'kk-tiny' ? ['tokenizer.json', 'tokenizer_config.json'] : []),
  ].sort();
  assert.deepEqual(names, expectNames, `zip holds ${names.join(', ')}`);
  const entry = (n) => files[Object.keys(files).find((k) => k.endsWith(`/${n}`))];
  const config = JSON.parse(new TextDecoder().decode(entry('config.json')));
  assert.equal(config.model_type, 'qwen2');
  const st = entry('model.safetensors');
  const headerLen = Number(new DataView(st.buffer, st.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(st.subarray(8, 8 + headerLen)));
  assert.deepEqual(header['model.embed_tokens.weight'].shape, [config.vocab_size, config.hidden_size]);
  assert.deepEqual(pageErrors, [], 'page errors');
});
test('train: Stop ends training and a long generation mid-run on wasm', async ({ page, baseUrl, pageErrors }) => {
  test.setTimeout(45_000);
  await wasmWithModel(page, baseUrl);
  const before = (await callApi(page, 'memory')).numTensors;
  await setTrainFields(page, {
    'train-people-min': 2,
    'train-people-max': 2,
    'train-count': 16,
    'train-steps': 500,
    'train-batch': 2,
  });
  await page.click('#train-start');
  await page.waitForFunction(() => globalThis.warmup.train.history().length >= 2, null, { timeout: 20_000 });
  await page.click('#train-stop');
  await waitIdle(page, 15_000);
  const reply = await lastReply(page);
  assert.equal(reply.stopped, true);
  assert.ok(reply.steps >= 2 && reply.steps < 20, `stopped after ${reply.steps} steps`);
  assert.equal((await callApi(page, 'memory')).numTensors, before, 'a stopped run frees the optimizer too');

  await page.fill('#gen-max', '1500');
  await page.click('#gen-run');
  await page.waitForFunction(() => Number(document.getElementById('gen-progress')?.value) >= 8, null, {
    timeout: 20_000,
  });
  await page.click('#gen-stop');
  await waitIdle(page, 15_000);
  const stats = await page.textContent('#gen-stats');
  assert.match(stats ?? '', /cancelled/, `generation stats: ${stats}`);
  const n = Number(/^(\d+) tokens/.exec(stats ?? '')?.[1]);
  assert.ok(n < 1000, `cancelled after ${n} tokens`);
  assert.deepEqual(pageErrors, [], 'page errors');
});
test('train: GRPO on target data files (MMLU-Pro sample as mcq, HumanEval as code) chosen in the Train panel', async ({
  page,
  baseUrl,
  repoRoot,
  pageErrors,
}) => {
  test.setTimeout(120_000);
  await wasmWithModel(page, baseUrl);
  const before = (await callApi(page, 'memory')).numTensors;
  await page.click('#train-panel .tab[data-train-kind="grpo"]');
  await page.selectOption('#train-target', 'file');
  for (const [task, file] of [
    ['mcq', 'mmlu-pro-sample.jsonl'],
    ['code', 'humaneval-sample.jsonl'],
  ]) {
    await page.selectOption('#train-target-task', task);
    await page.setInputFiles('#train-target-file', path.resolve(repoRoot, 'data', file));
    await setTrainFields(page, {
      'train-target-limit': 4,
      'train-g': 2,
      'train-pps': 2,
      'train-max-completion': 8,
      'train-temp': 1,
      'train-steps': 2,
      'train-lr': '1e-4',
      'train-batch': 4,
    });
    await page.click('#train-start');
    await waitIdle(page, 100_000);
    const ms = await history(page);
    assert.equal(ms.length, 2, `${task}: two GRPO steps reported`);
    for (const m of ms)
      assert.ok(Number.isFinite(m[`rewards/${task}/mean`]), `${task}: reward metric ${JSON.stringify(m)}`);
    const reply = await lastReply(page);
    assert.equal(reply.examples, 4, `${task}: the first 4 records were the prompts`);
    console.log(`     ${task}: rewards ${ms.map((m) => m.reward.toFixed(2)).join(', ')}, ${reply.ms} ms`);
  }
  // A bad file is refused with a message naming it, and nothing trains.
  await page.selectOption('#train-target-task', 'math');
  await page.setInputFiles('#train-target-file', {
    name: 'broken.jsonl',
    mimeType: 'application/json',
    buffer: Buffer.from('{"problem": "1+1"}\n{oops\n'),
  });
  await page.click('#train-start');
  await waitIdle(page);
  const log = await page.textContent('#log');
  assert.match(log ?? '', /broken\.jsonl:[12]/, 'the error names the file and line');
  assert.equal((await callApi(page, 'memory')).numTensors, before, 'no tensors left behind');
  assert.deepEqual(
    pageErrors.filter((e) => !/broken\.jsonl/.test(e)),
    [],
    'page errors',
  );
});
