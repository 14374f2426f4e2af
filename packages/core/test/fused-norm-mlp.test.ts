// The host RMSNorm, residual-add + RMSNorm and SwiGLU kernels against the op-by-op TF.js forms,
// element-wise, values and gradients (odd shapes, large activations), tensor counts, and through the
// whole model (every parameter's gradient with only these ops switched off). On cpu and wasm.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initModel, parseConfig, type Qwen2Config } from '@warmup/core';
import { addRmsNorm, fusedNormMlpActive, rmsNorm, setFusedNormMlp, swiglu } from '../src/fused-norm-mlp.ts';
import { expectLossAndGradsClose, lossAndParamGrads } from './fused-reference.ts';
import { backend, maxAbsDiff } from './helpers.ts';

let seed = 100;
const rand = (shape: number[], std = 1): tf.Tensor => tf.randomNormal(shape, 0, std, 'float32', seed++);

/** Values and gradients of `f` (a scalar of its inputs) for the inputs `xs`, as plain arrays. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor[], xs: tf.Tensor[], weights: tf.Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const outs = f(...xs);
    const loss = (...a: tf.Tensor[]) =>
      f(...a).reduce((acc, y, i) => tf.add(acc, tf.sum(tf.mul(y, weights[i]))), tf.scalar(0)) as tf.Scalar;
    const grads = tf.grads(loss)(xs);
    return [...outs, ...grads].map((t) => t.dataSync().slice() as Float32Array);
  });
}

/** |a - b| below `tol` times the largest |b| (at least 1): float32 rounding of sums over a row or a column. */
function expectClose(a: Float32Array[], b: Float32Array[], tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, ...Array.from(b[i], Math.abs));
    expect(maxAbsDiff(a[i], b[i])).toBeLessThan(tol * scale);
  }
}

