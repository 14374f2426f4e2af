// `warmup pipeline` end to end with minimal settings: stage x/N lines, four evaluated arms on the
// target and a cross-domain task, a summary table with units, the no-learning-signal warning, a
// re-run that skips every finished stage, refusal (exit 2) of changed settings unless --force, and an
// interrupted training stage continued from its checkpoint.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { restartArgs, settingsDiff } from '../src/commands/pipeline.ts';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');

describe('warmup pipeline', () => {
  it('runs base, warmup, base+RLVR and warmup+RLVR on a toy domain, compares them, resumes, refuses changes', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'warmup-pipe-')), 'p');
    // toy-base is the shipped base's architecture with random weights: it never passes the format gate
    const args = [
      ...[
        BIN,
        'pipeline',
        '--model',
        'toy-base',
        '--backend',
        'wasm',
        '--out',
        out,
        '--sft-steps',
        '2',
        '--target-task',
        'math',
      ],
      ...['--grpo-steps', '1', '--eval-limit', '3', '--samples', '2', '--max-new-tokens', '8', '--warmup-count', '12'],
      ...['--target-limit', '4', '--cross-tasks', 'mcq', '--cross-limit', '2', '--cross-samples', '1'],
    ];
    const r = spawnSync('node', args, { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pipeline: stage 1\/12 · data/);
    expect(r.stderr).toMatch(
      /pipeline: stage 12\/12 · evaluate warmup-rlvr on mcq \(cross-domain\) · elapsed \d+:\d\d, ETA ~\d+:\d\d/,
    );
    expect(r.stderr).toMatch(/WARNING: base \+ RLVR .* had no learning signal/);
    for (const [dir, q, n] of [
      ['target', 3, 2],
      ['mcq', 2, 1],
    ] as const)
      for (const a of ['base', 'warmup', 'base-rlvr', 'warmup-rlvr']) {
        const rep = JSON.parse(readFileSync(path.join(out, 'eval', dir, a, 'report.json'), 'utf8'));
        expect(rep.questions).toBe(q);
        expect(rep.samples).toBe(n);
      }
    expect(r.stdout).toMatch(/\| arm \| math pass@1 \(%\) \| mcq pass@1 \(%\) \|/);
    expect(r.stdout).toMatch(/\| metric, unit \| base \| warmup \| base-rlvr \| warmup-rlvr \|/);
    expect(r.stdout).toMatch(/base-rlvr: 1 steps; .*100% of groups had zero reward variance.*NO LEARNING SIGNAL/);
    expect(existsSync(path.join(out, 'warmup', 'final', 'model.safetensors'))).toBe(true);
    expect(existsSync(path.join(out, 'eval', 'target', 'compare', 'passk.svg'))).toBe(true);

    const again = spawnSync('node', args, { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stderr.match(/done already/g)?.length).toBe(12);
    expect(again.stdout).toBe(r.stdout);

    const changed = spawnSync('node', [...args, '--sft-steps', '3'], { encoding: 'utf8' });
    expect(changed.status).toBe(2);
    expect(changed.stderr).toMatch(
      /other settings — warmup \(SFT on K&K traces\): --max-steps 2 → 3, --warmup-steps 2 → 3\. Pass --force/,
    );
    expect(existsSync(path.join(out, 'warmup', 'final', 'model.safetensors'))).toBe(true);

    // A stage interrupted after its checkpoint (no final/): other settings are refused, the same
    // settings continue it with --resume instead of failing on the folder the stage left.
    rmSync(path.join(out, 'warmup-rlvr', 'final'), { recursive: true });
    const other = spawnSync('node', [...args, '--grpo-steps', '2'], { encoding: 'utf8' });
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/finished or interrupted\) run with other settings — .*warmup \+ RLVR/);
    const resumed = spawnSync('node', args, { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /\(continuing the interrupted stage from its checkpoint\)\n {2}\$ warmup grpo .*--resume\n/,
    );
    expect(resumed.stderr.match(/done already/g)?.length).toBe(11);
    expect(existsSync(path.join(out, 'warmup-rlvr', 'final', 'model.safetensors'))).toBe(true);
  }, 600_000);

  it('restarts an unfinished training stage from its checkpoint, or from scratch when it had none', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'warmup-restart-'));
    const withCkpt = path.join(root, 'a');
    mkdirSync(path.join(withCkpt, 'checkpoint'), { recursive: true });
    writeFileSync(path.join(withCkpt, 'checkpoint', 'trainer_state.json'), '{}');
    expect(restartArgs(withCkpt)).toEqual(['--resume']);
    expect(existsSync(withCkpt)).toBe(true);
    // a crash between the two renames of a checkpoint swap: only the previous copy, as *.old
    const midSwap = path.join(root, 'b');
    mkdirSync(path.join(midSwap, '.checkpoint.ready-1-2.old'), { recursive: true });
    writeFileSync(path.join(midSwap, '.checkpoint.ready-1-2.old', 'trainer_state.json'), '{}');
    expect(restartArgs(midSwap)).toEqual(['--resume']);
    expect(existsSync(path.join(midSwap, 'checkpoint', 'trainer_state.json'))).toBe(true);
    // stopped before its first checkpoint: the folder (metrics of a run that cannot resume) goes
    const noCkpt = path.join(root, 'c');
    mkdirSync(noCkpt);
    writeFileSync(path.join(noCkpt, 'metrics.jsonl'), '{"step":1}\n');
    expect(restartArgs(noCkpt)).toEqual([]);
    expect(existsSync(noCkpt)).toBe(false);
  });

  it('names what changed between two argument lists', () => {
    expect(settingsDiff(['sft', '--lr', '1', '--x', '2'], ['sft', '--lr', '3', '--x', '2', '--y'])).toEqual([
      '--lr 1 → 3',
      '--y (unset) → true',
    ]);
  });

  it('rejects a missing target data file for a non-toy task and an unknown cross-domain task', () => {
    const r = spawnSync('node', [BIN, 'pipeline', '--target-task', 'kk', '--target-data', 'nope.jsonl'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--target-data: no such file: nope\.jsonl/);
    const c = spawnSync('node', [BIN, 'pipeline', '--model', 'toy-base', '--cross-tasks', 'chess'], {
      encoding: 'utf8',
    });
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/--cross-tasks: "chess" is not a toy domain/);
  });
});
