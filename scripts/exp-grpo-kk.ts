// Experiment: GRPO on 100 two-person K&K puzzles, starting from a warmed-up checkpoint that
// already solves some of them. Writes docs/grpo-kk.md: reward curve, first vs last 20% of steps,
// and the wall-time split between generation and optimisation.
// Usage: npx tsx scripts/exp-grpo-kk.ts [--from runs/exp-warmup-kk-names/kk-small-wasm/final] [--names Zoey,Oliver,Mia] [--steps 100]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { curveSvg } from '@warmup/eval';
import { generateKkPuzzles, kkToJsonl } from '@warmup/tasks';

const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const ROOT = path.resolve(import.meta.dirname, '..');
const from = path.resolve(ROOT, arg('from', 'runs/exp-warmup-kk-names/kk-small-wasm/final'));
const steps = Number(arg('steps', '100'));
const backend = arg('backend', 'wasm');
const namesArg = arg('names', '');
const names = namesArg ? namesArg.split(',') : undefined;
if (!existsSync(path.join(from, 'config.json'))) {
  console.error(`--from ${from}: no model folder; run scripts/exp-warmup-kk.ts first`);
  process.exit(2);
}
const out = path.join(ROOT, 'runs', 'exp-grpo-kk');
mkdirSync(out, { recursive: true });
const data = path.join(out, 'kk2-100.jsonl');
writeFileSync(data, kkToJsonl(generateKkPuzzles({ people: [2], count: 100, seed: 7, names })));
const runDir = path.join(out, `run-${backend}`);
const cmd = [
  'apps/cli/bin/warmup.js',
  'grpo',
  '--model',
  from,
  '--task',
  'kk',
  '--data',
  data,
  '--out',
  runDir,
  '--backend',
  backend,
  '--max-steps',
  String(steps),
  '--prompts-per-step',
  '2',
  '--num-generations',
  '8',
  '--max-completion-length',
  '160',
  '--temperature',
  '0.7',
  '--top-p',
  '1',
  '--lr',
  '1e-4',
  '--schedule',
  'constant_with_warmup',
  '--warmup-steps',
  '5',
  '--weight-decay',
  '0',
  '--max-grad-norm',
  '1',
  '--loss-type',
  // Sum over the step's tokens / their number; this run's page calls it by its old name, bnpo.
  'dapo',
  '--beta',
  '0',
  '--checkpoint-every',
  '25',
  '--seed',
  '1',
];
console.log(`$ node ${cmd.join(' ')}`);
const t0 = Date.now();
const r = spawnSync('node', cmd, { cwd: ROOT, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const wall = (Date.now() - t0) / 1000;

const m = readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, number>);
const fifth = Math.max(1, Math.round(m.length / 5));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const firstR = mean(m.slice(0, fifth).map((x) => x.reward));
const lastR = mean(m.slice(-fifth).map((x) => x.reward));
const firstC = mean(m.slice(0, fifth).map((x) => x.correct_frac));
const lastC = mean(m.slice(-fifth).map((x) => x.correct_frac));
const gen = m.reduce((a, x) => a + x.gen_s, 0);
const opt = m.reduce((a, x) => a + x.opt_s, 0);
const rew = m.reduce((a, x) => a + x.reward_s, 0);
const smooth = (k: string) =>
  m.map((x, i) => ({ x: x.step, y: mean(m.slice(Math.max(0, i - 9), i + 1).map((y) => y[k])) }));
const docs = path.join(ROOT, 'docs');
writeFileSync(
  path.join(docs, 'grpo-kk-reward.svg'),
  curveSvg('GRPO on 100 two-person K&K puzzles', 'step', 'reward (10-step mean)', [
    { name: 'reward mean', points: smooth('reward') },
  ]),
);
writeFileSync(
  path.join(docs, 'grpo-kk-correct.svg'),
  curveSvg(
    'GRPO: share of correct completions',
    'step',
    'fraction (10-step mean)',
    [
      { name: 'correct', points: smooth('correct_frac') },
      { name: 'zero-variance groups', points: smooth('frac_reward_zero_std'), dashed: true },
    ],
    [0, 1],
  ),
);
writeFileSync(
  path.join(docs, 'grpo-kk.md'),
  `# GRPO on K&K from a warmed-up checkpoint

Produced by \`npx tsx scripts/exp-grpo-kk.ts --steps ${steps} --backend ${backend}${namesArg ? ` --names ${namesArg}` : ''}\` on ${new Date().toISOString().slice(0, 10)} (2-core machine, no GPU),
starting from \`${path.relative(ROOT, from)}\` (the model of [warmup-kk-names.md](warmup-kk-names.md), which already solves some
two-person puzzles). 100 two-person puzzles, 2 prompts × G = 8 completions per step, temperature 0.7, paper reward
(format gate −2, correct +2, wrong −0.5, unparseable −1), β = 0, dapo loss (sum over the step's tokens / their number; called bnpo before TRL's names were adopted), lr 1e-4 (constant after 5 warmup steps).

| | first 20% of steps | last 20% of steps |
|---|---|---|
| mean reward | ${firstR.toFixed(3)} | ${lastR.toFixed(3)} |
| correct completions | ${(firstC * 100).toFixed(1)}% | ${(lastC * 100).toFixed(1)}% |

Wall time ${(wall / 60).toFixed(1)} min for the command: generation ${gen.toFixed(0)} s (${((100 * gen) / (gen + opt + rew)).toFixed(0)}%),
optimisation ${opt.toFixed(0)} s (${((100 * opt) / (gen + opt + rew)).toFixed(0)}%), reward computation ${rew.toFixed(1)} s.
Mean completion length ${mean(m.map((x) => x['completions/mean_length'])).toFixed(0)} tokens; ${(100 * mean(m.map((x) => x['completions/clipped_ratio']))).toFixed(1)}% truncated.

\`\`\`
node ${cmd.join(' ').replaceAll(ROOT + '/', '')}
\`\`\`

![reward](grpo-kk-reward.svg)
![correct](grpo-kk-correct.svg)
`,
);
console.log(
  `first 20%: ${firstR.toFixed(3)}, last 20%: ${lastR.toFixed(3)}; gen ${gen.toFixed(0)} s, opt ${opt.toFixed(0)} s; wrote docs/grpo-kk.md`,
);
