// Per-token log-probabilities of target tokens, log_softmax(h W^T / temperature)[target], computed
// in row chunks with a custom gradient that recomputes each chunk's logits in the backward pass:
// at most one [chunk, vocab] tensor exists at a time, forward or backward.
import * as tf from '@tensorflow/tfjs-core';
import { isFrozen } from './ops.ts';

/**
 * hidden [N, D], weight [V, D] (the LM head), targets: N token ids. Returns logp [N].
 * `chunkRows` bounds memory: chunkRows * V floats per live logits tensor.
 */
/** Largest [chunk, V] float32 tensor the head makes: WebGPU adapters bind at most 128 MiB per
 *  storage buffer (llvmpipe, many GPUs), and a 152k vocabulary reaches that at 220 rows. */
const LOGITS_CHUNK_BYTES = 64 * 2 ** 20;

export function tokenLogprobs(
  hidden: tf.Tensor2D,
  weight: tf.Tensor2D,
  targets: number[],
  temperature = 1,
  maxChunkRows = 256,
): tf.Tensor1D {
  const N = hidden.shape[0];
  const V = weight.shape[0];
  const chunkRows = Math.max(1, Math.min(maxChunkRows, Math.floor(LOGITS_CHUNK_BYTES / (V * 4))));
  if (targets.length !== N) throw new Error(`tokenLogprobs: ${targets.length} targets for ${N} rows`);
  const invT = 1 / temperature;
  const chunks: [number, number][] = [];
  for (let s = 0; s < N; s += chunkRows) chunks.push([s, Math.min(N, s + chunkRows)]);
  const tgt = tf.tensor1d(targets, 'int32');
  // A frozen head (LoRA) is captured instead of passed: it then gets no [V, D] gradient.
  const frozen = isFrozen(weight);
  const body = (h: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const h2 = h as tf.Tensor2D;
    const w2 = w as tf.Tensor2D;
    const parts: tf.Tensor[] = [];
    const lses: tf.Tensor[] = [];
    // Plain matmuls only (see ops.ts): transpose the head once per call.
    const wT = tf.transpose(w2) as tf.Tensor2D; // [D, V]
    for (const [a, b] of chunks) {
      const [lp, lse] = tf.tidy(() => {
        const logits = tf.mul(tf.matMul(tf.slice(h2, [a, 0], [b - a, -1]), wT), invT); // [n, V]
        const lse = tf.logSumExp(logits, 1); // [n]
        const flatIdx = tf.add(
          tf.mul(tf.range(0, b - a, 1, 'int32'), tf.scalar(V, 'int32')),
          tf.slice(tgt, [a], [b - a]),
        );
        const picked = tf.gather(tf.reshape(logits, [-1]), flatIdx); // [n]
        return [tf.sub(picked, lse), lse];
      });
      parts.push(lp);
      lses.push(lse);
    }
    const value = parts.length === 1 ? parts[0] : tf.concat(parts);
    const lse = lses.length === 1 ? lses[0] : tf.concat(lses);
    if (parts.length > 1) {
      parts.forEach((p) => p.dispose());
      lses.forEach((p) => p.dispose());
    }
    // Targets go through save() too: a closure-captured tensor would be freed before backward.
    wT.dispose();
    save(frozen ? [h2, lse, tgt] : [h2, w2, lse, tgt]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hS, wS, lseS, tgtS] = (frozen ? [saved[0], w2, saved[1], saved[2]] : saved) as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor1D,
          tf.Tensor1D,
        ];
        const wT = tf.transpose(wS) as tf.Tensor2D;
        let dWt: tf.Tensor | undefined = frozen ? undefined : tf.zeros([wS.shape[1], wS.shape[0]]); // accumulated as [D, V]
        const dhParts: tf.Tensor[] = [];
        for (const [a, b] of chunks) {
          const [dh, dWc] = tf.tidy((): tf.Tensor[] => {
            const hc = tf.slice(hS, [a, 0], [b - a, -1]);
            const logits = tf.mul(tf.matMul(hc, wT), invT);
            const probs = tf.exp(tf.sub(logits, tf.expandDims(tf.slice(lseS, [a], [b - a]), 1)));
            // oneHot(..., 'float32') on the wasm backend (tfjs 4.22) writes the int32 bit pattern
            // (1 reads as 1.4e-45): build it as int32 and cast.
            const onehot = tf.cast(tf.oneHot(tf.slice(tgtS, [a], [b - a]), V), 'float32');
            // d logp / d logits = onehot - softmax, times the upstream gradient and 1/T.
            const g = tf.mul(tf.sub(onehot, probs), tf.mul(tf.expandDims(tf.slice(dy, [a], [b - a]), 1), invT)); // [n, V]
            const dhc = tf.matMul(g, wS);
            return frozen ? [dhc] : [dhc, tf.matMul(tf.transpose(hc), g)];
          });
          dhParts.push(dh);
          if (dWt && dWc) {
            const next = tf.add(dWt, dWc);
            dWt.dispose();
            dWc.dispose();
            dWt = next;
          }
        }
        wT.dispose();
        const dh = dhParts.length === 1 ? dhParts[0] : tf.concat(dhParts);
        if (dhParts.length > 1) dhParts.forEach((p) => p.dispose());
        if (!dWt) return [dh];
        const dW = tf.transpose(dWt);
        dWt.dispose();
        return [dh, dW];
      },
    };
  };
  type Body = Parameters<typeof tf.customGrad>[0];
  // tgt is left to the caller's tidy/tape scope, which outlives the backward pass.
  if (frozen) {
    const f = tf.customGrad(((h: tf.Tensor, save: tf.GradSaveFunc) => body(h, weight, save)) as unknown as Body);
    return f(hidden) as tf.Tensor1D;
  }
  const f = tf.customGrad(body as unknown as Body);
  return f(hidden, weight) as tf.Tensor1D;
}
