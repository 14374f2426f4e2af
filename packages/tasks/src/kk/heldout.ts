// Held-out K&K puzzles for a run trained on given puzzles: the same sizes, none with the same
// statements (a puzzle with new names but seen statements is not held out).
import { puzzleCapacity, generatePuzzlesOfSize } from './generator.ts';
import { statementsKey } from './logic.ts';
import type { KkPuzzle } from './types.ts';

/** `count` puzzles over the sizes of `train` (split evenly), drawn with `seed` (and the generator's
 *  fixed `names`, if the training puzzles used them), whose statements appear in no training
 *  puzzle. Throws RangeError when a size has too few unseen puzzles left. */
export function heldOutPuzzles(
  train: readonly KkPuzzle[],
  count: number,
  seed: number,
  names?: readonly string[],
): KkPuzzle[] {
  if (!Number.isInteger(count) || count <= 0) throw new RangeError(`count must be a positive integer, got ${count}`);
  const sizes = [...new Set(train.map((p) => p.n))].sort((a, b) => a - b);
  if (!sizes.length) throw new RangeError('held-out puzzles: no training puzzles to hold out from');
  const seen = new Set(train.map((p) => statementsKey(p.statements)));
  const out: KkPuzzle[] = [];
  sizes.forEach((n, i) => {
    const want = Math.floor(count / sizes.length) + (i < count % sizes.length ? 1 : 0);
    if (!want) return;
    const seenOfSize = train.filter((p) => p.n === n).length;
    // Distinct draws: at most seenOfSize of them are training puzzles, so this many always suffice.
    const draw = seenOfSize + want;
    if (draw > puzzleCapacity(n))
      throw new RangeError(
        `held-out puzzles: only ${puzzleCapacity(n) - seenOfSize} ${n}-person puzzles are not in the training set; asked for ${want}`,
      );
    const fresh = generatePuzzlesOfSize(n, draw, seed, 0, names).filter((p) => !seen.has(statementsKey(p.statements)));
    out.push(...fresh.slice(0, want));
  });
  return out;
}
