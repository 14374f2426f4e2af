// Every parameter's gradient, element by element in effect: for each HF tensor, three seeded random
// directions d, the TF.js gradient's <g, d> against a central difference of the float64 reference
// loss (packages/core/test/reference.ts, no code shared with the model). A flipped sign, a
// transposed square matrix or a wrong accumulation weight moves <g, d> by about |g|; float32
// rounding by ~1e-5 |g|. On cpu, wasm and webgpu (llvmpipe here), with several logits chunks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  joinedValues,
  loadModel,
  memorySource,
  paramSpecs,
  Rng,
  rowSize,
  toHfLayout,
  type Qwen2Model,
} from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { grpoLoss, grpoStepGrads, sftStepGrads, type Grads, type GrpoBatch, type LossType } from '@warmup/train';
import { randomWeights, rawConfig, writeCheckpoint } from '../../core/test/ckpt.ts';
import { refConfig, refForward, type RefWeights } from '../../core/test/reference.ts';

// The fixture's shape (o_proj is a square 64 x 64, so a transposed gradient has the right shape).
const RAW = rawConfig({
  vocab: 256,
  hidden: 64,
  inter: 176,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  theta: 1e4,
  eps: 1e-6,
  tied: true,
});
const CK = writeCheckpoint(RAW, randomWeights(RAW, 7), 'F32');
const W0: RefWeights = CK.stored;
const CFG = refConfig(RAW);
const H = 1e-5; // central-difference step along a unit-variance direction (float64)
const TOL = 2e-3; // |<g,d> - numeric| / |g|

/** log_softmax(row / T)[target] in float64. */
function logSoftmaxAt(row: Float64Array, T: number, target: number): number {
  let m = -Infinity;
  for (const v of row) m = Math.max(m, v / T);
  let z = 0;
  for (const v of row) z += Math.exp(v / T - m);
  return row[target] / T - m - Math.log(z);
}

// ---- SFT: two micro-batches with 5 and 8 completion tokens (weights 5/13 and 8/13, not 1/2) ----
const rowOf = (ids: number[], L: number, promptLen: number) => ({
  ids: [...ids, ...new Array(L - ids.length).fill(0)],
  mask: [...ids.map(() => 1), ...new Array(L - ids.length).fill(0)],
  comp: ids.map((_, i) => (i >= promptLen ? 1 : 0)).concat(new Array(L - ids.length).fill(0)),
});
const sftMicro = (rows: { ids: number[]; prompt: number }[]) => {
  const L = Math.max(...rows.map((r) => r.ids.length));
  const rs = rows.map((r) => rowOf(r.ids, L, r.prompt));
  return {
    inputIds: rs.map((r) => r.ids),
    attentionMask: rs.map((r) => r.mask),
    completionMask: rs.map((r) => r.comp),
  };
};
const SFT = [
  sftMicro([
    { ids: [1, 40, 41, 9, 17, 23], prompt: 3 },
    { ids: [1, 50, 51, 52, 88], prompt: 3 },
  ]),
  sftMicro([{ ids: [1, 60, 5, 200, 31, 7, 7, 19, 2], prompt: 1 }]),
];

function refSftLoss(W: RefWeights): number {
  let s = 0;
  let n = 0;
  for (const b of SFT)
    b.inputIds.forEach((row, r) => {
      const len = b.attentionMask[r].reduce((a, x) => a + x, 0);
      const ids = row.slice(0, len);
      const logits = refForward(CFG, W, ids);
      for (let t = 0; t + 1 < len; t++)
        if (b.completionMask[r][t + 1]) {
          s -= logSoftmaxAt(logits[t], 1, ids[t + 1]);
          n++;
        }
    });
  return s / n;
}

// ---- GRPO: 5 sequences (micro-batches of 2, 2, 1), one fully masked (a truncated completion) ----
const P = 4;
const C = 5;
const prompts = [
  [1, 40, 41, 42],
  [1, 50, 51],
  [1, 60, 61, 62],
  [1, 70],
  [1, 80, 81],
];
const completions = [
  [9, 17, 23, 2],
  [88, 3],
  [5, 6, 7, 8, 10],
  [31, 2],
  [44, 45, 46],
];
const masked = [true, true, true, true, false]; // row 4 is "truncated" and left out of the loss
function grpoBatch(adv: number[]): GrpoBatch {
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const positionIds: number[][] = [];
  const completionIds: number[][] = [];
  const completionMask: number[][] = [];
  prompts.forEach((p, r) => {
    const c = completions[r];
    const padL = P - p.length;
    const padR = C - c.length;
    inputIds.push([...new Array(padL).fill(0), ...p, ...c, ...new Array(padR).fill(0)]);
    const m = [...new Array(padL).fill(0), ...p.map(() => 1), ...c.map(() => 1), ...new Array(padR).fill(0)];
    attentionMask.push(m);
    let pos = 0;
    positionIds.push(m.map((x) => (x ? pos++ : 1)));
    completionIds.push([...c, ...new Array(padR).fill(0)]);
    completionMask.push([...c.map(() => (masked[r] ? 1 : 0)), ...new Array(padR).fill(0)]);
  });
  return {
    inputIds,
    attentionMask,
    positionIds,
    promptLength: P,
    completionIds,
    completionMask,
    advantages: adv,
    maxCompletionLength: 6,
  };
}
const ADV = [1.5, -0.5, 0.75, -1.75, 0.3];
const TEMP = 0.7;

