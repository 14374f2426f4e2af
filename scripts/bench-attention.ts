// Times one layer of the fused attention (forward + backward, causal mask) with the causal tile
// skipping on and off, interleaved in one process, by this process's CPU time (steadier than wall
// time on a shared machine). Usage: npx tsx scripts/bench-attention.ts [--rounds N] [--backend wasm]
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '@warmup/node';
import { fusedAttention, setAttentionTileSkip } from '../packages/core/src/fused-attention.ts';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const rounds = Number(arg('rounds', '7'));
const backendName = arg('backend', 'wasm');
if (!(Number.isInteger(rounds) && rounds > 0)) {
  console.error(`--rounds must be a positive integer, got ${arg('rounds', '')}`);
  process.exit(2);
}
if (backendName !== 'wasm' && backendName !== 'cpu') {
  console.error(`--backend must be wasm or cpu, got ${backendName}`);
  process.exit(2);
}
await useNodeBackend(backendName);

// The attention shapes of bench-train's two presets (one layer).
const shapes = [
  { name: 'peer-1.8m (B 8, T 128, 3 heads, hd 64)', B: 8, T: 128, H: 3, KV: 3, hd: 64 },
  { name: 'kk-10m (B 4, T 128, 6 heads on 2 kv, hd 64)', B: 4, T: 128, H: 6, KV: 2, hd: 64 },
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

console.log(`fused attention, one layer forward + backward, ${backendName}, ${rounds} interleaved rounds, CPU ms`);
console.log('| shape | every tile | causal tiles skipped | skipped ÷ every |');
console.log('|---|---:|---:|---:|');
for (const s of shapes) {
  const q = tf.randomNormal([s.B, s.T, s.H, s.hd], 0, 1, 'float32', 1) as tf.Tensor4D;
  const k = tf.randomNormal([s.B, s.KV, s.T, s.hd], 0, 1, 'float32', 2) as tf.Tensor4D;
  const v = tf.randomNormal([s.B, s.KV, s.T, s.hd], 0, 1, 'float32', 3) as tf.Tensor4D;
  const m = new Float32Array(s.B * s.T * s.T);
  for (let b = 0; b < s.B; b++)
    for (let t = 0; t < s.T; t++) for (let u = t + 1; u < s.T; u++) m[(b * s.T + t) * s.T + u] = -1e9;
  const mask = tf.tensor4d(m, [s.B, 1, s.T, s.T]);
  const once = (skip: boolean): number => {
    setAttentionTileSkip(skip);
    const t0 = cpuMs();
    const g = tf.grads((a, b, c) => tf.sum(fusedAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, mask)))(
      [q, k, v],
    );
    g.forEach((x) => x.dataSync());
    tf.dispose(g);
    return cpuMs() - t0;
  };
  once(false);
  once(true); // warm-up
  const full: number[] = [];
  const skipped: number[] = [];
  for (let r = 0; r < rounds; r++) {
    full.push(once(false));
    skipped.push(once(true));
  }
  const [a, b] = [median(full), median(skipped)];
  console.log(`| ${s.name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
  tf.dispose([q, k, v, mask]);
}
setAttentionTileSkip(true);
