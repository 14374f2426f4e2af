// AdamW's host update (wasm, cpu) against its tensor path, element-wise over three steps: weights and
// both moments, with and without weight decay, on parameters of a few shapes.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setFusedOps } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { AdamW } from '@warmup/train';

/** Three updates from the same start; returns every parameter and moment after them. */
function run(fused: boolean): Float32Array[] {
  setFusedOps(fused);
  const shapes = [[7, 5], [16], [3, 4, 2]];
  const params = new Map(
    shapes.map((s, i) => [`w${i}`, tf.tidy(() => tf.variable(tf.randomNormal(s, 0, 1, 'float32', i + 1)))]),
  );
  // Decay on w0 and w2 only, as the trainer skips biases and norms.
  const opt = new AdamW({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 }, (n) => n !== 'w1');
  for (let step = 0; step < 3; step++) {
    const grads = new Map(
      shapes.map((s, i) => [`w${i}`, tf.randomNormal(s, 0, 0.1 * (step + 1), 'float32', 100 * step + i + 1)]),
    );
    opt.apply(params, grads, 1e-2);
    for (const g of grads.values()) g.dispose();
  }
  const out = [...params.keys()].flatMap((n) =>
    [params.get(n)!, opt.m.get(n)!, opt.v.get(n)!].map((t) => t.dataSync().slice() as Float32Array),
  );
  opt.dispose();
  for (const p of params.values()) p.dispose();
  setFusedOps(true);
  return out;
}

describe.each(['cpu', 'wasm'] as const)('AdamW host update on %s', (name) => {
  afterAll(() => setFusedOps(true));
  it('equals the tensor path for weights and moments', async () => {
    await useNodeBackend(name);
    const before = tf.memory().numTensors;
    const host = run(true);
    expect(tf.memory().numTensors).toBe(before);
    const tensor = run(false);
    expect(host.length).toBe(tensor.length);
    for (let i = 0; i < host.length; i++) {
      const scale = Math.max(...tensor[i].map(Math.abs));
      let worst = 0;
      for (let j = 0; j < host[i].length; j++) worst = Math.max(worst, Math.abs(host[i][j] - tensor[i][j]));
      // float32 path vs float64 intermediates: rounding only.
      expect(worst, `array ${i}`).toBeLessThan(1e-5 * scale + 1e-9);
    }
  });
});
