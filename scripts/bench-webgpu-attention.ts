// Attention alone on webgpu: forward + backward of one layer with the WGSL programs
// (webgpu-attention.ts) against the unfused TF.js ops model.ts runs otherwise, alternating, each
// timed to its result's download (wall and this process's CPU time, which counts llvmpipe's threads).
// Usage: npx tsx scripts/bench-webgpu-attention.ts [--batch 8] [--seq 128] [--heads 3] [--kv-heads 3] [--head-dim 64] [--rounds 5]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '@warmup/node';
import { webgpuAttention } from '../packages/core/src/webgpu-attention.ts';

/** model.ts's unfused path: query heads grouped by kv head, batched matmuls, softmax. */
function unfused(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor2D {
  const [B, T, H, hd] = q.shape;
  const [, KV, S] = k.shape;
  const rep = H / KV;
  const qs = tf.reshape(tf.mul(q, 1 / Math.sqrt(hd)), [B, T, KV, rep, hd]);
  const qg = tf.reshape(tf.transpose(qs, [0, 2, 3, 1, 4]), [B, KV, rep * T, hd]);
  const scores = tf.reshape(tf.matMul(qg, k, false, true), [B, H, T, S]);
  const probs = tf.reshape(tf.softmax(tf.add(scores, mask)), [B, KV, rep * T, S]);
  const ctx5 = tf.reshape(tf.matMul(probs, v), [B, KV, rep, T, hd]);
  return tf.reshape(tf.transpose(ctx5, [0, 3, 1, 2, 4]), [B * T, H * hd]) as tf.Tensor2D;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name}: ${JSON.stringify(raw)} is not a positive integer`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      batch: { type: 'string' },
      seq: { type: 'string' },
      heads: { type: 'string' },
      'kv-heads': { type: 'string' },
      'head-dim': { type: 'string' },
      rounds: { type: 'string' },
    },
  });
  const B = positiveInt('batch', a.batch, 8);
  const T = positiveInt('seq', a.seq, 128);
  const H = positiveInt('heads', a.heads, 3);
  const KV = positiveInt('kv-heads', a['kv-heads'], H);
  const hd = positiveInt('head-dim', a['head-dim'], 64);
  const rounds = positiveInt('rounds', a.rounds, 5);
  if (H % KV !== 0) {
    console.error(`--heads ${H} is not a multiple of --kv-heads ${KV}`);
    process.exit(2);
  }
  await useNodeBackend('webgpu');
  const m = new Float32Array(B * T * T);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) for (let s = 0; s < T; s++) m[(b * T + t) * T + s] = s <= t ? 0 : -1e9;
  const mask = tf.tensor4d(m, [B, 1, T, T]);
  const q = tf.randomNormal([B, T, H, hd], 0, 1, 'float32', 1) as tf.Tensor4D;
  const k = tf.randomNormal([B, KV, T, hd], 0, 1, 'float32', 2) as tf.Tensor4D;
  const v = tf.randomNormal([B, KV, T, hd], 0, 1, 'float32', 3) as tf.Tensor4D;
  const w = tf.randomNormal([B * T, H * hd], 0, 1, 'float32', 4);
  const step = async (f: typeof unfused): Promise<{ wall: number; cpu: number }> => {
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    const grads = tf.grads((x, y, z) =>
      tf.sum(tf.mul(f(x as tf.Tensor4D, y as tf.Tensor4D, z as tf.Tensor4D, mask), w)),
    )([q, k, v]);
    await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
    const c = process.cpuUsage(c0);
    return { wall: performance.now() - w0, cpu: (c.user + c.system) / 1000 };
  };
  const arms = { unfused, wgsl: webgpuAttention as typeof unfused };
  for (const f of Object.values(arms)) await step(f); // compile the pipelines
  const times: Record<string, { wall: number; cpu: number }[]> = { unfused: [], wgsl: [] };
  for (let r = 0; r < rounds; r++) for (const [name, f] of Object.entries(arms)) times[name].push(await step(f));
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  console.log(`attention forward + backward, B ${B}, T ${T}, H ${H}, KV ${KV}, hd ${hd}, causal; ${rounds} rounds`);
  for (const [name, ts] of Object.entries(times)) {
    const wall = ts.map((t) => t.wall);
    const cpu = ts.map((t) => t.cpu);
    console.log(
      `${name.padEnd(8)} wall median ${median(wall).toFixed(1)} ms (${wall.map((x) => x.toFixed(0)).join(', ')}), ` +
        `CPU median ${median(cpu).toFixed(1)} ms (${cpu.map((x) => x.toFixed(0)).join(', ')})`,
    );
  }
  tf.dispose([q, k, v, w, mask]);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
