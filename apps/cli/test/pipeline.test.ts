// `warmup pipeline` end to end with minimal settings: four evaluated arms, a comparison table,
// and a re-run that skips every finished stage.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');

describe('warmup pipeline', () => {
  it('runs base, warmup, base+RLVR and warmup+RLVR, compares them, and resumes', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'warmup-pipe-')), 'p');
    const args = [
      BIN,
      'pipeline',
      '--backend',
      'wasm',
      '--out',
      out,
      '--sft-steps',
      '3',
      '--grpo-steps',
      '1',
      '--eval-limit',
      '3',
      '--samples',
      '2',
      '--max-new-tokens',
      '12',
      '--warmup-count',
      '20',
      '--target-limit',
      '6',
    ];
    const r = spawnSync('node', args, { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const arms = ['base', 'warmup', 'base-rlvr', 'warmup-rlvr'];
    for (const a of arms) {
      const rep = JSON.parse(readFileSync(path.join(out, 'eval', a, 'report.json'), 'utf8'));
      expect(rep.questions).toBe(3);
      expect(rep.samples).toBe(2);
    }
    expect(r.stdout).toMatch(/\| metric .*\| base \| warmup \| base-rlvr \| warmup-rlvr \|/);
    expect(existsSync(path.join(out, 'warmup', 'final', 'model.safetensors'))).toBe(true);
    const again = spawnSync('node', args, { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stderr.match(/done already/g)?.length).toBe(7);
    expect(again.stdout).toBe(r.stdout);
  });

  it('rejects a missing target data file for a non-K&K task', () => {
    const r = spawnSync('node', [BIN, 'pipeline', '--target-task', 'math'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--target-data is required/);
  });
});
