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
  /** log_softmax(raw logits)[token]: what RL's old log-probs need. */
  logprob: number;
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

/** Number of log-scale probability bins used to find top-k / top-p cut-offs without sorting
 *  the whole vocabulary: bin i holds tokens with p / p_max in (2^-(i+1)/4, 2^-i/4]. */
const BINS = 256;

function binOf(rel: number): number {
  if (rel <= 0) return BINS - 1;
  return Math.min(BINS - 1, Math.floor(-Math.log2(rel) * 4));
}

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

export function sampleToken(row: Float32Array, opts: SamplingOptions, rng: Rng): Sampled {
  const lse = logSumExp(row);
  const T = opts.temperature ?? 1;
  if (opts.greedy || T <= 0) {
    const token = argmax(row);
    return { token, logprob: row[token] - lse, entropy: 0 };
  }
  const V = row.length;
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (row[i] > max) max = row[i];
  const w = new Float64Array(V); // unnormalised probabilities at temperature T
  let total = 0;
  for (let i = 0; i < V; i++) {
    w[i] = Math.exp((row[i] - max) / T);
    total += w[i];
  }
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
    const masked = cut > 0 ? w.map((x) => (x >= cut ? x : 0)) : w;
    cut = Math.max(cut, cutoff(masked, 1, 'mass', topP * kept));
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
  return { token, logprob: row[token] - lse, entropy };
}
