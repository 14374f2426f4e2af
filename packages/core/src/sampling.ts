// Token sampling on the host from one row of logits: temperature, top-k, top-p or greedy, with a
// seeded RNG. Also returns the token's log-probability under the unmodified distribution.
import type { Rng } from './rng.ts';

export interface SamplingOptions {
  /** 0 or `greedy: true` picks the argmax. */
  temperature?: number;
  topK?: number; // 0 = off
  topP?: number; // 1 = off
  greedy?: boolean;
}

export interface Sampled {
  token: number;
  /** log_softmax(raw logits)[token]. */
  logprob: number;
  /** log_softmax(logits / temperature)[token], before any top-k / top-p cut: the log-prob GRPO's
   *  loss takes (TRL divides the logits by the temperature), so its old log-probs can reuse it.
   *  Equal to `logprob` for greedy picks. */
  scaledLogprob: number;
  /** Entropy (nats) of the distribution the token was drawn from: the logits at the temperature,
   *  cut to top-k / top-p and renormalised; 0 for greedy. */
  entropy: number;
}

export function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i] - max);
  return max + Math.log(s);
}

export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Number of probability bins used to find top-k / top-p cut-offs without sorting the whole
 *  vocabulary: four per octave of p / p_max (the last one holds everything below 2^-63). */
const BINS = 256;

// The bin is read from the float's bits (exponent and top two mantissa bits: 4 bins per octave,
// monotone in the value) instead of a log2 per token. Bins need only be monotone for the cut to be
// exact: the bin holding it is sorted.
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0; // the high word's index

function binOf(rel: number): number {
  if (!(rel > 0)) return BINS - 1;
  if (rel >= 1) return 0;
  bits[0] = rel;
  return Math.min(BINS - 1, (0x3ff00000 - words[HIGH]) >>> 18);
}

/** Scratch for one row's weights, reused across calls (a 152k vocabulary is 1.2 MB a row). */
let scratch = new Float64Array(0);

/** The smallest weight w such that tokens with weight >= w form the cut: the top `k` tokens or
 *  the smallest set holding `mass` of the total. Exact: only one bin's values get sorted. */
function cutoff(weights: Float64Array, maxW: number, measure: 'count' | 'mass', target: number): number {
  const acc = new Float64Array(BINS);
  for (let i = 0; i < weights.length; i++) acc[binOf(weights[i] / maxW)] += measure === 'count' ? 1 : weights[i];
  let run = 0;
  let b = 0;
  for (; b < BINS; b++) {
    if (run + acc[b] >= target) break;
    run += acc[b];
  }
  if (b === BINS) return 0;
  const inBin: number[] = [];
  for (let i = 0; i < weights.length; i++) if (binOf(weights[i] / maxW) === b) inBin.push(weights[i]);
  inBin.sort((x, y) => y - x);
  for (const w of inBin) {
    run += measure === 'count' ? 1 : w;
    if (run >= target) return w;
  }
  return inBin[inBin.length - 1] ?? 0;
}

/** Most candidates the nucleus is looked for among by sorting them; past this the histogram
 *  (one pass over the vocabulary, one bin sorted) is cheaper. */
const MAX_SORTED = 512;

/** The nucleus cut among weights >= `floor` holding `target` of the mass: the smallest weight w
 *  such that the tokens with weight >= w, taken from the largest, first reach `target`. Tokens
 *  under tau = (kept - target) / V hold less than kept - target together, so the nucleus lies
 *  among those at or above tau: only these are sorted (few, unless the distribution is flat). */
function nucleusCut(w: Float64Array, floor: number, kept: number, target: number): number {
  const tau = Math.max(floor, (kept - target) / w.length);
  const cand: number[] = [];
  for (let i = 0; i < w.length; i++) {
    if (w[i] < tau || w[i] < floor) continue;
    if (cand.length === MAX_SORTED) {
      const masked = floor > 0 ? w.map((x) => (x >= floor ? x : 0)) : w;
      return cutoff(masked, 1, 'mass', target);
    }
    cand.push(w[i]);
  }
  cand.sort((x, y) => y - x);
  let run = 0;
  for (const x of cand) {
    run += x;
    if (run >= target) return x;
  }
  return cand[cand.length - 1] ?? 0;
}

export function sampleToken(row: Float32Array, opts: SamplingOptions, rng: Rng): Sampled {
  const T = opts.temperature ?? 1;
  if (opts.greedy || T <= 0) {
    const token = argmax(row);
    const logprob = row[token] - logSumExp(row);
    return { token, logprob, scaledLogprob: logprob, entropy: 0 };
  }
  const V = row.length;
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (row[i] > max) max = row[i];
  if (scratch.length < V) scratch = new Float64Array(V);
  const w = scratch.subarray(0, V); // unnormalised probabilities at temperature T
  let total = 0;
  for (let i = 0; i < V; i++) {
    w[i] = Math.exp((row[i] - max) / T);
    total += w[i];
  }
  // At temperature 1 the weights are logSumExp's own terms, summed in the same order: reuse them.
  const lse = T === 1 ? max + Math.log(total) : logSumExp(row);
  let cut = 0;
  const k = opts.topK && opts.topK > 0 ? Math.min(opts.topK, V) : V;
  if (k < V) cut = cutoff(w, 1, 'count', k);
  const topP = opts.topP ?? 1;
  if (topP < 1) {
    // The nucleus is taken inside the top-k set, as transformers' warpers do.
    let kept = total;
    if (cut > 0) {
      kept = 0;
      for (let i = 0; i < V; i++) if (w[i] >= cut) kept += w[i];
    }
    cut = Math.max(cut, nucleusCut(w, cut, kept, topP * kept));
  }
  let z = 0;
  let zx = 0; // sum of w_i log w_i over the kept tokens, for the entropy log z - zx / z
  for (let i = 0; i < V; i++) {
    if (w[i] < cut || w[i] === 0) continue;
    z += w[i];
    zx += w[i] * ((row[i] - max) / T);
  }
  const entropy = Math.max(0, Math.log(z) - zx / z);
  let u = rng.next() * z;
  let token = -1;
  for (let i = 0; i < V; i++) {
    if (w[i] < cut) continue;
    token = i;
    u -= w[i];
    if (u < 0) break;
  }
  // `total` sums exp((row - max) / T) over the whole vocabulary, so this is the full softmax at T.
  return { token, logprob: row[token] - lse, scaledLogprob: (row[token] - max) / T - Math.log(total), entropy };
}
