// The model behind `warmup eval`: a folder or preset on the chosen backend, sampling n completions
// per prompt in chunks of --batch-size rows, each chunk seeded from its prompts so reruns repeat it.
import { generate, type Qwen2Model, type TextTokenizer } from '@warmup/core';
import type { GeneratedSample, Sampler } from '@warmup/eval';
import type { MakeSampler, SamplerOptions } from './commands/eval.ts';
import { UsageError } from './errors.ts';
import { readPreset, resolveModel, useBackendFlag } from './model-spec.ts';
import { checkMemory } from './memory-check.ts';

/** FNV-1a over the base seed, the chunk index and the prompts: the runner asks for the same
 *  questions in the same groups when a run is resumed, so the same chunk gets the same stream,
 *  independent of which chunks ran before it (one RNG for the whole run would not be). */
export function chunkSeed(seed: number, chunk: number, prompts: readonly string[]): number {
  let h = 0x811c9dc5;
  const mix = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  mix(`${seed}\u0000${chunk}\u0000`);
  for (const p of prompts) mix(`${p}\u0000`);
  return h >>> 0;
}

type SamplingSettings = Pick<SamplerOptions, 'temperature' | 'topP' | 'topK' | 'maxNewTokens' | 'seed' | 'batchSize'>;

/** A Sampler over an already loaded model; the caller keeps ownership of the model. */
export function modelSampler(model: Qwen2Model, tokenizer: TextTokenizer, o: SamplingSettings): Sampler {
  const eos = [...new Set([...model.config.eosTokenIds, ...tokenizer.eosTokenIds])];
  const eosSet = new Set(eos);
  const context = model.config.maxPositionEmbeddings;
  return {
    async sample(prompts: string[], n: number): Promise<GeneratedSample[][]> {
      const ids = prompts.map((p, i) => {
        const t = tokenizer.encode(p);
        if (t.length === 0) throw new UsageError(`prompt ${i + 1} of the batch is empty`);
        if (t.length >= context)
          throw new UsageError(`a prompt has ${t.length} tokens; the model takes at most ${context}`);
        return t;
      });
      // Row r is sample r % n of prompt floor(r / n).
      const rows = ids.flatMap((t) => Array.from({ length: n }, () => t));
      const out: GeneratedSample[][] = prompts.map(() => []);
      for (let start = 0, chunk = 0; start < rows.length; start += o.batchSize, chunk++) {
        const part = rows.slice(start, start + o.batchSize);
        const longest = Math.max(...part.map((r) => r.length));
        const r = await generate(model, part, {
          maxNewTokens: Math.min(o.maxNewTokens, context - longest),
          temperature: o.temperature,
          greedy: o.temperature === 0,
          topP: o.topP,
          topK: o.topK,
          seed: chunkSeed(o.seed, chunk, prompts),
          eosTokenIds: eos,
          padTokenId: tokenizer.padTokenId,
        });
        r.tokens.forEach((gen, b) => {
          const body = gen.length > 0 && eosSet.has(gen[gen.length - 1]) ? gen.slice(0, -1) : gen;
          out[Math.floor((start + b) / n)].push({
            text: tokenizer.decode(body, true),
            tokens: body.length,
            truncated: r.finishReasons[b] === 'length',
          });
        });
      }
      return out;
    },
  };
}

/** `MakeSampler` for the CLI: activates --backend, loads the model (a preset is initialised from
 *  --seed) and needs a tokenizer, since the eval harness works on text. */
export const makeSampler: MakeSampler = async (opts) => {
  const used = await useBackendFlag(opts.backend);
  // Prompts are not tokenized yet: 256 tokens stands in for the task's usual prompt.
  await checkMemory(opts.model, used, {
    command: 'eval',
    genRows: opts.batchSize,
    promptLen: 256,
    newTokens: opts.maxNewTokens,
  });
  const { model, tokenizer, name } = await resolveModel(opts.model, { seed: opts.seed });
  if (!tokenizer) {
    model.dispose();
    throw new UsageError(`--model: ${name} has no tokenizer (tokenizer.json); eval needs text`);
  }
  return { ...modelSampler(model, tokenizer, opts), dispose: () => model.dispose() };
};

/** Whether `name` is a preset in models/ (for `--model` validation before anything loads). */
export function isModelPreset(name: string): boolean {
  return readPreset(name) !== undefined;
}
