// The host RoPE op, the host embedding gradient and wasm's buffer-sharing Identity/Cast against the
// plain TF.js ops, element-wise: RoPE values and gradients (the unfused slice/concat form is the
// reference), gather's gradient, and Identity/Cast results, lifetimes and conversions. On cpu and wasm.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setFusedOps } from '@warmup/core';
import { fusedRope } from '../src/fused-rope.ts';
import { backend, maxAbsDiff } from './helpers.ts';

/** The unfused form model.ts used: x * cos + concat(x2, x1) * sinSigned. */
function ropeReference(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor4D {
  const [B, T, H, hd] = x.shape;
  const x1 = tf.slice(x, [0, 0, 0, 0], [B, T, H, hd / 2]);
  const x2 = tf.slice(x, [0, 0, 0, hd / 2], [B, T, H, hd / 2]);
  return tf.add(tf.mul(x, cos), tf.mul(tf.concat([x2, x1], 3), sin));
}

describe.each(['cpu', 'wasm'] as const)('fused ops on %s', (name) => {
  afterAll(() => setFusedOps(true));

  it.each([
    [2, 5, 3, 8],
    [1, 7, 2, 64],
  ])('RoPE values and gradients equal the slice/concat form: B %i, T %i, heads %i, hd %i', async (B, T, H, hd) => {
    await backend(name);
    const x = tf.randomNormal([B, T, H, hd], 0, 1, 'float32', 11) as tf.Tensor4D;
    // Tables of distinct values per (b, t, j), so a wrong row or half shows.
    const cos = tf.randomNormal([B, T, 1, hd], 0, 1, 'float32', 12);
    const sin = tf.randomNormal([B, T, 1, hd], 0, 1, 'float32', 13);
    const w = tf.randomNormal([B, T, H, hd], 0, 1, 'float32', 14);
    const run = (f: typeof ropeReference) => {
      const y = f(x, cos, sin);
      const [g] = tf.grads((a) => tf.sum(tf.mul(f(a as tf.Tensor4D, cos, sin), w)))([x]);
      return [y.dataSync().slice(), g.dataSync().slice()];
    };
    const [y0, g0] = run(ropeReference);
    const [y1, g1] = run(fusedRope);
    // Two float32 products and a sum: rounding only (~1e-7 relative).
    expect(maxAbsDiff(y1, y0)).toBeLessThan(1e-5);
    expect(maxAbsDiff(g1, g0)).toBeLessThan(1e-5);
    tf.dispose([x, cos, sin, w]);
  });

  it('the embedding gradient (gather -> UnsortedSegmentSum) with repeated ids equals the plain kernel', async () => {
    await backend(name);
    const table = tf.randomNormal([11, 6], 0, 1, 'float32', 21);
    const ids = tf.tensor1d([3, 0, 3, 10, 7, 3, 0], 'int32');
    const dy = tf.randomNormal([7, 6], 0, 1, 'float32', 22);
    const grad = (): Float32Array => {
      const [g] = tf.grads((t) => tf.sum(tf.mul(tf.gather(t, ids), dy)))([table]);
      const v = g.dataSync().slice() as Float32Array;
      g.dispose();
      return v;
    };
    const fused = grad();
    setFusedOps(false);
    // wasm has no kernel of its own: there the host kernel is the only one, checked against float64.
    const plain = grad();
    setFusedOps(true);
    const want = new Float64Array(11 * 6);
    const idv = ids.dataSync();
    const dyv = dy.dataSync();
    idv.forEach((id, r) => {
      for (let j = 0; j < 6; j++) want[id * 6 + j] += dyv[r * 6 + j];
    });
    expect(maxAbsDiff(fused, want)).toBeLessThan(1e-5);
    expect(maxAbsDiff(plain, want)).toBeLessThan(1e-5);
    tf.dispose([table, ids, dy]);
  });

  it('Identity and same-dtype Cast give the same values, and each tensor outlives the other', async () => {
    await backend(name);
    setFusedOps(true);
    const x = tf.tensor1d([1.5, -2, 3]);
    const y = tf.clone(x); // Identity
    const z = tf.cast(x, 'float32');
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3]);
    y.dispose();
    expect(Array.from(z.dataSync())).toEqual([1.5, -2, 3]);
    // A real conversion goes to the backend's own kernel: the same result with the switch on and off
    // (tfjs-wasm's own cast to bool keeps 2 as 2, so compare rather than assert 1).
    const conversions = (): number[][] => {
      const out: number[][] = [];
      tf.tidy(() => {
        for (const dtype of ['int32', 'bool'] as const)
          out.push(Array.from(tf.cast(tf.tensor1d([0, 1.5, 2]), dtype).dataSync()));
      });
      return out;
    };
    const fused = conversions();
    setFusedOps(false);
    const plain = conversions();
    setFusedOps(true);
    expect(fused).toEqual(plain);
    expect(fused[0]).toEqual([0, 1, 2]);
    z.dispose();
  });
});
