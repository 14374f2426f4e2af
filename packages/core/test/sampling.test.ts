// Host-side sampling: top-k and top-p keep exactly the tokens a full sort would, and the
// empirical distribution follows the renormalised probabilities.
import { describe, it, expect } from 'vitest';
import { Rng, sampleToken } from '@warmup/core';

function probs(logits: number[], T: number): number[] {
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp((x - m) / T));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** Reference: sort all tokens, keep top-k then the nucleus, renormalise. */
function allowed(logits: number[], T: number, topK: number, topP: number): Map<number, number> {
  const p = probs(logits, T);
  let order = p.map((_, i) => i).sort((a, b) => p[b] - p[a]);
  if (topK > 0) order = order.slice(0, topK);
  const mass = order.reduce((a, i) => a + p[i], 0);
  const keep: number[] = [];
  let cum = 0;
  for (const i of order) {
    keep.push(i);
    cum += p[i];
    if (cum >= topP * mass - 1e-12) break;
  }
  const z = keep.reduce((a, i) => a + p[i], 0);
  return new Map(keep.map((i) => [i, p[i] / z]));
}

describe('sampleToken', () => {
  const rng = new Rng(3);
  const V = 2000;
  const logits = Array.from({ length: V }, () => rng.normal() * 2);
  const row = Float32Array.from(logits);

  for (const [T, topK, topP] of [
    [1, 0, 0.9],
    [0.7, 50, 1],
    [1.3, 100, 0.8],
    [0.5, 0, 0.5],
  ] as const) {
    it(`T=${T} top-k=${topK} top-p=${topP}: samples only the reference set, with its probabilities`, () => {
      const ref = allowed(logits, T, topK, topP);
      const counts = new Map<number, number>();
      const r = new Rng(11);
      const n = 20000;
      for (let i = 0; i < n; i++) {
        const s = sampleToken(row, { temperature: T, topK, topP }, r);
        expect(ref.has(s.token)).toBe(true);
        counts.set(s.token, (counts.get(s.token) ?? 0) + 1);
      }
      // The most likely allowed tokens appear at their renormalised rate (3 sigma).
      const top = [...ref.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      for (const [tok, p] of top) {
        const got = (counts.get(tok) ?? 0) / n;
        expect(Math.abs(got - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / n) + 1e-3);
      }
    });
  }

  it('reports the entropy of the distribution it sampled from (temperature, top-k, top-p), 0 when greedy', () => {
    for (const [T, topK, topP] of [
      [1, 0, 1],
      [0.7, 0, 0.95],
      [1.3, 100, 0.8],
    ] as const) {
      const ref = [...allowed(logits, T, topK, topP).values()];
      const h = -ref.reduce((a, p) => a + p * Math.log(p), 0);
      const s = sampleToken(row, { temperature: T, topK, topP }, new Rng(2));
      expect(Math.abs(s.entropy - h), `T=${T} k=${topK} p=${topP}`).toBeLessThan(1e-6 * Math.max(1, h));
    }
    // Not the cross-entropy of the raw logits: the cut and the temperature lower it.
    const raw = -probs(logits, 1).reduce((a, p) => a + p * Math.log(p), 0);
    expect(sampleToken(row, { temperature: 0.7, topP: 0.95 }, new Rng(2)).entropy).toBeLessThan(raw - 0.1);
    expect(sampleToken(row, { greedy: true }, new Rng(2)).entropy).toBe(0);
  });

  it('reports the log-probability under the unmodified distribution', () => {
    const s = sampleToken(row, { temperature: 0.5, topP: 0.9 }, new Rng(1));
    const lp = Math.log(probs(logits, 1)[s.token]);
    expect(Math.abs(s.logprob - lp)).toBeLessThan(1e-4);
  });
});

describe('sampleToken draws the same ids as a full sort', () => {
  /** The token a full-sort sampler picks for one uniform draw: inverse CDF over the kept set in
   *  vocabulary order, as sampleToken walks it. */
  function sortedDraw(logits: number[], T: number, topK: number, topP: number, u: number): number {
    const keep = allowed(logits, T, topK, topP);
    const m = Math.max(...logits);
    const w = logits.map((x) => Math.exp((x - m) / T));
    const ids = [...keep.keys()].sort((a, b) => a - b);
    let left = u * ids.reduce((a, i) => a + w[i], 0);
    for (const i of ids) {
      left -= w[i];
      if (left < 0) return i;
    }
    return ids[ids.length - 1];
  }

  // Peaked rows keep few candidates (sorted directly); flat rows take the histogram path.
  for (const [name, spread] of [
    ['peaked', 6],
    ['flat', 0.3],
  ] as const) {
    it(`${name} logits: every draw equals the full-sort sampler's under the same seed`, () => {
      const gen = new Rng(21);
      for (const [T, topK, topP] of [
        [1, 0, 0.9],
        [0.7, 0, 0.95],
        [1.3, 40, 0.8],
        [1, 0, 1],
      ] as const) {
        const logits = Array.from({ length: 1500 }, () => gen.normal() * spread);
        const row = Float32Array.from(logits);
        const a = new Rng(5);
        const b = new Rng(5);
        for (let i = 0; i < 200; i++) {
          const s = sampleToken(row, { temperature: T, topK, topP }, a);
          expect(s.token, `T=${T} k=${topK} p=${topP} draw ${i}`).toBe(sortedDraw(logits, T, topK, topP, b.next()));
        }
      }
    });
  }
});
