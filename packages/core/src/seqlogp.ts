// Log-probabilities of chosen tokens at chosen positions of a batch: the quantity both SFT
// (completion tokens) and GRPO (sampled tokens) are built on.
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardInput, Qwen2Model } from './model.ts';
import { tokenLogprobs } from './logprobs.ts';

/** Positions (row, col) whose logits are scored against `targets` (the token at col + 1). */
export interface TokenSelection {
  rows: number[];
  cols: number[];
  targets: number[];
}

/** logp [N] for every selected position; only the selected rows ever reach the LM head. */
export function selectedLogprobs(
  model: Qwen2Model,
  input: ForwardInput,
  sel: TokenSelection,
  temperature = 1,
  chunkRows = 256,
): tf.Tensor1D {
  const { hidden } = model.forward(input); // [B, T, D]
  const [B, T, D] = hidden.shape;
  if (sel.rows.some((r) => r < 0 || r >= B) || sel.cols.some((c) => c < 0 || c >= T))
    throw new Error('selectedLogprobs: selection outside the batch');
  const idx = tf.tensor1d(
    sel.rows.map((r, i) => r * T + sel.cols[i]),
    'int32',
  );
  const h = tf.gather(tf.reshape(hidden, [B * T, D]), idx) as tf.Tensor2D; // [N, D]
  return tokenLogprobs(h, model.lmHeadParts() as tf.Tensor2D[], sel.targets, temperature, chunkRows);
}