describe.each(['cpu', 'wasm'] as const)('fused RMSNorm and SwiGLU on %s', (name) => {
  afterAll(() => setFusedNormMlp(true));

  /** Run `f` with these ops on and off; the off run is the TF.js op chain model.ts used before. */
  const both = (f: () => Float32Array[]): [Float32Array[], Float32Array[]] => {
    setFusedNormMlp(true);
    expect(fusedNormMlpActive()).toBe(true);
    const fused = f();
    setFusedNormMlp(false);
    expect(fusedNormMlpActive()).toBe(false);
    const plain = f();
    setFusedNormMlp(true);
    return [fused, plain];
  };

  it.each([
    [5, 7],
    [3, 64],
    [1, 1],
    [33, 48],
  ])('RMSNorm: values and gradients (x, w) equal the op chain: N %i, D %i', async (N, D) => {
    await backend(name);
    const [x, w, r] = [rand([N, D], 3), rand([D]), rand([N, D])];
    const f = (a: tf.Tensor, b: tf.Tensor) => [rmsNorm(a as tf.Tensor2D, b, 1e-6)];
    const [fused, plain] = both(() => valueAndGrads(f, [x, w], [r]));
    expectClose(fused, plain, 2e-5);
    // The op chain itself against the definition (float64), so both are not wrong alike.
    const xv = x.dataSync();
    const wv = w.dataSync();
    for (let n = 0; n < N; n++) {
      let ss = 0;
      for (let j = 0; j < D; j++) ss += xv[n * D + j] ** 2;
      const rstd = 1 / Math.sqrt(ss / D + 1e-6);
      for (let j = 0; j < D; j++) expect(fused[0][n * D + j]).toBeCloseTo(xv[n * D + j] * rstd * wv[j], 4);
    }
    tf.dispose([x, w, r]);
  });

  it.each([
    [4, 9, true],
    [7, 48, true],
    [3, 5, false],
  ])(
    'residual add + RMSNorm: both outputs and gradients (x, d, w) equal add then the op chain: N %i, D %i, sum used %s',
    async (N, D, sumUsed) => {
      await backend(name);
      const [x, d, w, r1, r2] = [rand([N, D]), rand([N, D], 2), rand([D]), rand([N, D]), rand([N, D])];
      // With the sum unused (the last layer's), its gradient arrives as zeros.
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const { sum, normed } = addRmsNorm(a as tf.Tensor2D, b as tf.Tensor2D, c, 1e-5);
        return sumUsed ? [sum, normed] : [normed];
      };
      const [fused, plain] = both(() => valueAndGrads(f, [x, d, w], sumUsed ? [r1, r2] : [r2]));
      expectClose(fused, plain, 2e-5);
      tf.dispose([x, d, w, r1, r2]);
    },
  );

  it.each([
    [3, 5],
    [7, 33],
    [16, 64],
  ])('SwiGLU: values and gradient of gate_up equal slice/sigmoid/multiply: N %i, I %i', async (N, I) => {
    await backend(name);
    // std 6: gates far into both tails of the sigmoid (exp(-z) overflowing to Infinity for z < -88 is not reached, but saturation is).
    const [gu, r] = [rand([N, 2 * I], 6), rand([N, I])];
    const f = (a: tf.Tensor) => [swiglu(a as tf.Tensor2D)];
    const [fused, plain] = both(() => valueAndGrads(f, [gu], [r]));
    expectClose(fused, plain, 2e-5);
    tf.dispose([gu, r]);
  });

  it('SwiGLU gives finite values and gradients at extreme gates (|z| = 100)', async () => {
    await backend(name);
    const gu = tf.tensor2d([[-100, 100, 0.5, 3, -2, 1]]); // I = 3: gates -100, 100, 0.5
    const [fused, plain] = both(() => valueAndGrads((a) => [swiglu(a as tf.Tensor2D)], [gu], [tf.ones([1, 3])]));
    for (const a of fused) for (const v of a) expect(Number.isFinite(v)).toBe(true);
    expectClose(fused, plain, 1e-5);
    gu.dispose();
  });

  it('no tensor outlives its call: counts are flat over repeated forward + backward passes', async () => {
    await backend(name);
    const [x, d, w, gu] = [rand([6, 10]), rand([6, 10]), rand([10]), rand([6, 8])];
    const [r, ra] = [rand([6, 10]), rand([6, 4])];
    const step = () =>
      valueAndGrads(
        (a, b, c, e) => {
          const { sum, normed } = addRmsNorm(a as tf.Tensor2D, b as tf.Tensor2D, c, 1e-6);
          return [sum, normed, rmsNorm(a as tf.Tensor2D, c, 1e-6), swiglu(e as tf.Tensor2D)];
        },
        [x, d, w, gu],
        [r, r, r, ra],
      );
    step();
    const before = tf.memory().numTensors;
    const beforeBytes = tf.memory().numBytes;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(beforeBytes);
    tf.dispose([x, d, w, gu, r, ra]);
  });

  it('the model: loss and every parameter gradient equal the path with only these ops off', async () => {
    await backend(name);
    const model = initModel(CONFIG, 5, 0.3);
    const ids = [
      [5, 9, 3, 77, 12, 200, 41],
      [0, 0, 6, 100, 7, 55, 2],
    ];
    const mask = ids.map((r, b) => r.map((_, t) => (b === 1 && t < 2 ? 0 : 1)));
    const targets = ids.flat().map((t) => (t * 5 + 3) % CONFIG.vocabSize);
    const lossAndGrads = () => lossAndParamGrads(model, ids, mask, targets);
    await lossAndGrads();
    const before = tf.memory().numTensors;
    setFusedNormMlp(true);
    expect(fusedNormMlpActive()).toBe(true);
    const fused = await lossAndGrads();
    setFusedNormMlp(false);
    expect(fusedNormMlpActive()).toBe(false);
    const plain = await lossAndGrads();
    setFusedNormMlp(true);
    expect(tf.memory().numTensors).toBe(before);
    expectLossAndGradsClose(fused, plain, 1e-5);
    model.dispose();
  });
});

/** Three layers (so the add + norm feeding the next layer's input norm and the final norm both run), odd widths. */
const CONFIG: Qwen2Config = parseConfig({
  model_type: 'qwen2',
  vocab_size: 256,
  hidden_size: 40,
  intermediate_size: 54,
  num_hidden_layers: 3,
  num_attention_heads: 5,
  num_key_value_heads: 1,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  max_position_embeddings: 64,
  tie_word_embeddings: true,
});
