// The evaluations behind models/warmup-base/README.md, in one place: the card's table (the same evals the
// default pipeline runs on its base arm) and a small slice that test/warmup-base-card.test.ts reruns.
// Run: `bash scripts/eval-warmup-base.sh [model] [out] [figures.json]` writes the figures JSON.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');

export interface EvalSpec {
  /** 'card': the model card's table; 'slice': the small set the test reruns. */
  set: 'card' | 'slice';
  domain: 'mcq' | 'math' | 'code';
  count: number;
  samples: number;
}

/** The sampling settings of the default pipeline's evaluation (toy-experiment.ts), one wasm process. */
export const EVAL_FLAGS = [
  '--temperature',
  '0.7',
  '--top-p',
  '0.95',
  '--max-new-tokens',
  '128',
  '--batch-size',
  '40',
  '--seed',
  '0',
  '--backend',
  'wasm',
  '--prompt-style',
  'r1',
];

export const EVALS: EvalSpec[] = [
  { set: 'card', domain: 'mcq', count: 20, samples: 4 },
  { set: 'card', domain: 'math', count: 16, samples: 2 },
  { set: 'card', domain: 'code', count: 16, samples: 2 },
  { set: 'slice', domain: 'mcq', count: 8, samples: 2 },
  { set: 'slice', domain: 'math', count: 8, samples: 2 },
];

export interface EvalFigures extends EvalSpec {
  completions: number;
  correct: number;
  format_ok: number;
  pass1: number;
  pass1_std: number;
  passk: Record<string, number>;
}

function cli(args: string[]): void {
  const r = spawnSync('node', [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`warmup ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
}

/** The test split of the domain (seed 0), then `warmup eval` on it; returns the figures of the run. */
export function runEval(spec: EvalSpec, model: string, out: string): EvalFigures {
  const dir = path.join(out, spec.set, spec.domain);
  mkdirSync(dir, { recursive: true });
  const data = path.join(dir, 'test.jsonl');
  const count = String(spec.count);
  cli(['toy', 'generate', '--domain', spec.domain, '--split', 'test', '--count', count, '--seed', '0', '--out', data]);
  const evalDir = path.join(dir, 'eval');
  const limit = ['--limit', count, '--samples', String(spec.samples)];
  cli(['eval', '--model', model, '--task', spec.domain, '--data', data, ...limit, ...EVAL_FLAGS, '--out', evalDir]);
  return summarize(spec, evalDir);
}

export function summarize(spec: EvalSpec, evalDir: string): EvalFigures {
  const report = JSON.parse(readFileSync(path.join(evalDir, 'report.json'), 'utf8')) as {
    pass1: { mean: number; std: number };
    passk: Record<string, number>;
  };
  const rows = readFileSync(path.join(evalDir, 'completions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { correct: boolean; format_ok: boolean });
  return {
    ...spec,
    completions: rows.length,
    correct: rows.filter((r) => r.correct).length,
    format_ok: rows.filter((r) => r.format_ok).length,
    pass1: report.pass1.mean,
    pass1_std: report.pass1.std,
    passk: report.passk,
  };
}

/** Which weights the figures belong to: the test refuses figures of other weights. */
export function weightsSha256(model: string): string {
  return createHash('sha256')
    .update(readFileSync(path.join(model, 'model.safetensors')))
    .digest('hex');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const model = path.resolve(process.argv[2] ?? path.join(ROOT, 'models/warmup-base'));
  const out = path.resolve(process.argv[3] ?? path.join(ROOT, 'runs/warmup-base-card'));
  const figuresFile = path.resolve(process.argv[4] ?? path.join(model, 'eval.json'));
  const evals = EVALS.map((spec) => {
    const f = runEval(spec, model, out);
    process.stdout.write(
      `${f.set} ${f.domain} ${f.count} x ${f.samples}: pass@1 ${(100 * f.pass1).toFixed(1)}% ± ${(100 * f.pass1_std).toFixed(1)}, format ok ${f.format_ok}/${f.completions}\n`,
    );
    return f;
  });
  const figures = {
    command: 'bash scripts/eval-warmup-base.sh',
    model_sha256: weightsSha256(model),
    flags: EVAL_FLAGS,
    date: new Date().toISOString().slice(0, 10),
    evals,
  };
  writeFileSync(figuresFile, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`figures in ${figuresFile}\n`);
}
