// Parity in the browser: the worker loads the qwen2-tiny fixture over HTTP (urlSource, Range
// reads) on webgpu and on wasm, and its logits and greedy tokens must match the float64 reference.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXPECTED_URL, FIXTURE_URL, assert, callApi, openApp } from './helpers.mjs';

const TOL = 1e-4;

function parityCase(backend) {
  return {
    name: `parity: ${backend} logits and greedy ids match the reference`,
    timeoutMs: 90_000,
    async run({ page, baseUrl }) {
      await openApp(page, baseUrl);
      const info = await callApi(page, 'init', backend);
      assert.equal(info.backend, backend, `asked for ${backend}, got ${info.backend}`);
      const r = await callApi(page, 'parity', FIXTURE_URL, EXPECTED_URL);
      console.log(
        `     ${backend}${info.adapter ? ` [${info.adapter}]` : ''}: right ${r.rightPadded.toExponential(2)}, left ${r.leftPadded.toExponential(2)}, greedy logprob err ${r.greedyLogprobErr.toExponential(2)}, ${r.ms} ms`,
      );
      assert.ok(r.rightPadded <= TOL, `right-padded max abs logit error ${r.rightPadded} > ${TOL}`);
      assert.ok(r.leftPadded <= TOL, `left-padded max abs logit error ${r.leftPadded} > ${TOL}`);
      assert.deepEqual(r.greedyIds, r.expectedGreedyIds, 'greedy ids differ from the reference');
      assert.ok(r.greedyLogprobErr <= TOL, `greedy logprob error ${r.greedyLogprobErr} > ${TOL}`);
      const mem = await callApi(page, 'memory');
      assert.equal(mem.numTensors, 0, `parity left ${mem.numTensors} tensors alive`);
    },
  };
}

export const cases = [
  parityCase('webgpu'),
  parityCase('wasm'),
  {
    name: 'load from URL + generate(ids) reproduces the greedy reference (wasm)',
    timeoutMs: 60_000,
    async run({ page, baseUrl, repoRoot }) {
      const expected = JSON.parse(
        readFileSync(path.resolve(repoRoot, 'fixtures/qwen2-tiny/expected.json'), 'utf8'),
      ).greedy;
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
      const lpErr = Math.max(...g.logprobs.map((x, i) => Math.abs(x - expected.chosen_logprobs[i])));
      assert.ok(lpErr <= TOL, `logprob error ${lpErr}`);
    },
  },
];
