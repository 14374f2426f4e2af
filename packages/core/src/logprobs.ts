// Per-token log-probabilities of target tokens, log_softmax(h W^T / temperature)[target], computed
// in row chunks with a custom gradient that recomputes each chunk's logits in the backward pass:
// at most one [chunk, vocab] tensor exists at a time, forward or backward. The head may come in
// vocabulary pieces (split to fit a WebGPU binding); their log-sum-exps are combined exactly.
import * as tf from '@tensorflow/tfjs-core';
import { maxBindingBytes } from './binding.ts';
import { chunkLogitGrad, chunkLogprobs, fusedLogprobsActive } from './fused-logprobs.ts';
import { isFrozen } from './ops.ts';

/** Largest [chunk, vocab] float32 logits tensor the head makes: WebGPU adapters bind at most
 *  128 MiB per storage buffer (llvmpipe, many GPUs), and a 152k vocabulary reaches that at 220 rows. */
const LOGITS_CHUNK_BYTES = 64 * 2 ** 20;

/** Host-built selectors of the targets that fall in vocabulary piece [start, start + size). */
function pieceTargets(targets: number[], start: number, size: number): { flat: tf.Tensor1D; mask: tf.Tensor1D } {
  const flat = new Int32Array(targets.length);
  const mask = new Float32Array(targets.length);
  targets.forEach((t, i) => {
    const inside = t >= start && t < start + size;
    flat[i] = i * size + (inside ? t - start : 0);
    mask[i] = inside ? 1 : 0;
  });
  return { flat: tf.tensor1d(flat, 'int32'), mask: tf.tensor1d(mask) };
}

/**
 * hidden [N, D], weight [V, D] (the LM head, or its row pieces [V_k, D] in vocabulary order),
 * targets: N token ids. Returns logp [N]. `maxChunkRows` bounds memory: rows * V floats per
 * live logits tensor.
 */
