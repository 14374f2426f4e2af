// Micro-benchmark of the host RMSNorm, add + RMSNorm and SwiGLU kernels against the TF.js op chains
// (forward + backward, CPU time of this process, interleaved rounds) at a model's activation shape.
// Usage: WARMUP_WASM_THREADS=1 npx tsx scripts/bench-norm-mlp.ts [--backend wasm] [--rows 1024] [--d 192] [--i 512] [--reps 20] [--rounds 5]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { setFusedNormMlp } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { addRmsNorm, rmsNorm, swiglu } from '../packages/core/src/fused-norm-mlp.ts';

const { values: v } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    rows: { type: 'string', default: '1024' },
    d: { type: 'string', default: '192' },
    i: { type: 'string', default: '512' },
    reps: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
  },
});
const [N, D, I, reps, rounds] = [v.rows, v.d, v.i, v.reps, v.rounds].map(Number);
await useNodeBackend(v.backend as 'wasm' | 'cpu');

const x = tf.randomNormal([N, D], 0, 1, 'float32', 1) as tf.Tensor2D;
const d = tf.randomNormal([N, D], 0, 1, 'float32', 2) as tf.Tensor2D;
const w = tf.randomNormal([D], 0, 1, 'float32', 3);
const gu = tf.randomNormal([N, 2 * I], 0, 2, 'float32', 4) as tf.Tensor2D;

const cases: Record<string, () => void> = {
  'add + RMSNorm': () => {
    tf.tidy(() => {
      const g = tf.grads((a, b, c) => {
        const { sum, normed } = addRmsNorm(a as tf.Tensor2D, b as tf.Tensor2D, c, 1e-6);
        return tf.add(tf.sum(sum), tf.sum(normed));
      })([x, d, w]);
      g[0].dataSync(); // (a typed array returned from tidy would be walked element by element)
    });
  },
  RMSNorm: () => {
    tf.tidy(() => {
      tf.grads((a, c) => tf.sum(rmsNorm(a as tf.Tensor2D, c, 1e-6)))([x, w])[0].dataSync();
    });
  },
  SwiGLU: () => {
    tf.tidy(() => {
      tf.grads((a) => tf.sum(swiglu(a as tf.Tensor2D)))([gu])[0].dataSync();
    });
  },
};

const cpuMs = (f: () => void): number => {
  const c = process.cpuUsage();
  for (let r = 0; r < reps; r++) f();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000 / reps;
};
const results: Record<string, { fused: number[]; unfused: number[] }> = {};
for (const name of Object.keys(cases)) {
  results[name] = { fused: [], unfused: [] };
  for (const on of [true, false]) {
    setFusedNormMlp(on);
    cases[name](); // warm-up
  }
}
for (let r = 0; r < rounds; r++)
  for (const name of Object.keys(cases))
    for (const on of r % 2 ? [false, true] : [true, false]) {
      setFusedNormMlp(on);
      results[name][on ? 'fused' : 'unfused'].push(cpuMs(cases[name]));
    }
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
console.log(
  `${v.backend}, rows ${N}, D ${D}, I ${I}: forward + backward, CPU ms per call (median of ${rounds} rounds of ${reps})`,
);
console.log('| op | op chain | host kernel | chain / kernel |\n|---|---:|---:|---:|');
for (const [name, r] of Object.entries(results)) {
  const [u, f] = [median(r.unfused), median(r.fused)];
  console.log(`| ${name} | ${u.toFixed(2)} | ${f.toFixed(2)} | ${(u / f).toFixed(2)}x |`);
}
