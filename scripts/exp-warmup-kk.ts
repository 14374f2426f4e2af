// Experiment: warm up a small model from scratch on K&K teacher traces (2–3 people) and track
// loss and held-out accuracy by step. Writes docs/warmup-kk.md and its charts.
// Usage: npx tsx scripts/exp-warmup-kk.ts [--steps 400] [--model kk-small] [--backend wasm]
//        [--style short|long|cases] [--names A,B,C] [--batch-size 8] [--grad-accum 1] [--lr 3e-3]
//        [--report-only]  (rewrite the page from a finished run without training again; a
//        hand-written **Reading.** paragraph at its end is kept)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { curveSvg } from '@warmup/eval';
import { generateKkPuzzles, kkToJsonl, makeKkSftRecords, seededSplit, type KkPuzzle } from '@warmup/tasks';
import { SFT_SCRATCH } from '@warmup/train/recipes';

const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const steps = arg('steps', '400');
const model = arg('model', 'kk-small');
const backend = arg('backend', 'wasm');
const style = arg('style', 'short') as 'short' | 'long' | 'cases';
const batchSize = arg('batch-size', '8');
const gradAccum = arg('grad-accum', '1');
const lr = arg('lr', String(SFT_SCRATCH.lr));
// Room for the longest trace of the style on 3-person puzzles (cases: up to ~840 tokens).
const maxNew = { short: 200, long: 1000, cases: 1000 }[style];
// --names A,B,C: fixed names (no copying from the prompt needed); default: the usual name list.
const namesArg = arg('names', '');
const names = namesArg ? namesArg.split(',') : undefined;
const ROOT = path.resolve(import.meta.dirname, '..');
// The first experiments (short traces, kk-small) keep their original slugs; other styles and models get a suffix.
const slug = `warmup-kk${names ? '-names' : ''}${style === 'short' ? '' : `-${style}`}${model === 'kk-small' ? '' : `-${model}`}`;
const out = path.join(ROOT, 'runs', `exp-${slug}`);
mkdirSync(out, { recursive: true });

// All 399 two-person puzzles exist; hold out 60 of each size, train on the rest.
const split = (ps: KkPuzzle[], seed: number) => seededSplit(ps, { seed, trainSize: ps.length - 60 });
const two = split(generateKkPuzzles({ people: [2], count: 399, seed: 1, names }), 1);
const three = split(generateKkPuzzles({ people: [3], count: 2000, seed: 1, names }), 2);
const train = [...two.train, ...three.train];
const heldOut = [...two.heldOut, ...three.heldOut];
const trainFile = path.join(out, 'train-sft.jsonl');
const evalFile = path.join(out, 'heldout-puzzles.jsonl');
writeFileSync(
  trainFile,
  makeKkSftRecords(train, 'r1', { style })
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n',
);
writeFileSync(evalFile, kkToJsonl(heldOut));
const namesNote = names
  ? `always ${names.join(', ')} in that order (\`--names\`), so the model need not first learn to copy names from the prompt.`
  : "drawn from the generator's 64-name list.";
// Chance: guessing each identity uniformly solves a puzzle with probability 2^-n.
const chance = heldOut.reduce((a, p) => a + 2 ** -p.n, 0) / heldOut.length;

