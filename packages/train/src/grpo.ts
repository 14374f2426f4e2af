// GRPO (RLVR) on a small prompt set: sample G completions per prompt, score them with weighted
// reward functions, turn rewards into group-relative advantages and optimise the clipped
// surrogate for num_iterations passes. Optimizer, loop and checkpoints are shared with SFT.
import * as tf from '@tensorflow/tfjs-core';
import { generate, selectedLogprobs, type Qwen2Model } from '@warmup/core';
import { grpoLoss, grpoSelection, groupAdvantages, LOSS_TYPES, type GrpoBatch, type LossType } from './losses.ts';
import { accumulateGrads, type Grads } from './step.ts';
import { batchAt, stepSeed } from './data-order.ts';
import { runLoop, type LoopOptions } from './loop.ts';
import type { AdamW } from './optimizer.ts';
import type { TrainerState } from './checkpoint.ts';

export interface GrpoExample {
  id: string;
  promptIds: number[];
}

/** The outcome of scoring one completion; `correct` feeds the accuracy metric. */
export interface Scored {
  reward: number;
  correct?: boolean;
}

export interface RewardFunction {
  name: string;
  weight: number;
  /** Reward for one completion; may throw or return NaN (then `minReward` is used, and counted). */
  score(exampleIndex: number, completion: string): Scored | number | Promise<Scored | number>;
  minReward: number;
}

export interface GrpoOptions extends LoopOptions {
  promptsPerStep: number;
  numGenerations: number; // G
  numIterations: number; // mu
  maxCompletionLength: number;
  temperature: number;
  topP: number;
  topK: number;
  lossType: LossType;
  epsilonLow: number;
  epsilonHigh: number;
  beta: number;
  scaleRewards: boolean;
  maskTruncated: boolean;
  /** Sequences per forward/backward pass (memory bound); gradients are accumulated. */
  microBatch: number;
  seed: number;
  padTokenId: number;
  eosTokenIds: number[];
  decode: (ids: number[]) => string;
  rewards: RewardFunction[];
  /** With numIterations > 1, take the old log-probs from generation instead of a no-grad forward
   *  (default true; false keeps the pass, for checking). See `rollout`. */
  reuseGenerationLogps?: boolean;
  /** Frozen reference policy; only needed (and only loaded) when beta > 0. */
  reference?: Qwen2Model;
  /** Called when a reward function fails (logged by the caller). */
  onRewardError?: (fn: string, exampleId: string, error: string) => void;
}

