// Rotate-half RoPE as one host loop with its own gradient, for backends whose tensors read back
// synchronously (wasm, cpu): the op-by-op form costs two slices, a concat, two broadcast multiplies
// and an add forward, and pads, a split and more multiplies backward (about 5x the host loop).
import * as tf from '@tensorflow/tfjs-core';
import { fusedOpsOn } from './fused-switch.ts';

/** Whether RoPE takes the host path on the active backend. */
export function fusedRopeActive(): boolean {
  return fusedOpsOn(tf.getBackend());
}

/** out = x * cos + swap(x) * sin over rows of hd (swap exchanges the two halves); sin carries the
 *  sign (-sin on the first half). cos/sin hold one row per (b, t), shared by the `heads` rows. */
function rotate(x: Float32Array, cos: Float32Array, sin: Float32Array, heads: number, hd: number): Float32Array {
  const out = new Float32Array(x.length);
  const half = hd / 2;
  const rows = x.length / hd;
  for (let r = 0; r < rows; r++) {
    const o = r * hd;
    const c = Math.floor(r / heads) * hd;
    for (let j = 0; j < half; j++) {
      out[o + j] = x[o + j] * cos[c + j] + x[o + j + half] * sin[c + j];
      out[o + j + half] = x[o + j + half] * cos[c + j + half] + x[o + j] * sin[c + j + half];
    }
  }
  return out;
}

/** The same rotation transposed, for the gradient: dx = dy * cos + swap(dy * sin). */
function rotateBack(dy: Float32Array, cos: Float32Array, sin: Float32Array, heads: number, hd: number): Float32Array {
  const out = new Float32Array(dy.length);
  const half = hd / 2;
  const rows = dy.length / hd;
  for (let r = 0; r < rows; r++) {
    const o = r * hd;
    const c = Math.floor(r / heads) * hd;
    for (let j = 0; j < half; j++) {
      out[o + j] = dy[o + j] * cos[c + j] + dy[o + j + half] * sin[c + j + half];
      out[o + j + half] = dy[o + j + half] * cos[c + j + half] + dy[o + j] * sin[c + j];
    }
  }
  return out;
}

/** x [B, T, heads, hd], cos and sign-folded sin [B, T, 1, hd] -> [B, T, heads, hd]; cos/sin get no gradient. */
export function fusedRope(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor4D {
  const [, , heads, hd] = x.shape;
  const c = cos.dataSync() as Float32Array;
  const s = sin.dataSync() as Float32Array;
  const body = (xi: tf.Tensor) => ({
    value: tf.tensor4d(rotate(xi.dataSync() as Float32Array, c, s, heads, hd), x.shape),
    gradFunc: (dy: tf.Tensor) => tf.tensor4d(rotateBack(dy.dataSync() as Float32Array, c, s, heads, hd), x.shape),
  });
  type Body = Parameters<typeof tf.customGrad>[0];
  return tf.customGrad(body as unknown as Body)(x) as tf.Tensor4D;
}
