// Matmul building blocks chosen by measurement: TF.js-wasm runs 2-D matmuls with a transposed
// operand ~10x slower than plain ones (21.7 ms vs 2.3 ms for 512x256x256; WebGPU 38 vs 26 ms),
// and matMul's built-in gradient uses exactly those. So weights are stored [in, out] and
// `linear` has a gradient made of explicit transposes plus plain matmuls.
import * as tf from '@tensorflow/tfjs-core';

const linearOp = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** True for a variable marked non-trainable (the base weights under LoRA). */
export function isFrozen(w: tf.Tensor): boolean {
  return (w as { trainable?: boolean }).trainable === false;
}

/** x [N, in] @ w [in, out] -> [N, out]; w may come in column pieces (a weight split to fit the
 *  binding limit), whose outputs are concatenated. A frozen w (see isFrozen) is not an input of
 *  the gradient: customGrad computes every input's gradient, and dW would cost a full matmul. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D | tf.Tensor2D[]): tf.Tensor2D {
  if (Array.isArray(w)) {
    if (w.length === 1) return linear(x, w[0]);
    return tf.concat(
      w.map((piece) => linear(x, piece)),
      1,
    );
  }
  if (isFrozen(w)) return frozenLinear(x, w);
  return linearOp(x, w) as tf.Tensor2D;
}

function frozenLinear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  // A variable outlives the backward pass, so capturing it (rather than saving it) is safe.
  const op = tf.customGrad(((xi: tf.Tensor) => ({
    value: tf.matMul(xi as tf.Tensor2D, w),
    gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, tf.transpose(w))],
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor2D;
}

/** Columns [start, start + size) of a 2-D tensor (a slice: cheaper than SplitV on wasm). */
export function cols(x: tf.Tensor2D, start: number, size: number): tf.Tensor2D {
  return tf.slice(x, [0, start], [-1, size]);
}

/** Rows `ids` of a matrix [V, D] kept as row pieces (an embedding split to fit the binding limit):
 *  each piece gathers the ids in its range, and one more gather puts the rows back in order. */
export function gatherRows(pieces: tf.Tensor2D[], ids: number[]): tf.Tensor2D {
  if (pieces.length === 1) return tf.gather(pieces[0], tf.tensor1d(ids, 'int32'));
  const order: number[] = []; // position in `ids` of each gathered row, piece by piece
  const gathered: tf.Tensor2D[] = [];
  let start = 0;
  for (const piece of pieces) {
    const end = start + piece.shape[0];
    const local: number[] = [];
    ids.forEach((id, i) => {
      if (id >= start && id < end) {
        order.push(i);
        local.push(id - start);
      }
    });
    if (local.length) gathered.push(tf.gather(piece, tf.tensor1d(local, 'int32')));
    start = end;
  }
  if (order.length !== ids.length) throw new Error(`gatherRows: token id out of range 0..${start - 1}`);
  const inverse = new Int32Array(ids.length);
  order.forEach((pos, j) => {
    inverse[pos] = j;
  });
  return tf.gather(tf.concat(gathered, 0), tf.tensor1d(inverse, 'int32'));
}