interface Rollout {
  batch: GrpoBatch;
  /** Whether batch.oldLogps came from generation (no forward pass). */
  reusedOldLogps: boolean;
  metrics: Record<string, number>;
  trainTokens: number;
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const std = (xs: number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

async function scoreAll(
  o: GrpoOptions,
  examples: GrpoExample[],
  exampleIdx: number[],
  texts: string[],
): Promise<{ total: number[]; perFn: number[][]; correct: number[]; errors: number }> {
  let errors = 0;
  const perFn: number[][] = o.rewards.map(() => []);
  const correct: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    let isCorrect = 0;
    for (let f = 0; f < o.rewards.length; f++) {
      const fn = o.rewards[f];
      let r: number;
      try {
        const out = await fn.score(exampleIdx[i], texts[i]);
        r = typeof out === 'number' ? out : out.reward;
        if (typeof out !== 'number' && out.correct) isCorrect = 1;
        if (!Number.isFinite(r)) throw new Error(`returned ${r}`);
      } catch (e) {
        errors++;
        o.onRewardError?.(fn.name, examples[exampleIdx[i]].id, (e as Error).message ?? String(e));
        r = fn.minReward;
      }
      perFn[f].push(r);
    }
    correct.push(isCorrect);
  }
  const total = texts.map((_, i) => o.rewards.reduce((a, fn, f) => a + fn.weight * perFn[f][i], 0));
  return { total, perFn, correct, errors };
}

/** Generate, score and pack one GRPO batch; undefined when `shouldStop` cut the generation short. */
async function rollout(
  model: Qwen2Model,
  examples: GrpoExample[],
  o: GrpoOptions,
  cursor: number,
  genIndex: number,
): Promise<Rollout | undefined> {
  const G = o.numGenerations;
  const stop = o.shouldStop;
  const idx = batchAt(examples.length, o.seed, cursor, o.promptsPerStep);
  const rowsIdx = idx.flatMap((i) => new Array(G).fill(i) as number[]);
  const t0 = Date.now();
  const gen = await generate(
    model,
    rowsIdx.map((i) => examples[i].promptIds),
    {
      temperature: o.temperature,
      topP: o.topP,
      topK: o.topK,
      maxNewTokens: o.maxCompletionLength,
      eosTokenIds: o.eosTokenIds,
      padTokenId: o.padTokenId,
      seed: stepSeed(o.seed, genIndex),
      // Generation is most of a step with long completions: a Stop should not wait for it.
      onStep: stop ? () => (stop() ? false : undefined) : undefined,
    },
  );
  if (stop?.()) return undefined;
  const genS = (Date.now() - t0) / 1000;
  const texts = gen.tokens.map((t) => o.decode(t));
  const t1 = Date.now();
  const scored = await scoreAll(o, examples, rowsIdx, texts);
  const rewardS = (Date.now() - t1) / 1000;
  const { advantages, zeroVarianceGroups } = groupAdvantages(scored.total, G, o.scaleRewards);

  // Pack: prompts left-padded to P, completions right-padded to C.
  const P = Math.max(...rowsIdx.map((i) => examples[i].promptIds.length));
  const C = Math.max(1, ...gen.tokens.map((t) => t.length));
  const truncated = gen.finishReasons.map((f) => f === 'length');
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const positionIds: number[][] = [];
  const completionIds: number[][] = [];
  const completionMask: number[][] = [];
  rowsIdx.forEach((ei, r) => {
    const p = examples[ei].promptIds;
    const c = gen.tokens[r];
    const padL = P - p.length;
    const padR = C - c.length;
    const keep = !(o.maskTruncated && truncated[r]);
    inputIds.push([...new Array(padL).fill(o.padTokenId), ...p, ...c, ...new Array(padR).fill(o.padTokenId)]);
    const m = [...new Array(padL).fill(0), ...p.map(() => 1), ...c.map(() => 1), ...new Array(padR).fill(0)];
    attentionMask.push(m);
    let pos = 0;
    positionIds.push(m.map((x) => (x ? pos++ : 1)));
    completionIds.push([...c, ...new Array(padR).fill(o.padTokenId)]);
    completionMask.push([...c.map(() => (keep ? 1 : 0)), ...new Array(padR).fill(0)]);
  });
  const batch: GrpoBatch = {
    inputIds,
    attentionMask,
    positionIds,
    promptLength: P,
    completionIds,
    completionMask,
    advantages,
    maxCompletionLength: o.maxCompletionLength,
  };
  const lens = gen.tokens.map((t) => t.length);
  // TRL's metric names, so curves compare with a TRL run; correct_frac and the timings are ours.
  const metrics: Record<string, number> = {
    reward: mean(scored.total),
    reward_std: std(scored.total),
    correct_frac: mean(scored.correct),
    frac_reward_zero_std: zeroVarianceGroups / idx.length,
    'completions/mean_length': mean(lens),
    'completions/min_length': Math.min(...lens),
    'completions/max_length': Math.max(...lens),
    'completions/clipped_ratio': mean(truncated.map((t) => (t ? 1 : 0))),
    // Mean over generated tokens of the exact entropy of the distribution each was sampled from
    // (temperature, top-k, top-p applied). TRL's `entropy` is taken at the temperature without
    // the top-p cut, so it reads higher when top_p < 1.
    entropy: mean(gen.entropies.flat()),
    reward_errors: scored.errors,
    gen_s: genS,
    reward_s: rewardS,
    gen_tokens_per_s: lens.reduce((a, b) => a + b, 0) / Math.max(genS, 1e-9),
  };
  o.rewards.forEach((fn, f) => {
    metrics[`rewards/${fn.name}/mean`] = mean(scored.perFn[f]);
    metrics[`rewards/${fn.name}/std`] = std(scored.perFn[f]);
  });
  // Old and reference log-probs are needed only when the ratio can differ from 1 or KL is on.
  const sel = grpoSelection(batch);
  const noGradLogps = async (m: Qwen2Model): Promise<number[]> => {
    const t = tf.tidy(() => selectedLogprobs(m, { inputIds, attentionMask, positionIds }, sel, o.temperature));
    const v = Array.from(await t.data());
    t.dispose();
    return v;
  };
  // Generation already computed each sampled token's log_softmax(logits / T) with these weights
  // (Sampled.scaledLogprob: the full vocabulary, before top-k / top-p, as the loss takes it), in
  // float64 from the same float32 logits: it equals the no-grad pass to float rounding (under 1e-6
  // in gen-logprobs.test.ts), so that pass is skipped. The pass stays when reuse is switched off.
  // The reference model's log-probs always need their own pass (other weights).
  const t2 = Date.now();
  const reusedOldLogps = o.numIterations > 1 && o.reuseGenerationLogps !== false;
  if (reusedOldLogps) batch.oldLogps = gen.scaledLogprobs.flatMap((lp, r) => lp.filter((_, j) => completionMask[r][j]));
  else if (o.numIterations > 1) batch.oldLogps = await noGradLogps(model);
  if (o.beta > 0) {
    if (!o.reference) throw new Error('GRPO: beta > 0 needs a reference model');
    batch.refLogps = await noGradLogps(o.reference);
  }
  metrics.old_logps_reused = reusedOldLogps ? 1 : 0;
  // The no-grad passes (old policy, reference) belong to neither gen_s nor opt_s: timed apart.
  metrics.logps_s = (Date.now() - t2) / 1000;
  return { batch, reusedOldLogps, metrics, trainTokens: attentionMask.flat().reduce((a, b) => a + b, 0) };
}

/** Option conflicts, found before any generation (a KL term without a reference model used to
 *  fail only after a whole rollout). */
export function checkGrpoOptions(o: GrpoOptions): void {
  const bad = (msg: string): never => {
    throw new Error(`GRPO: ${msg}`);
  };
  if (!LOSS_TYPES.includes(o.lossType)) bad(`unknown loss type ${o.lossType} (choose from ${LOSS_TYPES.join(', ')})`);
  if (o.beta > 0 && !o.reference) bad(`beta ${o.beta} > 0 needs a reference model (or beta 0)`);
  if (!(o.beta >= 0)) bad(`beta must be >= 0, got ${o.beta}`);
  if (!Number.isInteger(o.numGenerations) || o.numGenerations < 2)
    bad(`numGenerations must be an integer >= 2 (a group of one has no advantage), got ${o.numGenerations}`);
  for (const [k, v] of [
    ['numIterations', o.numIterations],
    ['microBatch', o.microBatch],
    ['promptsPerStep', o.promptsPerStep],
    ['maxCompletionLength', o.maxCompletionLength],
  ] as const)
    if (!Number.isInteger(v) || v < 1) bad(`${k} must be an integer >= 1, got ${v}`);
  if (!(o.temperature > 0)) bad(`temperature must be > 0 (log-probs are divided by it), got ${o.temperature}`);
  if (!(o.topP > 0 && o.topP <= 1)) bad(`topP must be in (0, 1], got ${o.topP}`);
  if (!(o.epsilonLow >= 0 && o.epsilonLow < 1)) bad(`epsilonLow must be in [0, 1), got ${o.epsilonLow}`);
  if (!(o.epsilonHigh >= 0)) bad(`epsilonHigh must be >= 0, got ${o.epsilonHigh}`);
  if (o.rewards.some((r) => !Number.isFinite(r.weight) || !Number.isFinite(r.minReward)))
    bad('every reward needs a finite weight and minReward');
}

/** Rows [a, b) of a batch, with the flattened old/ref log-probs cut to match. */
function sliceBatch(b: GrpoBatch, a: number, e: number): GrpoBatch {
  const before = b.completionMask
    .slice(0, a)
    .flat()
    .reduce((x, y) => x + y, 0);
  const inside = b.completionMask
    .slice(a, e)
    .flat()
    .reduce((x, y) => x + y, 0);
  const cut = (xs?: number[]): number[] | undefined => xs?.slice(before, before + inside);
  return {
    ...b,
    inputIds: b.inputIds.slice(a, e),
    attentionMask: b.attentionMask.slice(a, e),
    positionIds: b.positionIds?.slice(a, e),
    completionIds: b.completionIds.slice(a, e),
    completionMask: b.completionMask.slice(a, e),
    advantages: b.advantages.slice(a, e),
    oldLogps: cut(b.oldLogps),
    refLogps: cut(b.refLogps),
  };
}

/** Gradients of one GRPO step's loss over a packed batch, in micro-batches of `microBatch` rows.
 *  As TRL: grpo, bnpo and dr_grpo aggregate within each micro-batch and the step averages the
 *  micro-batches (1 / their number); dapo divides every micro-batch's token sum by the tokens of
 *  the whole step, so its summed gradient is the full batch's. Also returns the current
 *  log-probs of the counted tokens (for the clip metrics). */
export async function grpoStepGrads(
  model: Qwen2Model,
  batch: GrpoBatch,
  o: Pick<GrpoOptions, 'lossType' | 'epsilonLow' | 'epsilonHigh' | 'beta' | 'temperature' | 'microBatch'> & {
    chunkRows?: number;
  },
): Promise<{ grads: Grads; logps: number[] }> {
  const N = batch.inputIds.length;
  const opts = {
    lossType: o.lossType,
    epsilonLow: o.epsilonLow,
    epsilonHigh: o.epsilonHigh,
    beta: o.beta,
    temperature: o.temperature,
    chunkRows: o.chunkRows,
  };
  let g: Grads | undefined;
  const logps: number[] = [];
  const totalMasked = batch.completionMask.flat().reduce((a, b) => a + b, 0);
  const micro = Math.ceil(N / o.microBatch);
  for (let a = 0; a < N && totalMasked > 0; a += o.microBatch) {
    const part = { ...sliceBatch(batch, a, Math.min(N, a + o.microBatch)), stepTokens: totalMasked };
    // A micro-batch without counted tokens contributes 0 (TRL clamps its denominators to 1).
    if (part.completionMask.flat().every((m) => m === 0)) continue;
    const share = o.lossType === 'dapo' ? 1 : 1 / micro;
    let kept: tf.Tensor | undefined;
    g = await accumulateGrads(
      model,
      () => {
        const r = grpoLoss(model, part, opts);
        kept = tf.keep(r.logp);
        return r.loss;
      },
      share,
      g,
    );
    logps.push(...(await kept!.data()));
    kept!.dispose();
  }
  // Everything masked (e.g. all truncated): a zero gradient keeps the loop uniform.
  g ??= { grads: new Map([...model.trainableParams()].map(([k, v]) => [k, tf.zerosLike(v)])), loss: 0 };
  return { grads: g, logps };
}

export async function trainGrpo(
  model: Qwen2Model,
  optimizer: AdamW,
  state: TrainerState,
  examples: GrpoExample[],
  o: GrpoOptions,
): Promise<TrainerState> {
  if (examples.length === 0) throw new Error('GRPO: no prompts');
  checkGrpoOptions(o);
  let current: Rollout | undefined;
  let iteration = 0;
  // The rollout and its old log-probs live only in memory: a checkpoint inside a μ-cycle would
  // resume with a fresh rollout from changed weights, so checkpoints wait for a cycle boundary.
  const loop = { ...o, checkpointable: (s: TrainerState) => s.step % o.numIterations === 0 };
  return runLoop(model, optimizer, state, loop, async (s) => {
    let consumed = 0;
    if (!current || iteration >= o.numIterations) {
      current = await rollout(model, examples, o, s.cursor, Math.floor(s.step / o.numIterations));
      if (!current) return undefined;
      iteration = 0;
      consumed = o.promptsPerStep;
    }
    iteration++;
    const { batch } = current;
    const t0 = Date.now();
    const { grads, logps } = await grpoStepGrads(model, batch, o);
    const metrics: Record<string, number> = { ...current.metrics, iteration, opt_s: (Date.now() - t0) / 1000 };
    Object.assign(metrics, clipAndKl(batch, logps, o));
    // On a rollout's first pass the weights are those that sampled: the gap between the current and
    // the reused old log-probs is float rounding only, and shows here if that ever stops holding.
    if (iteration === 1 && current.reusedOldLogps && batch.oldLogps && logps.length)
      metrics['old_logps/max_abs_diff'] = logps.reduce((m, lp, i) => Math.max(m, Math.abs(lp - batch.oldLogps![i])), 0);
    return { grads, consumed, tokens: current.trainTokens, metrics };
  });
}

function clipAndKl(b: GrpoBatch, logps: number[], o: GrpoOptions): Record<string, number> {
  const seq = grpoSelection(b).seq;
  if (!logps.length) return {};
  let low = 0;
  let high = 0;
  let kl = 0;
  logps.forEach((lp, i) => {
    const old = b.oldLogps ? b.oldLogps[i] : lp;
    const ratio = Math.exp(lp - old);
    const a = b.advantages[seq[i]];
    if (ratio < 1 - o.epsilonLow && a < 0) low++;
    if (ratio > 1 + o.epsilonHigh && a > 0) high++;
    if (b.refLogps) {
      const d = b.refLogps[i] - lp;
      kl += Math.exp(d) - d - 1;
    }
  });
  const n = logps.length;
  const out: Record<string, number> = {
    'clip_ratio/low_mean': low / n,
    'clip_ratio/high_mean': high / n,
    'clip_ratio/region_mean': (low + high) / n,
  };
  if (b.refLogps) out.kl = kl / n;
  return out;
}
