// The host token log-prob / cross-entropy op (fused-logprobs.ts) against the TF.js chain it replaces
// (setFusedOps(false)) and a float64 reference: values, logit / hidden / head gradients element-wise,
// small and 151,936-token vocabularies, chunks, head pieces, a frozen head, temperature, and the SFT
// (completion-only, padded) and GRPO losses through the fixture model. On cpu and wasm.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, setFusedOps, tokenLogprobs, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import { accumulateGrads, grpoLoss, sftLoss, type GrpoBatch, type SftBatch } from '@warmup/train';
import { setSimdRows } from '../../core/src/fused-logprobs.ts';
import { simdExpKernels } from '../../core/src/wasm-exp.ts';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Deterministic pseudo-random floats in [-1, 1). */
function floats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** float64 log_softmax(logits / T)[target] and its gradient times u, for logits [N, V]. */
function reference(logits: Float32Array, V: number, targets: number[], T: number, u: Float32Array) {
  const N = targets.length;
  const logp = new Float64Array(N);
  const grad = new Float64Array(N * V);
  for (let r = 0; r < N; r++) {
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, logits[r * V + j] / T);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[r * V + j] / T - m);
    const lse = m + Math.log(s);
    logp[r] = logits[r * V + targets[r]] / T - lse;
    for (let j = 0; j < V; j++)
      grad[r * V + j] = ((j === targets[r] ? 1 : 0) - Math.exp(logits[r * V + j] / T - lse)) * (u[r] / T);
  }
  return { logp, grad };
}

interface Run {
  logp: Float32Array;
  grads: Float32Array[];
  tensorsAfter: number;
}

/** logp and the gradients of sum(logp * u) with respect to [h, ...pieces] (h only for a frozen head). */
function run(
  fused: boolean,
  h: tf.Tensor2D,
  w: tf.Tensor2D[],
  targets: number[],
  u: tf.Tensor1D,
  T: number,
  chunk?: number,
): Run {
  setFusedOps(fused);
  try {
    const frozen = w.every((p) => (p as { trainable?: boolean }).trainable === false);
    const f = (...xs: tf.Tensor[]) =>
      tf.sum(
        tf.mul(tokenLogprobs(xs[0] as tf.Tensor2D, frozen ? w : (xs.slice(1) as tf.Tensor2D[]), targets, T, chunk), u),
      );
    const logpT = tf.tidy(() => tokenLogprobs(h, w, targets, T, chunk));
    const gs = tf.grads(f)(frozen ? [h] : [h, ...w]);
    const out = {
      logp: logpT.dataSync().slice() as Float32Array,
      grads: gs.map((g) => g.dataSync().slice() as Float32Array),
    };
    tf.dispose([logpT, ...gs]);
    return { ...out, tensorsAfter: tf.memory().numTensors };
  } finally {
    setFusedOps(true);
  }
}

