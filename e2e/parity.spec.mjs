// Parity in the browser: the worker loads the qwen2-tiny fixture over HTTP (urlSource, Range
// reads) on webgpu and on wasm, and its logits and greedy tokens must match the float64 reference.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXPECTED_URL, FIXTURE_URL, assert, callApi, openApp } from './helpers.mjs';
import { test } from './fixtures.mjs';

const readExpected = (repoRoot) =>
  JSON.parse(readFileSync(path.resolve(repoRoot, 'fixtures/qwen2-tiny/expected.json'), 'utf8'));

/** Max |a - b|; an empty or unequal-length pair is a failure, not an error of -Infinity. */
function maxAbsDiff(a, b, what) {
  assert.ok(Array.isArray(a) && Array.isArray(b), `${what}: not two lists`);
  assert.ok(b.length > 0, `${what}: the reference is empty`);
  assert.equal(a.length, b.length, `${what}: ${a.length} values vs ${b.length} in the reference`);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

const TOL = 1e-4;

for (const backend of ['webgpu', 'wasm']) {
  test(`parity: ${backend} logits and greedy ids match the reference`, async ({ page, baseUrl, repoRoot }) => {
    test.setTimeout(90_000);
    const expected = readExpected(repoRoot).greedy;
    await openApp(page, baseUrl);
    const info = await callApi(page, 'init', backend);
    assert.equal(info.backend, backend, `asked for ${backend}, got ${info.backend}`);
    const r = await callApi(page, 'parity', FIXTURE_URL, EXPECTED_URL);
    // The greedy log-probabilities are compared here, against the fixture read from disk, not with
    // the error the app computed; the forward errors are the app's (the logits stay in the worker).
    const greedyErr = maxAbsDiff(r.greedyLogprobs, expected.chosen_logprobs, 'greedy logprobs');
    console.log(
      `     ${backend}${info.adapter ? ` [${info.adapter}]` : ''}: right ${r.rightPadded.toExponential(2)}, left ${r.leftPadded.toExponential(2)}, greedy logprob err ${greedyErr.toExponential(2)}, ${r.ms} ms`,
    );
    assert.ok(r.rightPadded <= TOL, `right-padded max abs logit error ${r.rightPadded} > ${TOL}`);
    assert.ok(r.leftPadded <= TOL, `left-padded max abs logit error ${r.leftPadded} > ${TOL}`);
    assert.ok(expected.generated_ids.length > 0, 'the fixture has greedy ids');
    assert.deepEqual(r.greedyIds, expected.generated_ids, 'greedy ids differ from the reference');
    assert.ok(greedyErr <= TOL, `greedy logprob error ${greedyErr} > ${TOL}`);
    const mem = await callApi(page, 'memory');
    assert.equal(mem.numTensors, 0, `parity left ${mem.numTensors} tensors alive`);
  });
}

test('load from URL + generate(ids) reproduces the greedy reference (wasm)', async ({ page, baseUrl, repoRoot }) => {
  test.setTimeout(60_000);
  const expected = readExpected(repoRoot).greedy;
  await openApp(page, baseUrl);
  await callApi(page, 'init', 'wasm');
  const info = await callApi(page, 'loadModelFromUrl', new URL(FIXTURE_URL, baseUrl).href);
  assert.equal(info.vocabSize, 256);
  assert.equal(info.numLayers, 2);
  assert.equal(info.tokenizer, 'bytes', 'a vocab-256 model without tokenizer.json gets the byte tokenizer');
  const g = await callApi(page, 'generate', {
    ids: expected.prompt_ids,
    maxNewTokens: expected.num_new_tokens,
    greedy: true,
    stopAtEos: false,
  });
  assert.deepEqual(g.ids, expected.generated_ids);
  assert.deepEqual(g.promptIds, expected.prompt_ids);
  const lpErr = maxAbsDiff(g.logprobs, expected.chosen_logprobs, 'greedy logprobs');
  assert.ok(lpErr <= TOL, `logprob error ${lpErr}`);
});
