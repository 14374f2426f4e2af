// Small descriptive statistics for eval reports: mean, standard deviation, quantiles, and the
// paper's "pass@1 mean ± std over the n samples".

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Standard deviation; ddof 0 (population, numpy's default) unless told otherwise. */
export function std(xs: readonly number[], ddof = 0): number {
  if (xs.length - ddof <= 0) return xs.length === 0 ? Number.NaN : 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - ddof));
}

/** Quantile with linear interpolation between order statistics (numpy's default method). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export interface Pass1Stats {
  mean: number;
  std: number;
  /** Accuracy over questions of sample j, for each j: one "run" each, as the paper reports. */
  per_sample: number[];
}

/** correct[q][j]: whether sample j of question q was right. Every question needs n samples. */
export function pass1OverSamples(correct: readonly (readonly boolean[])[], n: number): Pass1Stats {
  const perSample: number[] = [];
  for (let j = 0; j < n; j++) {
    let hits = 0;
    for (const row of correct) {
      if (row.length !== n)
        throw new RangeError(`pass1OverSamples: a question has ${row.length} samples, expected ${n}`);
      if (row[j]) hits++;
    }
    perSample.push(correct.length ? hits / correct.length : Number.NaN);
  }
  return { mean: mean(perSample), std: std(perSample), per_sample: perSample };
}
