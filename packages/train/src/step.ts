// One optimisation step shared by every trainer: gradients of a loss over the model's variables
// (accumulated over micro-batches), a NaN/Inf guard, global-norm clipping and the AdamW update.
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Model } from '@warmup/core';
import { type AdamW, clipGrads, globalNorm } from './optimizer.ts';

export interface Grads {
  grads: Map<string, tf.Tensor>; // internal parameter name -> gradient
  loss: number; // weighted loss of what was accumulated
}

/** Gradient of `weight * lossFn()` w.r.t. the model's trainable parameters (every parameter, or
 *  only the LoRA adapters when attached), added into `acc`. Training mode (LoRA dropout) is on
 *  while `lossFn` runs. */
export async function accumulateGrads(
  model: Qwen2Model,
  lossFn: () => tf.Scalar,
  weight: number,
  acc?: Grads,
): Promise<Grads> {
  const params = model.trainableParams();
  const names = [...params.keys()];
  const vars = names.map((n) => params.get(n)!);
  const wasTraining = model.training;
  model.training = true;
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    result = tf.variableGrads(() => tf.mul(lossFn(), weight) as tf.Scalar, vars);
  } finally {
    model.training = wasTraining;
  }
  const { value, grads } = result;
  // Asynchronous read: WebGPU in Node has no synchronous download path.
  const loss = (await value.data())[0];
  value.dispose();
  const out: Grads = acc ?? { grads: new Map(), loss: 0 };
  out.loss += loss;
  names.forEach((n, i) => {
    const g = grads[vars[i].name];
    if (!g) return;
    const prev = out.grads.get(n);
    if (prev) {
      out.grads.set(n, tf.add(prev, g));
      prev.dispose();
      g.dispose();
    } else out.grads.set(n, g);
  });
  return out;
}

export interface ApplyResult {
  gradNorm: number;
  /** True when the loss or a gradient was NaN/Inf and the update was not applied. */
  skipped: boolean;
}

export async function applyGrads(
  model: Qwen2Model,
  opt: AdamW,
  g: Grads,
  lr: number,
  maxGradNorm: number,
): Promise<ApplyResult> {
  try {
    const norm = await globalNorm(g.grads);
    if (!Number.isFinite(norm) || !Number.isFinite(g.loss)) return { gradNorm: norm, skipped: true };
    clipGrads(g.grads, norm, maxGradNorm);
    opt.apply(model.trainableParams(), g.grads, lr);
    return { gradNorm: norm, skipped: false };
  } finally {
    for (const t of g.grads.values()) t.dispose();
    g.grads.clear();
  }
}
