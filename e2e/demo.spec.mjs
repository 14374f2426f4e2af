// The demo as a user meets it: the page opens on the shipped base (models/warmup-base, served by
// Vite), "Warm up on K&K" runs the toy experiment's SFT with held-out K&K accuracy on its chart,
// "RLVR on toy-mcq" runs GRPO on a generated toy domain with its reward on a second chart, and the
// SFT chart stays on screen. The runs are stopped early: timing is a benchmark, not this test's job
// (the measurement below is one, run by hand: WARMUP_DEMO_MEASURE=1).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assert, openApp } from './helpers.mjs';
import { test } from './fixtures.mjs';

async function waitIdle(page, timeout = 120_000) {
  await page.waitForFunction(() => document.getElementById('status-busy')?.hidden === true, null, { timeout });
}

const points = (page, id, key = 'points') => page.$eval(`#${id}`, (e, k) => Number(e.dataset[k] ?? 'NaN'), key);
const histories = (page) => page.evaluate(() => globalThis.warmup.train.histories());

/** Open the plain URL and wait for the shipped base to load (on auto: wasm without a hardware GPU). */
async function openOnBase(page, baseUrl, repoRoot) {
  await openApp(page, baseUrl, { model: null });
  await page.waitForFunction(
    () => /warmup-base/.test(document.getElementById('status-model')?.textContent ?? ''),
    null,
    {
      timeout: 60_000,
    },
  );
  await waitIdle(page);
  // The facts come from the served folder: compare with the repo's config, whatever its size.
  const config = JSON.parse(readFileSync(path.join(repoRoot, 'models/warmup-base/config.json'), 'utf8'));
  const facts = await page.textContent('#model-facts');
  assert.match(facts ?? '', new RegExp(`vocab${config.vocab_size}`), `model facts: ${facts}`);
  assert.match(facts ?? '', /tokenizerhf/, 'the base loads with its own tokenizer.json');
}

test('demo: shipped base loads by default; warmup plots held-out K&K accuracy; RLVR on toy-mcq plots reward; SFT chart stays', async ({
  page,
  baseUrl,
  repoRoot,
  resultsDir,
  pageErrors,
}) => {
  test.setTimeout(240_000);
  await openOnBase(page, baseUrl, repoRoot);
  assert.equal(await points(page, 'train-slot'), 0, 'the SFT chart starts empty');
  assert.match(await page.textContent('#demo-info'), /held-out puzzles/);

  // Warm-up: wait for the evaluation before training and one after training steps, then stop.
  await page.click('#demo-warmup');
  const every = Number(await page.inputValue('#train-eval-every'));
  assert.ok(every > 0, 'the demo evaluates on held-out puzzles');
  await page.waitForFunction(
    () => Number(document.getElementById('train-slot')?.dataset.pointsEvalAccuracy) >= 2,
    null,
    {
      timeout: 180_000,
    },
  );
  await page.click('#train-stop');
  await waitIdle(page);
  const sft = (await histories(page)).sft;
  const evals = sft.filter((m) => m.eval_accuracy !== undefined);
  assert.equal(evals[0].step, 0, 'accuracy measured before the first step');
  assert.ok(evals.length >= 2 && evals[1].step === every, `evaluations at steps ${evals.map((m) => m.step)}`);
  for (const m of evals) {
    assert.ok(m.eval_accuracy >= 0 && m.eval_accuracy <= 1, `accuracy ${m.eval_accuracy}`);
    assert.ok(m.eval_chance > 0 && m.eval_chance <= 0.25, `chance ${m.eval_chance} (2^-n on n ≥ 2 people)`);
    const right = m.eval_accuracy * m.eval_count;
    assert.ok(m.eval_count > 0 && Math.abs(right - Math.round(right)) < 1e-9, `k/n accuracy: ${right}/${m.eval_count}`);
  }
  const trained = sft.filter((m) => m.loss !== undefined);
  assert.ok(trained.length >= every && trained.every((m) => Number.isFinite(m.loss)), 'loss per step');
  assert.equal(await points(page, 'train-slot'), sft.length, 'one chart point per reported step');
  assert.equal(await points(page, 'train-slot', 'pointsEvalAccuracy'), evals.length);
  const shown = await page.textContent('#train-sft-accuracy');
  assert.match(
    shown ?? '',
    /held-out accuracy \d+\.\d% \(\d+\/\d+\) at step 0 → \d+\.\d% \(\d+\/\d+\) at step \d+ · format \d+\.\d% · chance \d+\.\d%/,
  );
  assert.match(await page.textContent('#status-model'), /\+ sft \d+/);

  // RLVR on the default toy target: the SFT chart and its accuracy stay while GRPO draws its own.
  const sftPoints = await points(page, 'train-slot');
  assert.equal(await page.inputValue('#demo-target'), 'mcq');
  await page.click('#demo-rlvr');
  await page.waitForFunction(
    () => Number(document.getElementById('train-slot-grpo')?.dataset.pointsReward) >= 2,
    null,
    {
      timeout: 180_000,
    },
  );
  assert.equal(await points(page, 'train-slot'), sftPoints, 'the SFT chart keeps its points while GRPO runs');
  assert.ok(await page.isVisible('#train-slot canvas'), 'the SFT chart is visible while GRPO runs');
  assert.ok(await page.isVisible('#train-slot-grpo canvas'), 'the GRPO chart is visible');
  assert.equal(await page.textContent('#train-sft-accuracy'), shown, 'the accuracy read-out stays');
  await page.screenshot({ path: path.join(resultsDir, 'demo-grpo-running.png'), fullPage: true });
  await page.click('#train-stop');
  await waitIdle(page);
  const grpo = (await histories(page)).grpo;
  assert.ok(grpo.length >= 2, `GRPO steps: ${grpo.length}`);
  for (const m of grpo) {
    assert.ok(Number.isFinite(m.reward) && m.reward >= -2 && m.reward <= 2, `reward ${m.reward}`);
    assert.ok(m.correct_frac >= 0 && m.correct_frac <= 1, `correct_frac ${m.correct_frac}`);
  }
  const log = await page.textContent('#log');
  assert.match(log ?? '', /grpo on 100 mcq prompts from toy-mcq-train\.jsonl/);
  assert.doesNotMatch(log ?? '', /\berror\b/i, `log shows an error: ${log}`);
  assert.deepEqual(pageErrors, [], 'page errors');
  console.log(
    `     held-out accuracy ${evals.map((m) => `step ${m.step}: ${(100 * m.eval_accuracy).toFixed(0)}%`).join(', ')}; GRPO reward ${grpo.map((m) => m.reward.toFixed(2)).join(', ')}`,
  );
});

