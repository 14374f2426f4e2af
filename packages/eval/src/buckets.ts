// Difficulty buckets: questions grouped by how often a reference run (usually the base model)
// solved them, so gains and losses of a method can be located (companion paper, 2505.14216).

export interface BucketSpec {
  name: string;
  lo: number;
  hi: number;
  loClosed: boolean;
  hiClosed: boolean;
}

const INNER_NAMES: Record<number, string[]> = {
  1: ['sometimes'],
  2: ['hard', 'easy'],
  3: ['hard', 'medium', 'easy'],
  4: ['hardest', 'hard', 'easy', 'easiest'],
};

/**
 * Buckets from interior edges in (0, 1): always `unsolved` = {0} and `always` = {1}, and between
 * them (0, e1], (e1, e2], …, (e_last, 1). Edges [0.25, 0.75] give the default five buckets.
 */
export function bucketsFromEdges(edges: readonly number[], names?: readonly string[]): BucketSpec[] {
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    if (!Number.isFinite(e) || e <= 0 || e >= 1)
      throw new RangeError(`bucket edges must lie strictly between 0 and 1, got ${e}`);
    if (i > 0 && e <= edges[i - 1]) throw new RangeError(`bucket edges must increase, got ${edges[i - 1]} then ${e}`);
  }
  const inner = edges.length + 1;
  const innerNames = names ?? INNER_NAMES[inner] ?? Array.from({ length: inner }, (_, i) => `b${i + 1}`);
  if (innerNames.length !== inner)
    throw new RangeError(`${edges.length} edges make ${inner} buckets, got ${innerNames.length} names`);
  const cuts = [0, ...edges, 1];
  const out: BucketSpec[] = [{ name: 'unsolved', lo: 0, hi: 0, loClosed: true, hiClosed: true }];
  for (let i = 0; i < inner; i++) {
    out.push({ name: innerNames[i], lo: cuts[i], hi: cuts[i + 1], loClosed: false, hiClosed: i < inner - 1 });
  }
  out.push({ name: 'always', lo: 1, hi: 1, loClosed: true, hiClosed: true });
  return out;
}

export const DEFAULT_BUCKET_EDGES: readonly number[] = [0.25, 0.75];

export const DEFAULT_BUCKETS: readonly BucketSpec[] = bucketsFromEdges(DEFAULT_BUCKET_EDGES);

/** "0", "(0, 0.25]", "(0.75, 1)", "1". */
export function bucketRange(b: BucketSpec): string {
  if (b.lo === b.hi) return String(b.lo);
  return `${b.loClosed ? '[' : '('}${b.lo}, ${b.hi}${b.hiClosed ? ']' : ')'}`;
}

export function inBucket(rate: number, b: BucketSpec): boolean {
  const aboveLo = b.loClosed ? rate >= b.lo : rate > b.lo;
  const belowHi = b.hiClosed ? rate <= b.hi : rate < b.hi;
  return aboveLo && belowHi;
}

/** Index of the first bucket holding `rate`, or −1. */
export function bucketOf(rate: number, buckets: readonly BucketSpec[]): number {
  return buckets.findIndex((b) => inBucket(rate, b));
}

/** Per-question solve rate (correct / samples) from graded completions. */
export function solveRates(records: Iterable<{ id: string; correct: boolean }>): Map<string, number> {
  const tally = new Map<string, { n: number; c: number }>();
  for (const r of records) {
    const t = tally.get(r.id) ?? { n: 0, c: 0 };
    t.n++;
    if (r.correct) t.c++;
    tally.set(r.id, t);
  }
  const out = new Map<string, number>();
  for (const [id, t] of tally) out.set(id, t.c / t.n);
  return out;
}
