// Supervised fine-tuning on (prompt, completion) pairs with the loss on completion tokens only:
// tokenisation, length-bucketed batches, gradient accumulation and periodic held-out evaluation.
import * as tf from '@tensorflow/tfjs-core';
import type { Qwen2Model } from '@warmup/core';
import { sftLoss, sftSelection, type SftBatch } from './losses.ts';
import { accumulateGrads, type Grads } from './step.ts';
import { batchAt } from './data-order.ts';
import { runLoop, type LoopOptions } from './loop.ts';
import type { AdamW } from './optimizer.ts';
import type { TrainerState } from './checkpoint.ts';

export { fitExample } from './recipes.ts';

export interface SftExample {
  promptIds: number[];
  /** Completion ids, ending with EOS. */
  completionIds: number[];
}

export interface SftOptions extends LoopOptions {
  batchSize: number;
  gradAccum: number;
  padTokenId: number;
  seed: number;
  /** Sort windows of `bucketWindow` batches by length so batches carry little padding (0 = off). */
  bucketWindow: number;
  evalEvery: number;
  /** Pack each micro-batch's examples into rows of at most this many tokens (0 = no packing). */
  packLength?: number;
  /** Extra evaluation (e.g. held-out accuracy) merged into the metrics every evalEvery steps. */
  evaluate?: (model: Qwen2Model, step: number) => Promise<Record<string, number>>;
}

/** Pack examples into as few rows of at most `maxLen` tokens as first-fit-decreasing finds; each
 *  row is a right-padded batch row whose examples attend only to themselves (segmentIds). The
 *  loss is the unpacked batch's, with less padding. */
export function makePackedSftBatch(examples: SftExample[], padTokenId: number, maxLen: number): SftBatch {
  const len = (e: SftExample): number => e.promptIds.length + e.completionIds.length;
  const order = examples.map((_, i) => i).sort((a, b) => len(examples[b]) - len(examples[a]) || a - b);
  const rows: { items: SftExample[]; used: number }[] = [];
  for (const i of order) {
    const e = examples[i];
    const row = rows.find((r) => r.used + len(e) <= maxLen);
    if (row) {
      row.items.push(e);
      row.used += len(e);
    } else rows.push({ items: [e], used: len(e) });
  }
  const L = Math.max(...rows.map((r) => r.used));
  const out: SftBatch = { inputIds: [], attentionMask: [], completionMask: [], segmentIds: [] };
  for (const r of rows) {
    const ids: number[] = [];
    const comp: number[] = [];
    const seg: number[] = [];
    r.items.forEach((e, k) => {
      ids.push(...e.promptIds, ...e.completionIds);
      comp.push(...e.promptIds.map(() => 0), ...e.completionIds.map(() => 1));
      seg.push(...new Array(len(e)).fill(k));
    });
    const pad = L - ids.length;
    out.inputIds.push([...ids, ...new Array(pad).fill(padTokenId)]);
    out.attentionMask.push([...ids.map(() => 1), ...new Array(pad).fill(0)]);
    out.completionMask.push([...comp, ...new Array(pad).fill(0)]);
    out.segmentIds!.push([...seg, ...new Array(pad).fill(-1)]);
  }
  return out;
}

/** Right-padded batch with a completion mask. */
export function makeSftBatch(examples: SftExample[], padTokenId: number): SftBatch {
  const L = Math.max(...examples.map((e) => e.promptIds.length + e.completionIds.length));
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const completionMask: number[][] = [];
  for (const e of examples) {
    const ids = [...e.promptIds, ...e.completionIds];
    const pad = L - ids.length;
    inputIds.push([...ids, ...new Array(pad).fill(padTokenId)]);
    attentionMask.push([...ids.map(() => 1), ...new Array(pad).fill(0)]);
    completionMask.push([...e.promptIds.map(() => 0), ...e.completionIds.map(() => 1), ...new Array(pad).fill(0)]);
  }
  return { inputIds, attentionMask, completionMask };
}