const runDir = path.join(out, `${model}-${backend}`);
const cmd = [
  'apps/cli/bin/warmup.js',
  'sft',
  '--model',
  model,
  '--data',
  trainFile,
  '--out',
  runDir,
  '--backend',
  backend,
  '--max-steps',
  steps,
  '--batch-size',
  batchSize,
  '--grad-accum',
  gradAccum,
  '--lr',
  lr,
  '--schedule',
  'cosine',
  '--min-lr-ratio',
  '0.1',
  '--warmup-steps',
  '20',
  '--weight-decay',
  '0.01',
  '--max-grad-norm',
  '1',
  '--eval-fraction',
  '0.02',
  '--eval-every',
  String(Math.max(1, Math.round(Number(steps) / 5))),
  '--eval-data',
  evalFile,
  '--eval-count',
  '120',
  '--eval-max-new-tokens',
  String(maxNew),
  '--checkpoint-every',
  '100',
  '--seed',
  '1',
];
console.log(
  `train ${train.length} puzzles, held out ${heldOut.length} (chance ${(chance * 100).toFixed(1)}%)\n$ node ${cmd.join(' ')}`,
);
const reportOnly = process.argv.includes('--report-only');
const run = (args: string[]): void => {
  const r = spawnSync('node', args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!reportOnly) run(cmd);

// The final weights, greedy, on every held-out puzzle: accuracy per size against its chance level.
const evalDir = path.join(runDir, 'eval-final');
const evalCmd = [
  'apps/cli/bin/warmup.js',
  'eval',
  'run',
  '--model',
  path.join(runDir, 'final'),
  '--task',
  'kk',
  '--data',
  evalFile,
  '--samples',
  '1',
  '--temperature',
  '0',
  '--max-new-tokens',
  String(maxNew),
  '--backend',
  backend,
  '--out',
  evalDir,
];
// A fresh evaluation each time: `eval run` would resume a finished one, and the page reports its wall time.
rmSync(evalDir, { recursive: true, force: true });
const te = Date.now();
run(evalCmd);
const evalWall = (Date.now() - te) / 1000;
const sizeOf = new Map(heldOut.map((p) => [p.id, p.n]));
// Every graded id must be a held-out puzzle: a silent default would skew the by-size table and the p-value.
const peopleIn = (id: string): number => {
  const n = sizeOf.get(id);
  if (n === undefined) throw new Error(`${evalDir}: graded id ${id} is not one of the held-out puzzles`);
  return n;
};
const graded = readFileSync(path.join(evalDir, 'completions.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; correct: boolean; format_ok: boolean });
const bySize = [2, 3].map((n) => {
  const g = graded.filter((x) => peopleIn(x.id) === n);
  const correct = g.filter((x) => x.correct).length;
  return { n, correct, total: g.length, format: g.filter((x) => x.format_ok).length };
});
const finalCorrect = graded.filter((x) => x.correct).length;
// One-sided p-value of the guessing baseline: the chance that guessing every identity solves at
// least as many of these puzzles (a Poisson-binomial tail, exact by dynamic programming).
const guessTail = (probs: number[], k: number): number => {
  let dist = [1];
  for (const q of probs) dist = [...dist, 0].map((v, i) => v * (1 - q) + (i > 0 ? dist[i - 1] * q : 0));
  return dist.slice(k).reduce((a, b) => a + b, 0);
};
const pValue = guessTail(
  graded.map((x) => 2 ** -peopleIn(x.id)),
  finalCorrect,
);

const metrics = readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, number>);
const evals = metrics.filter((m) => m.eval_accuracy !== undefined);
// Smooth the per-step loss over 10 steps for the chart.
const smooth = metrics.map((m, i) => ({
  x: m.step,
  y: metrics.slice(Math.max(0, i - 9), i + 1).reduce((a, b) => a + b.loss, 0) / Math.min(i + 1, 10),
}));
const docs = path.join(ROOT, 'docs');
mkdirSync(docs, { recursive: true });
writeFileSync(
  path.join(docs, `${slug}-loss.svg`),
  curveSvg(`SFT loss, ${model} on ${backend}`, 'step', 'completion-token loss', [
    { name: 'train loss (10-step mean)', points: smooth },
    { name: 'held-out loss', points: evals.map((m) => ({ x: m.step, y: m.eval_loss })) },
  ]),
);
writeFileSync(
  path.join(docs, `${slug}-accuracy.svg`),
  curveSvg(
    'Held-out K&K puzzles (greedy)',
    'step',
    'fraction',
    [
      { name: 'accuracy', points: evals.map((m) => ({ x: m.step, y: m.eval_accuracy })) },
      { name: 'format ok', points: evals.map((m) => ({ x: m.step, y: m.eval_format_ok })) },
      {
        name: `chance (${(chance * 100).toFixed(1)}%)`,
        points: evals.map((m) => ({ x: m.step, y: chance })),
        dashed: true,
      },
    ],
    [0, 1],
  ),
);
const tps = metrics.reduce((a, m) => a + m.tokens, 0) / metrics.reduce((a, m) => a + m.step_s, 0);
const rows = evals.map(
  (m) =>
    `| ${m.step} | ${m.loss.toFixed(3)} | ${m.eval_loss?.toFixed(3) ?? '-'} | ${(m.eval_accuracy * 100).toFixed(1)}% | ${(m.eval_format_ok * 100).toFixed(1)}% | ${m.elapsed_s.toFixed(0)} s |`,
);
const page = path.join(docs, `${slug}.md`);
// --report-only regenerates the same results, so a hand-written reading below them is kept.
const reading =
  reportOnly && existsSync(page) ? (/\n\*\*Reading\.\*\*[\s\S]*$/.exec(readFileSync(page, 'utf8'))?.[0] ?? '') : '';
writeFileSync(
  page,
  `# Warmup from scratch on K&K teacher traces

Produced by \`npx tsx scripts/exp-warmup-kk.ts ${process.argv
    .slice(2)
    .filter((a) => a !== '--report-only')
    .join(' ')}\` on ${new Date().toISOString().slice(0, 10)}
(2-core machine, no GPU). The script generates the data, runs the command below, and writes this page.

- Model: preset \`${model}\` initialised from seed 1 (no pre-training), the shrunk Qwen tokenizer of models/kk-tokenizer.
- Data: ${train.length} puzzles with 2–3 people and the programmatic teacher's **${style}** traces (R1-style prompt);
  ${heldOut.length} held-out puzzles (60 per size) never seen in training.
- Names: ${namesNote}
- Held-out accuracy: greedy decoding, graded by the K&K verifier (all identities right). Chance — guessing every
  identity — is ${(chance * 100).toFixed(1)}%.
- Wall time: training ${(metrics[metrics.length - 1].elapsed_s / 60).toFixed(1)} min including the evaluations below, then
  ${(evalWall / 60).toFixed(1)} min for the final evaluation; ${tps.toFixed(0)} training tokens/s on ${backend}.

\`\`\`
node ${cmd.join(' ').replaceAll(ROOT + '/', '')}
\`\`\`

| step | train loss | held-out loss | held-out accuracy | format ok | elapsed |
|---|---|---|---|---|---|
${rows.join('\n')}

Final weights, greedy, all ${graded.length} held-out puzzles (\`node ${evalCmd.join(' ').replaceAll(ROOT + '/', '')}\`):

| people | correct | accuracy | chance | format ok |
|---|---|---|---|---|
${bySize.map((b) => `| ${b.n} | ${b.correct} / ${b.total} | ${((100 * b.correct) / b.total).toFixed(1)}% | ${(100 * 2 ** -b.n).toFixed(1)}% | ${((100 * b.format) / b.total).toFixed(1)}% |`).join('\n')}
| all | ${finalCorrect} / ${graded.length} | ${((100 * finalCorrect) / graded.length).toFixed(1)}% | ${(chance * 100).toFixed(1)}% | ${((100 * graded.filter((x) => x.format_ok).length) / graded.length).toFixed(1)}% |

Probability that guessing every identity solves at least ${finalCorrect} of these ${graded.length} puzzles: ${pValue < 1e-4 ? pValue.toExponential(1) : pValue.toFixed(4)} (one-sided, exact).

![loss](${slug}-loss.svg)
![accuracy](${slug}-accuracy.svg)
${reading}`,
);
console.log(
  `wrote docs/${slug}.md; final held-out accuracy ${finalCorrect}/${graded.length} (chance ${(chance * 100).toFixed(1)}%)`,
);
