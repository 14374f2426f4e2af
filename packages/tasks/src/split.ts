// Seeded train / held-out split: the paper adapts on at most 100 examples and evaluates on the
// rest. The same seed gives the same split everywhere (a seeded PRNG, not Math.random).
import { mulberry32 } from './kk/rng.ts';

export interface Split<T> {
  train: T[];
  heldOut: T[];
}

/** Shuffle a copy (Fisher–Yates), then take `trainSize` for training and keep the rest held out,
 *  each side in the original order so reports read in file order. */
export function seededSplit<T>(items: readonly T[], opts: { seed: number; trainSize: number }): Split<T> {
  if (!Number.isInteger(opts.trainSize) || opts.trainSize < 0)
    throw new RangeError(`trainSize must be a non-negative integer, got ${opts.trainSize}`);
  const { next } = mulberry32(opts.seed);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const chosen = new Set(order.slice(0, Math.min(opts.trainSize, items.length)));
  const train: T[] = [];
  const heldOut: T[] = [];
  items.forEach((x, i) => (chosen.has(i) ? train : heldOut).push(x));
  return { train, heldOut };
}