/** Example indices of the micro-batch at `cursor`, optionally length-bucketed within a window. */
export function sftBatchIndices(
  data: SftExample[],
  o: Pick<SftOptions, 'seed' | 'batchSize' | 'bucketWindow'>,
  cursor: number,
): number[] {
  if (!o.bucketWindow) return batchAt(data.length, o.seed, cursor, o.batchSize);
  const W = o.batchSize * o.bucketWindow;
  const start = Math.floor(cursor / W) * W;
  const win = batchAt(data.length, o.seed, start, W);
  const len = (i: number): number => data[i].promptIds.length + data[i].completionIds.length;
  const sorted = [...win].sort((a, b) => len(a) - len(b) || a - b);
  const off = cursor - start;
  return sorted.slice(off, off + o.batchSize);
}

/** Mean completion-token loss over examples, without gradients. */
export async function sftEvalLoss(
  model: Qwen2Model,
  data: SftExample[],
  batchSize: number,
  padTokenId: number,
): Promise<number> {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < data.length; i += batchSize) {
    const batch = makeSftBatch(data.slice(i, i + batchSize), padTokenId);
    const tokens = sftSelection(batch).rows.length;
    const t = tf.tidy(() => sftLoss(model, batch));
    sum += (await t.data())[0] * tokens;
    t.dispose();
    n += tokens;
  }
  return sum / Math.max(n, 1);
}

/** Gradients of one SFT step over its micro-batches: each micro-batch's mean loss is weighted by
 *  its share of the step's completion tokens, so the sum is the gradient of the mean over every
 *  completion token of the step (what one big batch would give). */
export async function sftStepGrads(
  model: Qwen2Model,
  micro: SftBatch[],
  chunkRows?: number,
): Promise<{ grads: Grads; lossTokens: number }> {
  const counts = micro.map((b) => sftSelection(b).rows.length);
  const total = counts.reduce((a, b) => a + b, 0);
  let g: Grads | undefined;
  for (let k = 0; k < micro.length; k++)
    g = await accumulateGrads(model, () => sftLoss(model, micro[k], chunkRows), counts[k] / total, g);
  if (!g) throw new Error('SFT: a step needs at least one micro-batch');
  return { grads: g, lossTokens: total };
}

export async function trainSft(
  model: Qwen2Model,
  optimizer: AdamW,
  state: TrainerState,
  train: SftExample[],
  heldOut: SftExample[],
  o: SftOptions,
): Promise<TrainerState> {
  if (train.length === 0) throw new Error('SFT: no training examples');
  return runLoop(
    model,
    optimizer,
    state,
    o,
    async (s) => {
      // Micro-batches are weighted by their share of loss tokens so the accumulated gradient is
      // the gradient of the mean over every completion token of the step.
      const micro: SftBatch[] = [];
      for (let k = 0; k < o.gradAccum; k++) {
        const examples = sftBatchIndices(train, o, s.cursor + k * o.batchSize).map((i) => train[i]);
        micro.push(
          o.packLength
            ? makePackedSftBatch(examples, o.padTokenId, o.packLength)
            : makeSftBatch(examples, o.padTokenId),
        );
      }
      const { grads: g, lossTokens: total } = await sftStepGrads(model, micro);
      const tokens = micro.reduce((a, b) => a + b.attentionMask.flat().reduce((x, y) => x + y, 0), 0);
      return {
        grads: g,
        consumed: o.batchSize * o.gradAccum,
        tokens,
        metrics: { loss_tokens: total, epoch: s.cursor / train.length },
      };
    },
    async (s) => {
      if (!o.evalEvery || (s.step % o.evalEvery !== 0 && s.step !== o.maxSteps)) return {};
      const m: Record<string, number> = {};
      if (heldOut.length) m.eval_loss = await sftEvalLoss(model, heldOut, o.batchSize, o.padTokenId);
      if (o.evaluate) Object.assign(m, await o.evaluate(model, s.step));
      return m;
    },
  );
}