export function tokenLogprobs(
  hidden: tf.Tensor2D,
  weight: tf.Tensor2D | tf.Tensor2D[],
  targets: number[],
  temperature = 1,
  maxChunkRows = 256,
): tf.Tensor1D {
  const ws = Array.isArray(weight) ? weight : [weight];
  const N = hidden.shape[0];
  const sizes = ws.map((w) => w.shape[0]);
  const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
  const V = starts[ws.length - 1] + sizes[ws.length - 1];
  const chunkBytes = Math.min(LOGITS_CHUNK_BYTES, maxBindingBytes());
  const chunkRows = Math.max(1, Math.min(maxChunkRows, Math.floor(chunkBytes / (V * 4))));
  if (targets.length !== N) throw new Error(`tokenLogprobs: ${targets.length} targets for ${N} rows`);
  if (targets.some((t) => !(t >= 0 && t < V))) throw new Error(`tokenLogprobs: a target is outside 0..${V - 1}`);
  const invT = 1 / temperature;
  const chunks: [number, number][] = [];
  for (let s = 0; s < N; s += chunkRows) chunks.push([s, Math.min(N, s + chunkRows)]);
  const K = ws.length;
  // A frozen head (LoRA) is captured instead of passed: it then gets no [V, D] gradient.
  const frozen = ws.every(isFrozen);
  // wasm/cpu: host loops per chunk (fused-logprobs.ts), the log-sum-exps kept on the host.
  const lseHost = fusedLogprobsActive() ? new Float64Array(N) : undefined;
  const tgt = lseHost ? undefined : tf.tensor1d(targets, 'int32');
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const hS = saved[0] as tf.Tensor2D;
    const wS = (frozen ? ws : saved.slice(1, 1 + K)) as tf.Tensor2D[];
    // The unfused path saves its log-sum-exps and targets last; the host path keeps them itself.
    const [lseS, tgtS] = (lseHost ? [] : saved.slice(saved.length - 2)) as [tf.Tensor1D, tf.Tensor1D];
    const dyHost = lseHost ? (dy.dataSync() as Float32Array) : undefined;
    const wT = wS.map((w) => tf.transpose(w) as tf.Tensor2D);
    // Head gradients accumulated as [D, V_k] (plain matmuls), transposed at the end; the first
    // chunk's are the sums' start (a zeros tensor and an add of [D, V] fewer).
    let dWt: tf.Tensor[] | undefined;
    const dhParts: tf.Tensor[] = [];
    for (const [a, b] of chunks) {
      const [dh, ...dWc] = tf.tidy((): tf.Tensor[] => {
        const hc = tf.slice(hS, [a, 0], [b - a, -1]);
        // d logp / d logits of piece k for these rows: (one-hot - softmax) x upstream gradient x 1/T.
        const logitGrad = (k: number): tf.Tensor => {
          if (lseHost) return chunkLogitGrad(tf.matMul(hc, wT[k]), starts[k], targets, a, invT, lseHost, dyHost!);
          const lseC = tf.expandDims(tf.slice(lseS, [a], [b - a]), 1);
          const scale = tf.mul(tf.expandDims(tf.slice(dy, [a], [b - a]), 1), invT); // upstream gradient and 1/T
          const local = K === 1 ? undefined : tf.slice(tgtS, [a], [b - a]);
          const logits = tf.mul(tf.matMul(hc, wT[k]), invT); // [n, V_k]
          const probs = tf.exp(tf.sub(logits, lseC));
          // oneHot(..., 'float32') on the wasm backend (tfjs 4.22) writes the int32 bit pattern
          // (1 reads as 1.4e-45): build it as int32 and cast. Ids outside this piece shift out
          // of 0..V_k-1 and give all-zero rows.
          const ids = local ? tf.sub(local, tf.scalar(starts[k], 'int32')) : tf.slice(tgtS, [a], [b - a]);
          const onehot = tf.cast(tf.oneHot(ids as tf.Tensor1D, sizes[k]), 'float32');
          return tf.mul(tf.sub(onehot, probs), scale); // [n, V_k]
        };
        let dhc: tf.Tensor | undefined;
        const dWs: tf.Tensor[] = [];
        wS.forEach((w, k) => {
          const g = logitGrad(k);
          const d = tf.matMul(g, w);
          dhc = dhc ? tf.add(dhc, d) : d;
          if (!frozen) dWs.push(tf.matMul(tf.transpose(hc), g));
        });
        return [dhc!, ...dWs];
      });
      dhParts.push(dh);
      if (!frozen && !dWt) dWt = dWc;
      else if (dWt) {
        dWt = dWt.map((acc, k) => {
          const next = tf.add(acc, dWc[k]);
          acc.dispose();
          dWc[k].dispose();
          return next;
        });
      }
    }
    wT.forEach((t) => t.dispose());
    const dh = dhParts.length === 1 ? dhParts[0] : tf.concat(dhParts);
    if (dhParts.length > 1) dhParts.forEach((p) => p.dispose());
    if (frozen) return [dh];
    const dW = (dWt ?? wS.map((w) => tf.zeros([w.shape[1], w.shape[0]]))).map((t) => {
      const out = tf.transpose(t);
      t.dispose();
      return out;
    });
    return [dh, ...dW];
  };
  const body = (...args: tf.Tensor[]) => {
    const save = args.pop() as unknown as tf.GradSaveFunc;
    const h2 = args[0] as tf.Tensor2D;
    const w2 = (frozen ? ws : args.slice(1)) as tf.Tensor2D[];
    const parts: tf.Tensor[] = [];
    const lses: tf.Tensor[] = [];
    // Plain matmuls only (see ops.ts): transpose the head once per call.
    const wT = w2.map((w) => tf.transpose(w) as tf.Tensor2D); // [D, V_k]
    if (lseHost) {
      const logp = new Float32Array(N);
      for (const [a, b] of chunks)
        tf.tidy(() => {
          const hc = tf.slice(h2, [a, 0], [b - a, -1]);
          chunkLogprobs(
            wT.map((w) => tf.matMul(hc, w)),
            starts,
            targets,
            a,
            invT,
            logp,
            lseHost,
          );
        });
      wT.forEach((t) => t.dispose());
      save(frozen ? [h2] : [h2, ...w2]);
      return { value: tf.tensor1d(logp), gradFunc };
    }
    for (const [a, b] of chunks) {
      const [lp, lse] = tf.tidy(() => {
        const hc = tf.slice(h2, [a, 0], [b - a, -1]);
        if (K === 1) {
          const logits = tf.mul(tf.matMul(hc, wT[0]), invT); // [n, V]
          const lse = tf.logSumExp(logits, 1); // [n]
          const flatIdx = tf.add(
            tf.mul(tf.range(0, b - a, 1, 'int32'), tf.scalar(V, 'int32')),
            tf.slice(tgt!, [a], [b - a]),
          );
          const picked = tf.gather(tf.reshape(logits, [-1]), flatIdx); // [n]
          return [tf.sub(picked, lse), lse];
        }
        // Per piece: its log-sum-exp [n] and the target's logit where the target lies in it.
        const pieceLse: tf.Tensor[] = [];
        const picked: tf.Tensor[] = [];
        ws.forEach((_, k) => {
          const logits = tf.mul(tf.matMul(hc, wT[k]), invT); // [n, V_k]
          pieceLse.push(tf.logSumExp(logits, 1));
          const { flat, mask } = pieceTargets(targets.slice(a, b), starts[k], sizes[k]);
          picked.push(tf.mul(tf.gather(tf.reshape(logits, [-1]), flat), mask));
        });
        const lse = tf.logSumExp(tf.stack(pieceLse, 1), 1); // [n]
        return [tf.sub(tf.addN(picked), lse), lse];
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
    wT.forEach((t) => t.dispose());
    save(frozen ? [h2, lse, tgt!] : [h2, ...w2, lse, tgt!]);
    return { value, gradFunc };
  };
  type Body = Parameters<typeof tf.customGrad>[0];
  // tgt is left to the caller's tidy/tape scope, which outlives the backward pass.
  const f = tf.customGrad(body as unknown as Body);
  return (frozen ? f(hidden) : f(hidden, ...ws)) as tf.Tensor1D;
}
