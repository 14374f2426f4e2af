// `warmup generate` and --model resolution: greedy parity with the qwen2-tiny fixture through the
// real CLI, presets (param counts, tokenizer), and the errors for bad --model / --prompt input.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { parsePromptIds } from '../src/commands/generate.ts';
import { listPresets, readPreset, resolveModel } from '../src/model-spec.ts';

const root = path.resolve(__dirname, '../../..');
const FIXTURE = path.resolve(root, 'fixtures/qwen2-tiny');
const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));
const bin = path.join(root, 'apps/cli/bin/warmup.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'generate', ...args], { cwd: root, encoding: 'utf8' });

describe('warmup generate (CLI)', () => {
  it('greedy from the fixture folder reproduces the expected ids and log-probabilities', () => {
    const g = expected.greedy;
    const r = cli(
      '--model',
      FIXTURE,
      '--prompt-ids',
      JSON.stringify(g.prompt_ids),
      '--greedy',
      '--max-new-tokens',
      String(g.num_new_tokens),
      '--json',
      '--backend',
      'cpu',
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ids).toEqual(g.generated_ids);
    expect(out.text).toBeUndefined(); // the fixture has no tokenizer
    expect(out.logprobs).toHaveLength(g.num_new_tokens);
    out.logprobs.forEach((lp: number, i: number) => expect(Math.abs(lp - g.chosen_logprobs[i])).toBeLessThan(1e-4));
  });

  it('--prompt on a model without a tokenizer exits 2 and says why', () => {
    const r = cli('--model', FIXTURE, '--prompt', 'hello', '--backend', 'cpu');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no tokenizer.*--prompt-ids/);
    expect(r.stdout).toBe('');
  });
});

describe('--model resolution', () => {
  beforeAll(async () => {
    await useNodeBackend('cpu');
  });

  it('lists the presets and reads their configs', () => {
    expect(listPresets()).toEqual(expect.arrayContaining(['tiny', 'qwen-tiny', 'qwen-10m']));
    const tiny = readPreset('tiny')!;
    const fixtureConfig = JSON.parse(readFileSync(path.join(FIXTURE, 'config.json'), 'utf8'));
    expect(tiny.tokenizer).toBe('none');
    expect(tiny.config.vocabSize).toBe(fixtureConfig.vocab_size);
    expect(tiny.config.numLayers).toBe(fixtureConfig.num_hidden_layers);
    expect(readPreset('qwen-tiny')!.config.vocabSize).toBe(151936);
    const n = countParameters(readPreset('qwen-10m')!.config);
    expect(n).toBeGreaterThan(9.5e6);
    expect(n).toBeLessThan(10.5e6);
    expect(readPreset('../package')).toBeUndefined();
  });

  it('a preset becomes a seeded model; an unknown name lists the presets', async () => {
    const a = await resolveModel('tiny', { seed: 3 });
    const b = await resolveModel('tiny', { seed: 3 });
    expect(a.tokenizer).toBeUndefined();
    expect(a.name).toBe('tiny');
    expect(a.source).toMatch(/preset tiny \(seed 3/);
    const wa = await a.model.p('model.embed_tokens.weight').data();
    const wb = await b.model.p('model.embed_tokens.weight').data();
    expect(Array.from(wa.slice(0, 8))).toEqual(Array.from(wb.slice(0, 8)));
    a.model.dispose();
    b.model.dispose();
    await expect(resolveModel('no-such-model')).rejects.toThrow(
      /not a folder or preset: no-such-model; presets: .*qwen-tiny/,
    );
  });

  it('--prompt-ids must be a non-empty JSON array of ids inside the vocabulary', () => {
    expect(parsePromptIds('[1, 2, 3]', 256)).toEqual([1, 2, 3]);
    expect(() => parsePromptIds('1,2', 256)).toThrow(/--prompt-ids must be a JSON array/);
    expect(() => parsePromptIds('[]', 256)).toThrow(/non-empty/);
    expect(() => parsePromptIds('[1.5]', 256)).toThrow(/integers/);
    expect(() => parsePromptIds('[256]', 256)).toThrow(/outside the vocabulary/);
  });
});