// The row loops run as WebAssembly SIMD kernels where they compile, else as Math.exp loops (js).
describe.each([
  ['cpu', 'simd'],
  ['wasm', 'simd'],
  ['wasm', 'js'],
] as const)('fused token log-probs on %s, %s rows', (be, rows) => {
  beforeAll(async () => {
    await useNodeBackend(be);
    setSimdRows(rows === 'simd');
  });
  afterAll(() => {
    setFusedOps(true);
    setSimdRows(true);
  });

  it.runIf(rows === 'simd')(
    'compiles the SIMD row kernels (Node has WebAssembly SIMD): the cases below use them',
    () => {
      expect(simdExpKernels()).not.toBeNull();
    },
  );

  it.each([
    [1, 64],
    [0.7, 4],
  ])('logit gradients equal softmax − one-hot (float64) and the TF.js chain: T %f, chunks of %i rows', (T, chunk) => {
    // An identity head makes the hidden rows the logits: d/dh is the gradient over the logits.
    const N = 11;
    const V = 37;
    const raw = floats(N * V, 5).map((x, i) => (i < V ? 40 * x : 4 * x)); // one row with a large spread
    const targets = Array.from({ length: N }, (_, r) => (r * 13 + 2) % V);
    targets[1] = V - 1;
    const uv = floats(N, 6);
    const h = tf.tensor2d(raw, [N, V]);
    const eye = tf.eye(V) as tf.Tensor2D;
    const u = tf.tensor1d(uv);
    const ref = reference(raw, V, targets, T, uv);
    const before = tf.memory().numTensors;
    const fused = run(true, h, [eye], targets, u, T, chunk);
    const plain = run(false, h, [eye], targets, u, T, chunk);
    // log-probs up to ~12 in size: float32 rounding of the unfused chain, ~1e-6.
    expect(maxAbsDiff(fused.logp, ref.logp)).toBeLessThan(1e-5);
    expect(maxAbsDiff(plain.logp, ref.logp)).toBeLessThan(1e-5);
    expect(maxAbsDiff(fused.logp, plain.logp)).toBeLessThan(1e-5);
    // Gradient entries are at most |u| / T <= 1.5: 1e-6 is float32 rounding.
    expect(maxAbsDiff(fused.grads[0], ref.grad)).toBeLessThan(1e-6);
    expect(maxAbsDiff(fused.grads[0], plain.grads[0])).toBeLessThan(2e-6);
    // Neither path leaves a tensor behind (the results are disposed in run).
    expect(fused.tensorsAfter).toBe(before);
    expect(plain.tensorsAfter).toBe(before);
    tf.dispose([h, eye, u]);
  });

  it("a 151,936-token vocabulary: log-probs and gradients against float64 and the TF.js chain's", () => {
    const N = 7;
    const D = 8;
    const V = 151936;
    const hv = floats(N * D, 11).map((x) => 3 * x);
    const wv = floats(V * D, 12);
    const h = tf.tensor2d(hv, [N, D]);
    const w = tf.tensor2d(wv, [V, D]);
    const targets = [0, V - 1, 151643, 17, 99999, 5, 151645];
    const uv = floats(N, 13);
    const u = tf.tensor1d(uv);
    const logits = new Float32Array(N * V);
    for (let r = 0; r < N; r++)
      for (let j = 0; j < V; j++) {
        let s = 0;
        for (let e = 0; e < D; e++) s += hv[r * D + e] * wv[j * D + e];
        logits[r * V + j] = s;
      }
    const ref = reference(logits, V, targets, 1, uv);
    const before = tf.memory().numTensors;
    const fused = run(true, h, [w], targets, u, 1, 3);
    const plain = run(false, h, [w], targets, u, 1, 3);
    // The host loop sums the 151,936 exponentials in float64; TF.js sums them in float32 (wasm's
    // logSumExp was 2.3e-4 off here), so the fused op is held to the reference, the chain looser.
    expect(maxAbsDiff(fused.logp, ref.logp)).toBeLessThan(1e-5);
    expect(maxAbsDiff(plain.logp, ref.logp)).toBeLessThan(1e-3);
    // d/dh = g W and d/dW = g^T h from the float64 logit gradient g. Both paths multiply by the same
    // float32 matmuls: wasm's g W, summing 151,936 terms, is 7e-5 of the largest element off (cpu's
    // 1.3e-6); the chain also carries its log-sum-exp's error (1.4e-4 on wasm).
    const dh = new Float64Array(N * D);
    const dW = new Float64Array(V * D);
    for (let r = 0; r < N; r++)
      for (let j = 0; j < V; j++) {
        const g = ref.grad[r * V + j];
        for (let e = 0; e < D; e++) {
          dh[r * D + e] += g * wv[j * D + e];
          dW[j * D + e] += g * hv[r * D + e];
        }
      }
    [dh, dW].forEach((want, i) => {
      expect(maxAbsDiff(fused.grads[i], want) / maxAbs(want)).toBeLessThan(1e-4);
      expect(maxAbsDiff(plain.grads[i], want) / maxAbs(want)).toBeLessThan(1e-3);
    });
    expect(fused.tensorsAfter).toBe(before);
    tf.dispose([h, w, u]);
  });

  it('runs no element-wise kernel over the logits (the host loops do that work), only with the switch on', async () => {
    const h = tf.tensor2d(floats(4 * 5, 31), [4, 5]);
    const w = tf.tensor2d(floats(9 * 5, 32), [9, 5]);
    const kernels = async (fused: boolean): Promise<string[]> => {
      setFusedOps(fused);
      try {
        const info = await tf.profile(() => {
          tf.dispose(tf.grads((a: tf.Tensor) => tf.sum(tokenLogprobs(a as tf.Tensor2D, w, [1, 8, 0, 3])))([h]));
        });
        return info.kernelNames;
      } finally {
        setFusedOps(true);
      }
    };
    const fused = await kernels(true);
    const plain = await kernels(false);
    for (const k of ['Exp', 'OneHot', 'Max', 'Log']) {
      expect(plain).toContain(k);
      expect(fused).not.toContain(k);
    }
    expect(fused).toContain('BatchMatMul');
    tf.dispose([h, w]);
  });

  it('a head in vocabulary pieces, trainable and frozen, at temperature 0.8', () => {
    const N = 9;
    const D = 6;
    const sizes = [20, 7, 33];
    const V = 60;
    const h = tf.tensor2d(
      floats(N * D, 21).map((x) => 2 * x),
      [N, D],
    );
    const full = floats(V * D, 22);
    let at = 0;
    const pieces = sizes.map((n) => {
      const p = tf.tensor2d(full.slice(at * D, (at + n) * D), [n, D]);
      at += n;
      return p;
    });
    const targets = [0, 19, 20, 26, 27, 59, 3, 40, 22];
    const u = tf.tensor1d(floats(N, 23));
    const fused = run(true, h, pieces, targets, u, 0.8, 4);
    const plain = run(false, h, pieces, targets, u, 0.8, 4);
    expect(maxAbsDiff(fused.logp, plain.logp)).toBeLessThan(1e-5);
    expect(fused.grads).toHaveLength(4);
    fused.grads.forEach((g, i) => expect(maxAbsDiff(g, plain.grads[i])).toBeLessThan(1e-5));
    const frozen = pieces.map((p) => tf.variable(p, false) as unknown as tf.Tensor2D);
    const before = tf.memory().numTensors;
    const ff = run(true, h, frozen, targets, u, 0.8, 4);
    const pf = run(false, h, frozen, targets, u, 0.8, 4);
    expect(ff.grads).toHaveLength(1);
    expect(maxAbsDiff(ff.grads[0], pf.grads[0])).toBeLessThan(1e-5);
    expect(maxAbsDiff(ff.grads[0], fused.grads[0])).toBeLessThan(1e-6);
    expect(ff.tensorsAfter).toBe(before);
    tf.dispose([h, u, ...pieces, ...frozen]);
  });
});

