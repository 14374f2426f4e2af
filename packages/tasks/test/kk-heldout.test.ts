// Held-out K&K puzzles share no statements with the training puzzles, cover the training sizes,
// and are reproducible from their seed.
import { describe, expect, it } from 'vitest';
import { generateKkPuzzles, kkHeldOutPuzzles, kkStatementsKey } from '../src/index.ts';

describe('kkHeldOutPuzzles', () => {
  it('draws puzzles of the training sizes whose statements no training puzzle has', () => {
    // 300 of the 399 two-person puzzles, as the toy experiment's warmup: few unseen ones are left.
    const train = generateKkPuzzles({ people: [2, 3], count: 340, seed: 0 });
    const seen = new Set(train.map((p) => kkStatementsKey(p.statements)));
    const held = kkHeldOutPuzzles(train, 21, 5);
    expect(held).toHaveLength(21);
    expect(held.filter((p) => p.n === 2)).toHaveLength(11);
    expect(held.filter((p) => p.n === 3)).toHaveLength(10);
    for (const p of held) expect(seen.has(kkStatementsKey(p.statements))).toBe(false);
    expect(new Set(held.map((p) => kkStatementsKey(p.statements))).size).toBe(21);
    expect(kkHeldOutPuzzles(train, 21, 5).map((p) => p.quiz)).toEqual(held.map((p) => p.quiz));
  });

  it('keeps fixed names when asked', () => {
    const names = ['Zoey', 'Oliver', 'Mia'];
    const train = generateKkPuzzles({ people: [2], count: 300, seed: 1, names });
    const seen = new Set(train.map((p) => kkStatementsKey(p.statements)));
    const held = kkHeldOutPuzzles(train, 20, 1000, names);
    expect(held.every((p) => p.names.join() === 'Zoey,Oliver')).toBe(true);
    expect(held.some((p) => seen.has(kkStatementsKey(p.statements)))).toBe(false);
  });

  it('refuses when a size has too few unseen puzzles', () => {
    const train = generateKkPuzzles({ people: [2], count: 390, seed: 0 });
    expect(() => kkHeldOutPuzzles(train, 20, 1)).toThrow(/only 9 2-person puzzles are not in the training set/);
  });
});
