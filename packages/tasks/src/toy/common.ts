// Shared machinery of the toy target domains: every domain enumerates its items per difficulty
// level, a hash of each item's key fixes its split (so train and test are disjoint for any seed
// and count), and a seed only shuffles which items of the split are taken.
import { hashSeed, mulberry32 } from '../kk/rng.ts';

export const TOY_DOMAINS = ['math', 'mcq', 'code'] as const;
export type ToyDomain = (typeof TOY_DOMAINS)[number];
export type ToySplit = 'train' | 'test';

/** One generated item: its stable key (decides the split), level, and the public-format record. */
export interface ToyItem {
  key: string;
  level: number;
  record: Record<string, unknown>;
}

export interface ToyGenerateOptions {
  split: ToySplit;
  /** Items to take; Infinity takes the whole split. */
  count: number;
  seed: number;
  /** Difficulty levels to draw from (default: all of the domain's). */
  levels?: readonly number[];
}

/** One in five keys is held out: the same key lands in the same split everywhere. */
export function toySplitOf(domain: string, key: string): ToySplit {
  return hashSeed('toy-split', domain, key) % 5 === 0 ? 'test' : 'train';
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Take `count` items of the split, levels in round-robin (each level's order seeded), so every
 *  level is represented; a level that runs out leaves its share to the others. */
export function pickToyItems(
  domain: string,
  levels: readonly number[],
  enumerate: (level: number) => ToyItem[],
  o: ToyGenerateOptions,
): ToyItem[] {
  const wanted = o.levels ?? levels;
  const bad = wanted.find((l) => !levels.includes(l));
  if (bad !== undefined) throw new RangeError(`toy-${domain}: no level ${bad} (levels are ${levels.join(', ')})`);
  const pools = wanted.map((l) =>
    shuffled(
      enumerate(l).filter((it) => toySplitOf(domain, it.key) === o.split),
      hashSeed(o.seed, domain, l),
    ),
  );
  const total = pools.reduce((s, p) => s + p.length, 0);
  if (o.count === Infinity) return pools.flat();
  if (o.count > total)
    throw new RangeError(
      `toy-${domain}: only ${total} distinct ${o.split} items at levels ${wanted.join(',')}, asked for ${o.count}`,
    );
  const out: ToyItem[] = [];
  for (let round = 0; out.length < o.count; round++)
    for (const p of pools) if (round < p.length && out.length < o.count) out.push(p[round]);
  return out;
}

export const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