/** Loss and every parameter's gradient, with the fused ops on or off. */
async function lossAndGrads(model: Qwen2Model, fused: boolean, loss: () => tf.Scalar) {
  setFusedOps(fused);
  try {
    const g = await accumulateGrads(model, loss, 1);
    const grads = new Map([...g.grads].map(([k, t]) => [k, t.dataSync().slice() as Float32Array]));
    for (const t of g.grads.values()) t.dispose();
    return { loss: g.loss, grads };
  } finally {
    setFusedOps(true);
  }
}

describe.each(['cpu', 'wasm'] as const)('SFT and GRPO through the fused log-probs on %s', (be) => {
  let model: Qwen2Model;
  beforeAll(async () => {
    await useNodeBackend(be);
    model = await loadModel(folderSource(FIXTURE));
  });
  afterAll(() => {
    setFusedOps(true);
    model.dispose();
  });

  /** Same loss, and each gradient within 1e-4 of its largest element (the fused attention's bound:
   *  setFusedOps switches it too), with no tensor left behind. */
  async function compare(loss: () => tf.Scalar): Promise<void> {
    await lossAndGrads(model, true, loss); // warm-up: kernels and caches made once
    const before = tf.memory().numTensors;
    const fused = await lossAndGrads(model, true, loss);
    expect(tf.memory().numTensors).toBe(before);
    const plain = await lossAndGrads(model, false, loss);
    expect(Math.abs(fused.loss - plain.loss) / Math.abs(plain.loss)).toBeLessThan(1e-5);
    expect(fused.grads.size).toBe(plain.grads.size);
    for (const [name, g] of plain.grads)
      expect(maxAbsDiff(fused.grads.get(name)!, g) / maxAbs(g), name).toBeLessThan(1e-4);
  }

  it('SFT: completion-only mask on right-padded rows', async () => {
    const rows = [
      [1, 5, 9, 33, 70, 2, 0, 0, 0],
      [1, 200, 14, 15, 16, 17, 18, 19, 2],
      [1, 3, 2, 0, 0, 0, 0, 0, 0],
    ];
    const attention = rows.map((r, i) => r.map((_, t) => (t < [6, 9, 3][i] ? 1 : 0)));
    // Completion: after a prompt of 3, 4 and 1 tokens, up to the row's end.
    const completion = attention.map((r, i) => r.map((a, t) => (a && t >= [3, 4, 1][i] ? 1 : 0)));
    const batch: SftBatch = { inputIds: rows, attentionMask: attention, completionMask: completion };
    await compare(() => sftLoss(model, batch, 3));
  });

  it('GRPO: left-padded prompts, temperature 0.9, KL term, dapo aggregation', async () => {
    const P = 4;
    const prompts = [
      [0, 1, 40, 41],
      [1, 50, 51, 52],
    ];
    const completions = [
      [60, 61, 2, 0],
      [70, 71, 72, 73],
    ];
    const mask = [
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ];
    const n = mask.flat().filter(Boolean).length;
    const batch: GrpoBatch = {
      inputIds: prompts.map((p, i) => [...p, ...completions[i]]),
      attentionMask: prompts.map((p, i) => [...p.map((_, t) => (i === 0 && t === 0 ? 0 : 1)), ...mask[i]]),
      promptLength: P,
      completionIds: completions,
      completionMask: mask,
      advantages: [0.7, -0.4],
      oldLogps: Array.from({ length: n }, (_, i) => -5 - 0.1 * i),
      refLogps: Array.from({ length: n }, (_, i) => -5.5 + 0.05 * i),
      maxCompletionLength: 4,
    };
    const opts = { lossType: 'dapo' as const, epsilonLow: 0.2, epsilonHigh: 0.28, beta: 0.04, temperature: 0.9 };
    await compare(() => grpoLoss(model, batch, { ...opts, chunkRows: 2 }).loss);
  });
});
