// What the fused-op tests compare against: the unfused attention written with plain TF.js ops, the
// causal/padded masks they run on, and a model's loss and parameter gradients as host arrays, with
// the tolerance every fused-vs-unfused model comparison uses.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { type Qwen2Model, tokenLogprobs } from '@warmup/core';
import { maxAbsDiff } from './helpers.ts';

type Attention = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor4D) => tf.Tensor2D;

/** Unfused reference: repeat each kv head for its query heads, plain softmax attention.
 *  q [B, T, H, hd], k/v [B, KV, S, hd], mask [B, 1, T, S] (additive) → [B*T, H*hd]. */
export function referenceAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor2D {
  const [B, T, H] = q.shape;
  const hd = q.shape[3];
  const rep = H / k.shape[1];
  const heads = tf.tensor1d(
    Array.from({ length: H }, (_, h) => Math.floor(h / rep)),
    'int32',
  );
  const kr = tf.gather(k, heads, 1); // [B, H, S, hd]
  const vr = tf.gather(v, heads, 1);
  const qh = tf.transpose(q, [0, 2, 1, 3]); // [B, H, T, hd]
  const scores = tf.add(tf.mul(tf.matMul(qh, kr, false, true), 1 / Math.sqrt(hd)), mask);
  const ctx = tf.matMul(tf.softmax(scores), vr); // [B, H, T, hd]
  return tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, H * hd]);
}

/** Causal mask over S = P + T keys, with `pad` left-padded keys in batch row 0 (a padded prompt:
 *  its first query rows see no real key at all, the fully masked rows the unfused softmax makes
 *  uniform). */
export function causalMask(B: number, T: number, P: number, pad: number): tf.Tensor4D {
  const S = P + T;
  const m = new Float32Array(B * T * S);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let s = 0; s < S; s++) m[(b * T + t) * S + s] = s <= P + t && !(b === 0 && s < pad) ? 0 : -1e9;
  return tf.tensor4d(m, [B, 1, T, S]);
}

/** An attention op's output and its q/k/v gradients under the weighting `w` (random, so every
 *  output element's gradient path counts), as host arrays; no tensor may be left over. */
export async function attentionAndGrads(
  f: Attention,
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: tf.Tensor4D,
  w: tf.Tensor,
): Promise<Float32Array[]> {
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() => {
    const out = f(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, mask);
    const grads = tf.grads((a, b, c) =>
      tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, mask), w)),
    )([q, k, v]);
    return [out, ...grads];
  });
  const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outs);
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

/** The summed negative log-probs of `targets` and every parameter's gradient (the model's parameter
 *  order), as host arrays; no tensor may be left over. */
export async function lossAndParamGrads(
  model: Qwen2Model,
  ids: number[][],
  mask: number[][],
  targets: number[],
): Promise<Float32Array[]> {
  const before = tf.memory().numTensors;
  const vars = [...model.params.values()];
  const { value, grads } = tf.variableGrads(() => {
    const { hidden } = model.forward({ inputIds: ids, attentionMask: mask });
    const h = tf.reshape(hidden, [-1, model.config.hiddenSize]) as tf.Tensor2D;
    return tf.neg(tf.sum(tokenLogprobs(h, model.lmHead as unknown as tf.Tensor2D, targets))) as tf.Scalar;
  }, vars);
  const outs = [value, ...vars.map((x) => grads[x.name])];
  const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([value, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

/** The loss within `lossRel` of `want`'s, and every gradient within 1e-4 of its largest element
 *  (float32 sums in another order through a few layers). */
export function expectLossAndGradsClose(got: Float32Array[], want: Float32Array[], lossRel: number): void {
  expect(Math.abs(got[0][0] - want[0][0])).toBeLessThan(lossRel * Math.abs(want[0][0]));
  for (let i = 1; i < want.length; i++) {
    const scale = Math.max(...Array.from(want[i], Math.abs));
    expect(maxAbsDiff(got[i], want[i])).toBeLessThan(1e-4 * scale + 1e-7);
  }
}
