// The shipped base's model card is reproducible: the small slice of scripts/eval-warmup-base.ts (same
// commands, seeds and sampling as the card's table) gives the figures that the script wrote beside the
// weights in models/warmup-base/eval.json, and the base never passes the R1 format gate.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVALS, type EvalFigures, ROOT, runEval, weightsSha256 } from '../scripts/eval-warmup-base.ts';

const MODEL = path.join(ROOT, 'models/warmup-base');
const figures = JSON.parse(readFileSync(path.join(MODEL, 'eval.json'), 'utf8')) as {
  model_sha256: string;
  evals: EvalFigures[];
};

describe('models/warmup-base model card', () => {
  it('eval.json belongs to the shipped weights (rerun scripts/eval-warmup-base.sh after changing them)', () => {
    expect(figures.model_sha256).toBe(weightsSha256(MODEL));
    for (const spec of EVALS)
      expect(figures.evals.some((f) => f.set === spec.set && f.domain === spec.domain && f.count === spec.count)).toBe(
        true,
      );
  });

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-base-card-'));
  for (const spec of EVALS.filter((s) => s.set === 'slice'))
    it(`${spec.domain} slice (${spec.count} x ${spec.samples}, wasm, seed 0) reproduces eval.json`, () => {
      const want = figures.evals.find((f) => f.set === 'slice' && f.domain === spec.domain);
      if (!want) throw new Error(`eval.json has no ${spec.domain} slice: rerun scripts/eval-warmup-base.sh`);
      const got = runEval(spec, MODEL, tmp);
      expect(got.completions).toBe(want.completions);
      // Seeded sampling on wasm repeats exactly on one machine; another CPU may round one near-tie
      // the other way, which can flip at most a completion or so, never the figure's size.
      expect(Math.abs(got.correct - want.correct)).toBeLessThanOrEqual(1);
      expect(Math.abs(got.pass1 - want.pass1)).toBeLessThanOrEqual(1 / spec.count / spec.samples + 1e-9);
      // the card's premise: the base does not know the <think></think><answer></answer> format
      expect(got.format_ok).toBe(0);
      expect(want.format_ok).toBe(0);
    });
});
