// `warmup init` (random checkpoints with real Qwen2.5 configs) and the memory gate of `warmup plan`
// and `generate`: refusal before loading, exit code 2, one line naming what would fit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countParameters } from '@warmup/core';
import { initCheckpoint } from '../src/commands/init.ts';
import { readPreset } from '../src/model-spec.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(root, 'apps/cli/bin/warmup.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: os.tmpdir() },
  });

describe('warmup init', () => {
  it("has Qwen2.5's published parameter counts", () => {
    expect(countParameters(readPreset('qwen2.5-0.5b')!.config)).toBe(494_032_768);
    expect(countParameters(readPreset('qwen2.5-1.5b')!.config)).toBe(1_543_714_304);
    expect(countParameters(readPreset('qwen2.5-3b')!.config)).toBe(3_085_938_688);
  });

  it('writes config, weights, generation config and the Qwen tokenizer; refuses a non-empty folder', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'warmup-init-')), 'ckpt');
    const r = await initCheckpoint({ config: 'qwen-10m', out: dir, dtype: 'bf16', seed: 1 });
    expect(r.parameters).toBe(9_970_752);
    expect(r.bytes).toBe(2 * 9_970_752);
    expect(readdirSync(dir).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).torch_dtype).toBe('bfloat16');
    await expect(initCheckpoint({ config: 'qwen-10m', out: dir })).rejects.toThrow(/not empty; pass --force/);
    const again = run('init', '--config', 'tiny', '--out', dir);
    expect(again.status).toBe(2);
    // --force replaces it; a config.json path works like a preset.
    const cfg = path.join(path.dirname(dir), 'config.json');
    writeFileSync(cfg, JSON.stringify(readPreset('tiny')!.config.raw));
    const forced = await initCheckpoint({ config: cfg, out: dir, force: true, dtype: 'f32' });
    expect(forced.parameters).toBe(109_120);
    expect(forced.tokenizer).toBe(false); // 256-token vocabulary: the Qwen tokenizer does not fit
    expect(existsSync(path.join(dir, 'tokenizer.json'))).toBe(false);
  });

  it('leaves nothing behind when writing fails half-way', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'warmup-init-'));
    const dir = path.join(parent, 'ckpt');
    await expect(
      initCheckpoint({
        config: 'tiny',
        out: dir,
        onProgress: (done, total) => {
          if (done > total / 2) throw new Error('disk full (simulated)');
        },
      }),
    ).rejects.toThrow(/disk full/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('rejects an unknown config with exit code 2', () => {
    const r = run('init', '--config', 'qwen9-7b', '--out', path.join(os.tmpdir(), 'never-written'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--config: not a preset or a config.json file: qwen9-7b/);
  });
});

describe('memory gate', () => {
  it('refuses generate on wasm for a 0.5B config before loading, and names a backend that fits', () => {
    // A folder with only config.json: the gate must decide from the config alone.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'warmup-plan-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(readPreset('qwen2.5-0.5b')!.config.raw));
    const r = run('generate', '--model', dir, '--backend', 'wasm', '--prompt-ids', '[1,2,3]', '--max-new-tokens', '4');
    expect(r.status).toBe(2);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(/generate on wasm does not fit in memory: needs about 4\.\d+ GiB but 4\.00 GiB/);
    expect(r.stderr).toMatch(/would fit: --backend cpu/);
    expect(r.stdout).toBe('');
  });

  it('plan prints the table and verdict; small models fit', () => {
    const r = run(
      'plan',
      '--model',
      'qwen-10m',
      '--command',
      'sft',
      '--backend',
      'wasm',
      '--batch-size',
      '2',
      '--max-seq-len',
      '256',
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| adamw moments \|/);
    expect(r.stdout).toMatch(/→ fits/);
    const big = run('plan', '--model', 'qwen2.5-0.5b', '--command', 'sft', '--backend', 'wasm', '--json');
    const j = JSON.parse(big.stdout);
    expect(j.fits).toBe(false);
    expect(j.message).toMatch(/sft on wasm does not fit/);
  });
});