// A measurement, not a check: the whole default warmup and RLVR as a user runs them, with the
// wall time and the held-out accuracy before and after. WARMUP_DEMO_MEASURE=1 npx playwright test e2e/demo.spec.mjs
test('demo: measure the full warmup and RLVR (WARMUP_DEMO_MEASURE=1)', async ({ page, baseUrl, repoRoot }) => {
  test.skip(!process.env.WARMUP_DEMO_MEASURE, 'a measurement: set WARMUP_DEMO_MEASURE=1');
  test.setTimeout(1_800_000);
  await openOnBase(page, baseUrl, repoRoot);
  const backend = await page.textContent('#backend-info');
  const t0 = Date.now();
  await page.click('#demo-warmup');
  await waitIdle(page, 1_500_000);
  const sftS = (Date.now() - t0) / 1000;
  const sft = (await histories(page)).sft;
  const evals = sft.filter((m) => m.eval_accuracy !== undefined);
  const t1 = Date.now();
  await page.click('#demo-rlvr');
  await waitIdle(page, 1_500_000);
  const grpoS = (Date.now() - t1) / 1000;
  const grpo = (await histories(page)).grpo;
  const firstAbove = evals.find((m) => m.eval_accuracy > evals[0].eval_accuracy);
  const at = (m) =>
    `${(100 * m.eval_accuracy).toFixed(1)}% (${Math.round(m.eval_accuracy * m.eval_count)}/${m.eval_count})`;
  console.log(`     ${backend}`);
  console.log(
    `     warmup: ${sft.filter((m) => m.loss !== undefined).length} steps in ${sftS.toFixed(0)} s wall; held-out accuracy ${evals.map((m) => `${m.step}:${at(m)}`).join(' ')} (chance ${(100 * evals[0].eval_chance).toFixed(1)}%)`,
  );
  if (firstAbove)
    console.log(
      `     first rise: step ${firstAbove.step}, ${firstAbove.elapsed_s?.toFixed(0)} s into the run (evaluations included)`,
    );
  console.log(
    `     RLVR: ${grpo.length} steps in ${grpoS.toFixed(0)} s wall; reward ${grpo.map((m) => m.reward.toFixed(2)).join(' ')}; correct ${grpo.map((m) => m.correct_frac.toFixed(2)).join(' ')}`,
  );
});
