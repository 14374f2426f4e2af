// Timings of the guards that unit tests check only for behaviour (wall-clock limits do not belong
// in unit tests on a shared machine): the math verifier on inputs built to be slow and on a huge
// list (its CAS budget), and the Node code sandbox stopping an infinite loop and a fork bomb.
// Usage: npx tsx scripts/bench-guards.ts      (prints one line per guard, with its budget)
import { loadCas, MathEquivalence } from '@warmup/tasks';
import { PythonSandbox } from '@warmup/node';

const time = async (label: string, budgetMs: number, f: () => unknown | Promise<unknown>): Promise<void> => {
  const t0 = performance.now();
  const out = await f();
  const ms = performance.now() - t0;
  console.log(
    `${label}: ${ms.toFixed(0)} ms (budget ${budgetMs} ms${ms > budgetMs ? ', OVER' : ''}) -> ${JSON.stringify(out)}`,
  );
};

const eq = new MathEquivalence(await loadCas());
await time('math: 2 vs 2^{2^{2^{10}}}, 1 vs 10^{10^{10}}, 1 vs x*5000', 3000, () => [
  eq.texts('2', '2^{2^{2^{10}}}'),
  eq.texts('1', '10^{10^{10}}'),
  eq.texts('1', 'x'.repeat(5000)),
]);
const many = Array.from({ length: 300 }, (_, i) => `\\sqrt{${i + 2}}x^{${i}}`).join(', ');
const shuffled = Array.from({ length: 300 }, (_, i) => `\\sqrt{${301 - i}}x^{${299 - i}}+1`).join(', ');
await time('math: two 300-element lists (CAS budget)', 8000, () => eq.texts(many, shuffled));

const sandbox = new PythonSandbox();
await time('sandbox: infinite loop, limit 1500 ms', 4000, async () => {
  const r = await sandbox.run('while True:\n    pass\n', 1500);
  return { timedOut: r.timedOut, ok: r.ok };
});
await time('sandbox: fork bomb, limit 2000 ms', 6000, async () => {
  const r = await sandbox.run(
    'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n',
    2000,
  );
  return { timedOut: r.timedOut, ok: r.ok };
});