/** Float64 log-probs of the counted completion tokens at temperature T, row-major. */
function refLogps(W: RefWeights, b: GrpoBatch): number[] {
  const out: number[] = [];
  b.inputIds.forEach((row, r) => {
    const real = row.filter((_, i) => b.attentionMask[r][i]);
    const promptLen = b.attentionMask[r].slice(0, P).reduce((a, x) => a + x, 0);
    const logits = refForward(CFG, W, real);
    b.completionIds[r].forEach((tok, j) => {
      if (b.completionMask[r][j]) out.push(logSoftmaxAt(logits[promptLen - 1 + j], TEMP, tok));
    });
  });
  return out;
}

interface GrpoCase {
  lossType: LossType;
  beta: number;
  microBatch: number;
}

/** TRL's GRPOTrainer loss for one step: per-token clipped surrogate (+ beta k3 KL), aggregated per
 *  micro-batch (grpo, bnpo, dr_grpo; then averaged over micro-batches) or over the step (dapo). */
function refGrpoLoss(W: RefWeights, b: GrpoBatch, c: GrpoCase, old: number[], ref: number[]): number {
  const lp = refLogps(W, b);
  const rowTok: number[][] = b.inputIds.map(() => []);
  let k = 0;
  b.completionMask.forEach((m, r) =>
    m.forEach((x) => {
      if (!x) return;
      const ratio = Math.exp(lp[k] - old[k]);
      const a = b.advantages[r];
      const clipped = Math.min(Math.max(ratio, 0.8), 1.2);
      let l = -Math.min(ratio * a, clipped * a);
      const d = ref[k] - lp[k];
      l += c.beta * (Math.exp(d) - d - 1);
      rowTok[r].push(l);
      k++;
    }),
  );
  const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0);
  const N = rowTok.length;
  if (c.lossType === 'dapo') return sum(rowTok.map(sum)) / Math.max(1, sum(rowTok.map((t) => t.length)));
  const M = Math.ceil(N / c.microBatch);
  let total = 0;
  for (let s = 0; s < N; s += c.microBatch) {
    const rows = rowTok.slice(s, s + c.microBatch);
    if (c.lossType === 'grpo') total += sum(rows.map((t) => sum(t) / Math.max(1, t.length))) / rows.length;
    else if (c.lossType === 'bnpo') total += sum(rows.map(sum)) / Math.max(1, sum(rows.map((t) => t.length)));
    else total += sum(rows.map(sum)) / (rows.length * b.maxCompletionLength);
  }
  return total / M;
}

// ---- directions, perturbation, analytic gradients in HF layout ----
const NAMES = [...W0.keys()];
function direction(seed: number, only?: string): Map<string, Float64Array> {
  const rng = new Rng(seed);
  const d = new Map<string, Float64Array>();
  for (const n of only ? [only] : NAMES)
    d.set(
      n,
      Float64Array.from(W0.get(n)!, () => rng.normal()),
    );
  return d;
}
function perturbed(d: Map<string, Float64Array>, h: number): RefWeights {
  const w = new Map(W0);
  for (const [n, v] of d)
    w.set(
      n,
      Float64Array.from(W0.get(n)!, (x, i) => x + h * v[i]),
    );
  return w;
}
const numeric = (loss: (w: RefWeights) => number, d: Map<string, Float64Array>): number =>
  (loss(perturbed(d, H)) - loss(perturbed(d, -H))) / (2 * H);

/** Gradients in HF layout and names (fused q/k/v and gate/up cut apart, [in, out] transposed back). */
async function hfGrads(model: Qwen2Model, g: Grads): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  for (const spec of paramSpecs(model.config)) {
    const values = await joinedValues(spec, (n) => g.grads.get(n));
    if (!values) continue;
    const all = toHfLayout(spec, values);
    const row = spec.transposed ? spec.shape[0] : rowSize(spec.shape);
    for (const part of spec.parts)
      out.set(part.hfName, Float64Array.from(all.subarray(part.rowStart * row, (part.rowStart + part.rows) * row)));
  }
  for (const t of g.grads.values()) t.dispose();
  return out;
}
const dot = (g: Map<string, Float64Array>, d: Map<string, Float64Array>): number => {
  let s = 0;
  for (const [n, v] of d) {
    const gv = g.get(n)!;
    for (let i = 0; i < v.length; i++) s += gv[i] * v[i];
  }
  return s;
};
const norm = (g: Map<string, Float64Array>, names: string[]): number =>
  Math.sqrt(names.reduce((a, n) => a + g.get(n)!.reduce((x, v) => x + v * v, 0), 0));

