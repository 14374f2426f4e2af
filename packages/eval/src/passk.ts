// Unbiased pass@k from n samples with c correct (Chen et al. 2021): 1 − C(n−c, k)/C(n, k), in the
// product form 1 − Π_{i=n−c+1}^{n} (1 − k/i), which never forms large binomials.

function checkCounts(n: number, c: number, k: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`pass@k: n must be an integer >= 1, got ${n}`);
  if (!Number.isInteger(c) || c < 0 || c > n)
    throw new RangeError(`pass@k: c must be an integer in [0, ${n}], got ${c}`);
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new RangeError(`pass@k: k must be an integer in [1, ${n}], got ${k}`);
}

/** Probability that at least one of k samples drawn without replacement from n (c correct) is correct. */
export function passAtK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  // Fewer than k wrong samples: every draw of k contains a correct one.
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}

/** Per-question sample counts: how many samples were drawn and how many were correct. */
export interface SolveCount {
  n: number;
  c: number;
}

/** Mean pass@k over questions (the dataset-level capability estimate). NaN for no questions. */
export function meanPassAtK(counts: readonly SolveCount[], k: number): number {
  if (counts.length === 0) return Number.NaN;
  let s = 0;
  for (const { n, c } of counts) s += passAtK(n, c, k);
  return s / counts.length;
}

/** The k values reported for n samples: powers of two up to n, plus n itself (pass@n). */
export function reportedKs(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`reportedKs: n must be an integer >= 1, got ${n}`);
  const ks: number[] = [];
  for (let k = 1; k <= n; k *= 2) ks.push(k);
  if (ks[ks.length - 1] !== n) ks.push(n);
  return ks;
}
