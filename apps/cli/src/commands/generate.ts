// `warmup generate`: sample one completion from a model folder or preset, as text or as JSON
// with the ids and each token's log-probability under the unmodified model distribution.
import type { Command } from 'commander';
import { parseFloatFlag, parseIntFlag } from '../args.ts';
import { applyChatTemplate } from '../chat-template.ts';
import { UsageError } from '../errors.ts';
import { describeTaken, readGenerationConfig } from '../generation-config.ts';

interface RawFlags {
  model: string;
  prompt?: string;
  promptIds?: string;
  greedy?: boolean;
  temperature?: string;
  topP?: string;
  topK?: string;
  maxNewTokens: string;
  backend: string;
  seed: string;
  json?: boolean;
  chat?: boolean;
}

export interface GenerateJson {
  ids: number[];
  /** Absent when the model has no tokenizer. Excludes a final EOS token. */
  text?: string;
  logprobs: number[];
  finish_reason: 'eos' | 'stop' | 'length';
}

/** Parse --prompt-ids: a JSON array of token ids, each inside the vocabulary. */
export function parsePromptIds(value: string, vocabSize: number): number[] {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw new UsageError(`--prompt-ids must be a JSON array of token ids, got "${value}"`);
  }
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isInteger(x))) {
    throw new UsageError(`--prompt-ids must be a non-empty JSON array of integers, got "${value}"`);
  }
  const bad = (v as number[]).find((x) => x < 0 || x >= vocabSize);
  if (bad !== undefined)
    throw new UsageError(`--prompt-ids: id ${bad} is outside the vocabulary (0..${vocabSize - 1})`);
  return v as number[];
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate a completion from a model folder or preset (see models/)')
    .requiredOption('--model <dir|preset>', 'model folder (config.json + safetensors) or preset name')
    .option('--prompt <text>', 'prompt text (needs a tokenizer)')
    .option('--prompt-ids <json>', 'prompt as a JSON array of token ids')
    .option('--greedy', 'pick the most likely token at every step')
    .option('--temperature <t>', "sampling temperature (default: the model folder's generation_config.json, else 1)")
    .option('--top-p <p>', 'nucleus sampling threshold (default: generation_config.json, else 1 = off)')
    .option('--top-k <k>', 'keep only the k most likely tokens (default: generation_config.json, else 0 = off)')
    .option('--max-new-tokens <n>', 'tokens to generate at most', '128')
    .option('--backend <name>', 'auto | webgpu | wasm | cpu | tensorflow', 'auto')
    .option('--seed <s>', 'seed for sampling and for initialising a preset', '0')
    .option('--json', 'print {"ids", "text", "logprobs", "finish_reason"}')
    .option('--chat', 'wrap --prompt in the Qwen chat template as a user turn')
    .action(async (flags: RawFlags) => {
      if ((flags.prompt === undefined) === (flags.promptIds === undefined))
        throw new UsageError('give exactly one of --prompt or --prompt-ids');
      if (flags.chat && flags.prompt === undefined) throw new UsageError('--chat needs --prompt');
      const sampled = flags.temperature !== undefined || flags.topP !== undefined || flags.topK !== undefined;
      if (flags.greedy && sampled)
        throw new UsageError('--greedy cannot be combined with --temperature, --top-p or --top-k');
      // The checkpoint's generation_config.json fills in what the flags leave out (as transformers).
      const gc = readGenerationConfig(flags.model);
      const fromFile = {
        temperature: flags.temperature === undefined && !flags.greedy ? gc?.temperature : undefined,
        top_p: flags.topP === undefined && !flags.greedy ? gc?.topP : undefined,
        top_k: flags.topK === undefined && !flags.greedy ? gc?.topK : undefined,
        do_sample: !flags.greedy && !sampled && gc?.greedy ? false : undefined,
      };
      const greedy = flags.greedy === true || fromFile.do_sample === false;
      if (gc && describeTaken(gc, fromFile)) process.stderr.write(`generate: ${describeTaken(gc, fromFile)}\n`);
      const temperature = fromFile.temperature ?? parseFloatFlag('--temperature', flags.temperature ?? '1', { min: 0 });
      const topP = fromFile.top_p ?? parseFloatFlag('--top-p', flags.topP ?? '1', { min: 0, max: 1 });
      if (topP === 0) throw new UsageError('--top-p must be > 0');
      const topK = fromFile.top_k ?? parseIntFlag('--top-k', flags.topK ?? '0', { min: 0 });
      const maxNewTokens = parseIntFlag('--max-new-tokens', flags.maxNewTokens, { min: 1 });
      const seed = parseIntFlag('--seed', flags.seed, { min: 0 });

      const { resolveModel, useBackendFlag } = await import('../model-spec.ts');
      const { generate } = await import('@warmup/core');
      const used = await useBackendFlag(flags.backend);
      // Refuse before loading when the model cannot fit (prompt length bounded by its bytes).
      const { checkMemory } = await import('../memory-check.ts');
      await checkMemory(flags.model, used, {
        command: 'generate',
        genRows: 1,
        promptLen:
          flags.promptIds !== undefined ? flags.promptIds.split(',').length : Buffer.byteLength(flags.prompt!) + 32,
        newTokens: maxNewTokens,
      });
      const { model, tokenizer, name } = await resolveModel(flags.model, { seed });
      try {
        let ids: number[];
        if (flags.promptIds !== undefined) ids = parsePromptIds(flags.promptIds, model.config.vocabSize);
        else {
          if (!tokenizer)
            throw new UsageError(`--prompt: model ${name} has no tokenizer (no tokenizer.json); use --prompt-ids`);
          ids = tokenizer.encode(
            flags.chat ? applyChatTemplate([{ role: 'user', content: flags.prompt! }], tokenizer) : flags.prompt!,
          );
          if (ids.length === 0) throw new UsageError('--prompt is empty');
        }
        const room = model.config.maxPositionEmbeddings - ids.length;
        if (room < 1)
          throw new UsageError(
            `the prompt has ${ids.length} tokens; the model takes at most ${model.config.maxPositionEmbeddings}`,
          );
        const eos = [
          ...new Set([...model.config.eosTokenIds, ...(tokenizer?.eosTokenIds ?? []), ...(gc?.eosTokenIds ?? [])]),
        ];
        const r = await generate(model, [ids], {
          maxNewTokens: Math.min(maxNewTokens, room),
          greedy,
          temperature,
          topP,
          topK,
          seed,
          eosTokenIds: eos,
          padTokenId: tokenizer?.padTokenId ?? model.config.padTokenId,
        });
        const out = r.tokens[0];
        const finish = r.finishReasons[0];
        const textIds = finish === 'eos' ? out.slice(0, -1) : out;
        const text = tokenizer?.decode(textIds);
        if (flags.json) {
          const obj: GenerateJson = {
            ids: out,
            ...(text !== undefined ? { text } : {}),
            logprobs: r.logprobs[0],
            finish_reason: finish,
          };
          process.stdout.write(`${JSON.stringify(obj)}\n`);
        } else {
          process.stdout.write(text !== undefined ? `${text}\n` : `${out.join(' ')}\n`);
        }
      } finally {
        model.dispose();
      }
    });
}