// The float64 side does not depend on the backend: computed once.
const memo = new Map<string, number>();
const cached = (key: string, f: () => number): number => {
  if (!memo.has(key)) memo.set(key, f());
  return memo.get(key)!;
};

for (const be of ['cpu', 'wasm', 'webgpu'] as const) {
  describe(`gradients against float64 central differences on ${be}`, () => {
    let model: Qwen2Model;
    beforeAll(async () => {
      await useNodeBackend(be);
      model = await loadModel(memorySource(CK.files, `grad-check-${be}`));
    });

    it('SFT with two accumulated micro-batches and 3-row logits chunks: every parameter, 3 directions each', async () => {
      const before = tf.memory().numTensors;
      const { grads } = await sftStepGrads(model, SFT, 3);
      const g = await hfGrads(model, grads);
      expect(tf.memory().numTensors).toBe(before);
      expect([...g.keys()].sort()).toEqual([...NAMES].sort());
      const worst: [string, number][] = [];
      NAMES.forEach((name, p) => {
        const gn = norm(g, [name]);
        expect(gn, name).toBeGreaterThan(0);
        let err = 0;
        for (let k = 0; k < 3; k++) {
          const d = direction(1000 * p + k, name);
          const want = cached(`sft:${name}:${k}`, () => numeric(refSftLoss, d));
          err = Math.max(err, Math.abs(dot(g, d) - want) / gn);
        }
        worst.push([name, err]);
      });
      for (const [name, err] of worst) expect(err, name).toBeLessThan(TOL);
    });

    const cases: GrpoCase[] =
      be === 'webgpu'
        ? [{ lossType: 'grpo', beta: 0.04, microBatch: 2 }]
        : (['grpo', 'bnpo', 'dr_grpo', 'dapo'] as const).map((lossType) => ({ lossType, beta: 0.04, microBatch: 2 }));
    for (const c of cases) {
      it(`GRPO ${c.lossType}: micro-batches of ${c.microBatch}, a masked row, clipping, KL, explicit old log-probs`, async () => {
        const b = grpoBatch(ADV);
        const lp0 = refLogps(W0, b);
        // Old log-probs off by up to ±0.4 so ratios land on both sides of the clip range.
        const rng = new Rng(5);
        b.oldLogps = lp0.map((x) => x + 0.8 * (rng.next() - 0.5));
        b.refLogps = lp0.map((x) => x + 0.3 * (rng.next() - 0.5));
        const { grads } = await grpoStepGrads(model, b, {
          ...c,
          epsilonLow: 0.2,
          epsilonHigh: 0.2,
          temperature: TEMP,
          chunkRows: 4,
        });
        const g = await hfGrads(model, grads);
        const gn = norm(g, NAMES);
        for (let k = 0; k < 3; k++) {
          const d = direction(77 + k);
          const want = cached(`grpo:${c.lossType}:${k}`, () =>
            numeric((w) => refGrpoLoss(w, b, c, b.oldLogps!, b.refLogps!), d),
          );
          expect(Math.abs(dot(g, d) - want) / gn, `direction ${k}`).toBeLessThan(TOL);
        }
      });
    }

    it('the ratio-1 detach path (no old log-probs) gives the explicit path with old = current log-probs', async () => {
      const b = grpoBatch(ADV);
      const o = {
        lossType: 'dapo' as const,
        beta: 0,
        epsilonLow: 0.2,
        epsilonHigh: 0.2,
        temperature: TEMP,
        microBatch: 5,
      };
      const lpT = tf.tidy(() => grpoLoss(model, b, o).logp);
      const current = Array.from(await lpT.data());
      lpT.dispose();
      const detached = await hfGrads(model, (await grpoStepGrads(model, b, o)).grads);
      const explicit = await hfGrads(model, (await grpoStepGrads(model, { ...b, oldLogps: current }, o)).grads);
      const gn = norm(detached, NAMES);
      for (const n of NAMES) {
        const a = detached.get(n)!;
        const e = explicit.get(n)!;
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
        expect(worst / gn, n).toBeLessThan(1e-5);
      }
      // and both are the gradient of -A * logp (ratio 1, nothing clipped) against float64
      const lp0 = refLogps(W0, b);
      const d = direction(91);
      const want = cached('detach', () =>
        numeric((w) => refGrpoLoss(w, b, { lossType: 'dapo', beta: 0, microBatch: 5 }, lp0, lp0), d),
      );
      expect(Math.abs(dot(detached, d) - want) / gn).toBeLessThan(TOL);
    });
  });
}
