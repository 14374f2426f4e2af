// Batched autoregressive generation with a KV cache: prompts are left-padded, every row samples
// on the host with a seeded RNG, rows finish independently on EOS, stop strings or length.
import * as tf from '@tensorflow/tfjs-core';
import { canWriteInPlace, preallocatedCache } from './kv-cache.ts';
import { disposeCache, type KVCache, type Qwen2Model } from './model.ts';
import { Rng } from './rng.ts';
import { sampleToken, type SamplingOptions } from './sampling.ts';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  eosTokenIds?: number[];
  padTokenId?: number;
  /** Stop when the decoded completion contains one of these; needs `decode`. */
  stopStrings?: string[];
  decode?: (ids: number[]) => string;
  seed?: number;
  /** Recompute the whole sequence every step instead of using the cache (for checking). */
  noCache?: boolean;
  /** How the KV cache holds keys and values (see KVCacheMode); default 'preallocated'. */
  kvCache?: KVCacheMode;
  /** Called after every step with the number of steps so far and each row's tokens so far
   *  (progress, streaming); returning false cancels the generation. It may return a promise: a
   *  Web Worker on wasm/cpu awaits a macrotask there, since otherwise the loop never yields and
   *  a cancel message could not arrive until the generation ends. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a callback that returns nothing means continue
  onStep?: (step: number, tokens: readonly (readonly number[])[]) => void | boolean | Promise<void | boolean>;
}

/** 'concat' grows every layer's keys and values by one concat per token (the reference path);
 *  'preallocated' writes them into tensors sized for the whole generation. */
export type KVCacheMode = 'concat' | 'preallocated';

export type FinishReason = 'eos' | 'stop' | 'length';

export interface GenerateResult {
  /** Generated ids per prompt, including the EOS token when one ended the row. */
  tokens: number[][];
  /** log_softmax of the unmodified logits at each generated token. */
  logprobs: number[][];
  /** log_softmax(logits / temperature) at each generated token, before top-k / top-p (see
   *  Sampled.scaledLogprob): what GRPO's loss computes for the same tokens. */
  scaledLogprobs: number[][];
  /** Entropy of the sampling distribution at each generated token (see Sampled.entropy). */
  entropies: number[][];
  finishReasons: FinishReason[];
}

export async function generate(model: Qwen2Model, prompts: number[][], opts: GenerateOptions): Promise<GenerateResult> {
  const B = prompts.length;
  if (B === 0) return { tokens: [], logprobs: [], scaledLogprobs: [], entropies: [], finishReasons: [] };
  if (prompts.some((p) => p.length === 0)) throw new Error('generate: every prompt needs at least one token');
  const pad = opts.padTokenId ?? 0;
  const eos = new Set(opts.eosTokenIds ?? model.config.eosTokenIds);
  const rng = new Rng(opts.seed ?? 0);
  const L = Math.max(...prompts.map((p) => p.length));
  // Left padding keeps every row's next token in the same column.
  const ids = prompts.map((p) => new Array(L - p.length).fill(pad).concat(p));
  const mask = prompts.map((p) => new Array(L - p.length).fill(0).concat(new Array(p.length).fill(1)));
  const tokens: number[][] = prompts.map(() => []);
  const logprobs: number[][] = prompts.map(() => []);
  const scaledLogprobs: number[][] = prompts.map(() => []);
  const entropies: number[][] = prompts.map(() => []);
  const finish: (FinishReason | undefined)[] = new Array(B).fill(undefined);
  // Room for the prompt and every new token; backends without host tensors keep the concat path.
  const inPlace = !opts.noCache && (opts.kvCache ?? 'preallocated') === 'preallocated' && canWriteInPlace();
  const c = model.config;
  let cache: KVCache | undefined = inPlace
    ? preallocatedCache(
        { layers: c.numLayers, kvHeads: c.numKvHeads, headDim: c.headDim },
        B,
        L + Math.max(opts.maxNewTokens - 1, 0),
      )
    : undefined;
  try {
    let stepIds = ids;
    let stepMask = mask;
    for (let step = 0; step < opts.maxNewTokens; step++) {
      const { logits, next } = tf.tidy((): tf.TensorContainer => {
        const out = opts.noCache
          ? model.forward({
              inputIds: ids.map((r, b) => r.concat(tokens[b])),
              attentionMask: mask.map((r, b) => r.concat(tokens[b].map(() => 1))),
            })
          : model.forward({ inputIds: stepIds, attentionMask: stepMask }, { past: cache, useCache: true });
        const T = out.hidden.shape[1];
        const last = tf.slice(out.hidden, [0, T - 1, 0], [B, 1, -1]);
        return { logits: tf.reshape(model.logits(last), [B, -1]), next: out.cache } as unknown as tf.TensorContainer;
      }) as unknown as { logits: tf.Tensor; next: KVCache | undefined };
      // A preallocated cache comes back as the same tensors, written in place.
      if (next?.layers !== cache?.layers) disposeCache(cache);
      cache = next;
      const data = (await logits.data()) as Float32Array;
      logits.dispose();
      const V = model.config.vocabSize;
      const newIds: number[][] = [];
      for (let b = 0; b < B; b++) {
        if (finish[b]) {
          newIds.push([pad]);
          continue;
        }
        const s = sampleToken(data.subarray(b * V, (b + 1) * V), opts, rng);
        tokens[b].push(s.token);
        logprobs[b].push(s.logprob);
        scaledLogprobs[b].push(s.scaledLogprob);
        entropies[b].push(s.entropy);
        newIds.push([s.token]);
        if (eos.has(s.token)) finish[b] = 'eos';
        else if (opts.stopStrings?.length && opts.decode && hitsStop(tokens[b], opts.stopStrings, opts.decode))
          finish[b] = 'stop';
      }
      if ((await opts.onStep?.(step + 1, tokens)) === false) break;
      if (finish.every((f) => f)) break;
      stepIds = newIds;
      stepMask = newIds.map(() => [1]);
    }
  } finally {
    disposeCache(cache);
  }
  return { tokens, logprobs, scaledLogprobs, entropies, finishReasons: finish.map((f) => f ?? 'length') };
}

function hitsStop(ids: number[], stops: string[], decode: (ids: number[]) => string): boolean {
  const longest = Math.max(...stops.map((s) => s.length));
  // A token decodes to at least one character, so the last `longest + 2` tokens cover any stop.
  const tail = decode(ids.slice(-(longest + 2)));
  return stops.some((s) => tail.includes(s));
}

/** Cut decoded text at the first stop string (the stop itself is not returned). */
export function truncateAtStop(text: string, stops: string[] | undefined): string {
  if (!stops?.length) return text;
  let cut = text.length;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && i < cut) cut = i;
  }
  return text.slice(0, cut);
}
