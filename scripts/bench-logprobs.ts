// Benchmark: the token log-prob / cross-entropy op alone (forward + backward of tokenLogprobs at the
// shapes an SFT step gives it), host loops against the TF.js chain, interleaved in one process; CPU
// ms of this process per call (steadier than wall time on a shared machine), medians.
// Usage: npx tsx scripts/bench-logprobs.ts [--rounds 5] [--backends wasm,cpu] [--shapes peer,kk10m,qwen10m]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, setFusedLogprobs, tokenLogprobs } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';

// Rows = the loss tokens of the bench-train step (the second half of each sequence of 128).
const SHAPES: Record<string, { N: number; D: number; V: number }> = {
  peer: { N: 8 * 64, D: 192, V: 256 }, // peer-1.8m, batch 8
  kk10m: { N: 4 * 64, D: 384, V: 1152 }, // kk-10m, batch 4
  qwen10m: { N: 4 * 64, D: 64, V: 151936 }, // qwen-10m, batch 4
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function cpuMs(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      backends: { type: 'string', default: 'wasm' },
      shapes: { type: 'string', default: Object.keys(SHAPES).join(',') },
    },
  });
  const rounds = Number(v.rounds);
  if (!(rounds >= 1)) throw new Error(`--rounds: expected a positive integer, got ${v.rounds}`);
  for (const be of v.backends!.split(',') as BackendName[]) {
    await useNodeBackend(be);
    for (const name of v.shapes!.split(',')) {
      const s = SHAPES[name];
      if (!s) throw new Error(`--shapes: no shape ${name}; shapes: ${Object.keys(SHAPES).join(', ')}`);
      const h = tf.randomNormal([s.N, s.D], 0, 1, 'float32', 1) as tf.Tensor2D;
      const w = tf.variable(tf.randomNormal([s.V, s.D], 0, 0.05, 'float32', 2)) as unknown as tf.Tensor2D;
      const targets = Array.from({ length: s.N }, (_, i) => (i * 7919) % s.V);
      const step = (fused: boolean): number => {
        setFusedLogprobs(fused);
        return cpuMs(() => {
          const gs = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.neg(tf.mean(tokenLogprobs(a as tf.Tensor2D, b as tf.Tensor2D, targets))),
          )([h, w]);
          for (const g of gs) g.dataSync();
          tf.dispose(gs);
        });
      };
      step(true); // warm-up: kernels, XNNPACK packing, scratch
      step(false);
      const before = tf.memory().numTensors;
      const ms: Record<'fused' | 'unfused', number[]> = { fused: [], unfused: [] };
      for (let r = 0; r < rounds; r++) {
        // Alternate which goes first so a load swing hits both alike.
        for (const fused of r % 2 ? [false, true] : [true, false]) ms[fused ? 'fused' : 'unfused'].push(step(fused));
      }
      setFusedLogprobs(true);
      const leaked = tf.memory().numTensors - before;
      const f = median(ms.fused);
      const u = median(ms.unfused);
      console.log(
        `${be} ${name} (N ${s.N}, D ${s.D}, V ${s.V}): fused ${f.toFixed(1)} ms CPU [${ms.fused.map((x) => x.toFixed(0)).join(', ')}], unfused ${u.toFixed(1)} ms [${ms.unfused.map((x) => x.toFixed(0)).join(', ')}], ${(u / f).toFixed(2)}x${leaked ? `, ${leaked} tensors leaked` : ''}`,
      );
      tf.dispose([h, w]);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
