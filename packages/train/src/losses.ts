// The two training objectives on TF.js: completion-only cross-entropy (SFT) and the clipped GRPO
// surrogate with optional KL, with TRL's four aggregations (grpo, bnpo, dr_grpo, dapo).
import * as tf from '@tensorflow/tfjs-core';
import { selectedLogprobs, type Qwen2Model } from '@warmup/core';

export interface SftBatch {
  inputIds: number[][]; // [B][L], right-padded
  attentionMask: number[][];
  /** 1 on completion tokens (the loss targets), 0 on prompt and padding. */
  completionMask: number[][];
  /** Packed rows: which example each token belongs to (see ForwardInput.segmentIds). */
  segmentIds?: number[][];
}

/** Positions whose next token is a completion token: logits at t scored against token t+1. */
export function sftSelection(b: SftBatch): { rows: number[]; cols: number[]; targets: number[] } {
  const rows: number[] = [];
  const cols: number[] = [];
  const targets: number[] = [];
  b.inputIds.forEach((ids, r) => {
    for (let t = 0; t + 1 < ids.length; t++) {
      if (b.completionMask[r][t + 1]) {
        rows.push(r);
        cols.push(t);
        targets.push(ids[t + 1]);
      }
    }
  });
  return { rows, cols, targets };
}

/** Mean negative log-likelihood over completion tokens. Returns a scalar; call inside a tape.
 *  `chunkRows` bounds the rows of logits alive at once (tests force several chunks with it). */
export function sftLoss(model: Qwen2Model, batch: SftBatch, chunkRows?: number): tf.Scalar {
  const sel = sftSelection(batch);
  if (sel.rows.length === 0) throw new Error('sftLoss: batch has no completion tokens');
  const logp = selectedLogprobs(
    model,
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, segmentIds: batch.segmentIds },
    sel,
    1,
    chunkRows,
  );
  return tf.neg(tf.mean(logp)) as tf.Scalar;
}

/** TRL's GRPOTrainer loss types. Per micro-batch (TRL then divides by the number of micro-batches
 *  of the step): `grpo` mean over each sequence's tokens, then over sequences; `bnpo` sum over
 *  tokens / tokens of the micro-batch; `dr_grpo` sum / (sequences x max_completion_length).
 *  Per step: `dapo` sum / tokens of the whole step (every micro-batch), the paper's aggregation. */
export type LossType = 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';
export const LOSS_TYPES: readonly LossType[] = ['grpo', 'bnpo', 'dr_grpo', 'dapo'];

export interface GrpoBatch {
  /** Prompt + completion per sequence, [N][P+C]; prompts left-padded to a common length P. */
  inputIds: number[][];
  attentionMask: number[][];
  positionIds?: number[][];
  promptLength: number; // P
  /** Completion token ids [N][C] and which count in the loss (1 up to and including EOS). */
  completionIds: number[][];
  completionMask: number[][];
  advantages: number[]; // [N]
  /** Log-probs at generation time (the "old" policy), flattened over masked tokens. */
  oldLogps?: number[];
  /** Reference-model log-probs, flattened over masked tokens; needed when beta > 0. */
  refLogps?: number[];
  maxCompletionLength: number;
  /** `dapo`: completion tokens of the whole step when this batch is one micro-batch of it
   *  (TRL's num_items_in_batch); defaults to this batch's own. */
  stepTokens?: number;
}

export interface GrpoLossOptions {
  lossType: LossType;
  epsilonLow: number;
  epsilonHigh: number;
  beta: number;
  temperature: number;
  /** Rows of logits alive at once in the log-prob pass (default 256). */
  chunkRows?: number;
}

/** Masked completion tokens, in row-major order: the layout of old/ref log-probs. */
export function grpoSelection(b: GrpoBatch): { rows: number[]; cols: number[]; targets: number[]; seq: number[] } {
  const rows: number[] = [];
  const cols: number[] = [];
  const targets: number[] = [];
  b.completionIds.forEach((ids, r) => {
    ids.forEach((tok, j) => {
      if (b.completionMask[r][j]) {
        rows.push(r);
        cols.push(b.promptLength - 1 + j);
        targets.push(tok);
      }
    });
  });
  return { rows, cols, targets, seq: rows };
}

/** Per-token weights that turn a sum over masked tokens into each aggregation (of this batch). */
export function aggregationWeights(b: GrpoBatch, seq: number[], lossType: LossType): number[] {
  const N = b.completionIds.length;
  const counts = new Array(N).fill(0);
  for (const s of seq) counts[s]++;
  const total = seq.length;
  return seq.map((s) => {
    // grpo: sequences without counted tokens still count in the mean (as 0), as TRL does.
    if (lossType === 'grpo') return 1 / (counts[s] * N);
    if (lossType === 'bnpo') return 1 / Math.max(total, 1);
    if (lossType === 'dapo') return 1 / Math.max(b.stepTokens ?? total, 1);
    return 1 / (N * b.maxCompletionLength);
  });
}

export interface GrpoLossParts {
  loss: tf.Scalar;
  logp: tf.Tensor1D; // current log-probs of the masked tokens
}

/** The value of x with no gradient flowing back (torch's .detach()), without a host round trip. */
const detach = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  void save;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/** The GRPO objective: -min(r A, clip(r, 1-eps_low, 1+eps_high) A) + beta KL, aggregated. */
export function grpoLoss(model: Qwen2Model, batch: GrpoBatch, o: GrpoLossOptions): GrpoLossParts {
  const sel = grpoSelection(batch);
  const logp = selectedLogprobs(
    model,
    { inputIds: batch.inputIds, attentionMask: batch.attentionMask, positionIds: batch.positionIds },
    sel,
    o.temperature,
    o.chunkRows,
  );
  // With one optimisation pass per generation the old policy is the current one: ratio = 1 but
  // the gradient still flows through logp (TRL uses logp.detach() for the same effect).
  const old = batch.oldLogps ? tf.tensor1d(batch.oldLogps) : detach(logp);
  const adv = tf.tensor1d(sel.seq.map((s) => batch.advantages[s]));
  const ratio = tf.exp(tf.sub(logp, old));
  const clipped = tf.clipByValue(ratio, 1 - o.epsilonLow, 1 + o.epsilonHigh);
  let perToken = tf.neg(tf.minimum(tf.mul(ratio, adv), tf.mul(clipped, adv)));
  if (o.beta > 0) {
    if (!batch.refLogps) throw new Error('grpoLoss: beta > 0 needs refLogps');
    const d = tf.sub(tf.tensor1d(batch.refLogps), logp);
    perToken = tf.add(perToken, tf.mul(o.beta, tf.sub(tf.sub(tf.exp(d), d), 1)));
  }
  const w = tf.tensor1d(aggregationWeights(batch, sel.seq, o.lossType));
  return { loss: tf.sum(tf.mul(perToken, w)) as tf.Scalar, logp };
}

/** Group-relative advantages: reward - group mean, optionally / (group std + eps) (unbiased std). */
export function groupAdvantages(
  rewards: number[],
  groupSize: number,
  scale: boolean,
  eps = 1e-4,
): { advantages: number[]; zeroVarianceGroups: number } {
  if (rewards.length % groupSize !== 0)
    throw new Error(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  const out: number[] = [];
  let zero = 0;
  for (let g = 0; g < rewards.length; g += groupSize) {
    const r = rewards.slice(g, g + groupSize);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const std = r.length > 1 ? Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1)) : 0;
    if (std === 0) zero++;
    for (const x of r) out.push(scale ? (x - mean) / (std + eps) : x - mean);
  }
  return { advantages: out, zeroVarianceGroups: zero };
}
