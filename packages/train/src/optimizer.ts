// AdamW with decoupled weight decay (as torch.optim.AdamW) and global-norm gradient clipping.
// Its moments are plain variables so checkpoints can save and restore them exactly.
import * as tf from '@tensorflow/tfjs-core';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const DEFAULT_ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

export class AdamW {
  /** Number of updates applied so far (bias correction uses it). */
  t = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly opts: AdamWOptions,
    /** Parameters that get weight decay (HF convention: not biases or norm weights). */
    private readonly decays: (name: string) => boolean = () => true,
  ) {}

  /** p <- p - lr * (m_hat / (sqrt(v_hat) + eps) + wd * p). */
  apply(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number): void {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (!p) continue;
      if (!this.m.has(name)) {
        // tf.variable copies its initial value: create the zeros inside tidy so they are freed.
        this.m.set(
          name,
          tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
        );
        this.v.set(
          name,
          tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
        );
      }
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const wd = this.decays(name) ? weightDecay : 0;
      tf.tidy(() => {
        const m2 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m2);
        v.assign(v2);
        const step = tf.div(tf.div(m2, bc1), tf.add(tf.sqrt(tf.div(v2, bc2)), eps));
        const update = wd > 0 ? tf.add(step, tf.mul(p, wd)) : step;
        p.assign(tf.sub(p, tf.mul(update, lr)));
      });
    }
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Global L2 norm of all gradients (one scalar read back to the host). */
export async function globalNorm(grads: Map<string, tf.Tensor>): Promise<number> {
  // Summed in a chain of adds rather than one addN: an addN over every gradient needs one
  // storage buffer per input, and WebGPU adapters may allow only 8 per shader stage
  // (llvmpipe), where it silently returned garbage.
  const sq = tf.tidy(() => [...grads.values()].map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b)));
  const v = (await sq.data())[0];
  sq.dispose();
  return Math.sqrt(v);
}

/** Scale gradients in place so their global norm is at most maxNorm (torch's clip_grad_norm_). */
export function clipGrads(grads: Map<string, tf.Tensor>, norm: number, maxNorm: number): void {
  if (!(maxNorm > 0) || norm <= maxNorm) return;
  const coef = maxNorm / (norm + 1e-6);
  for (const [k, g] of grads) {
    grads.set(k, tf.mul(g, coef));
    g.dispose();
  }
}
