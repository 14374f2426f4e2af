// `warmup distill`: sample K&K traces from a teacher behind any OpenAI-compatible endpoint (vLLM,
// llama.cpp, Ollama, `warmup serve`), grade them, keep them by a rule; resumable.
import path from 'node:path';
import type { Command } from 'commander';
import { parseKkJsonl, PROMPT_STYLES, type PromptStyle } from '@warmup/tasks';
import { parseChoice, parseFloatFlag, parseIntFlag } from '../args.ts';
import { UsageError } from '../errors.ts';
import { readTextFile } from '../files.ts';
import { EndpointError, type ApiKind } from '../distill/client.ts';
import { KEEP_RULES, runDistill, type KeepRule } from '../distill/distill.ts';
import { JsonlTraceStore } from '../distill/jsonl-store.ts';

interface RawFlags {
  endpoint: string;
  model: string;
  data: string;
  out: string;
  samples: string;
  temperature: string;
  topP: string;
  topK?: string;
  maxTokens: string;
  concurrency: string;
  keep: string;
  promptStyle: string;
  retries: string;
  retryDelayMs: string;
  api: string;
  stream: boolean;
  limit?: string;
  apiKey?: string;
  quiet?: boolean;
}

const APIS: readonly ApiKind[] = ['chat', 'completions'];

export function registerDistill(program: Command): void {
  program
    .command('distill')
    .description('Distil K&K reasoning traces from a teacher model behind an OpenAI-compatible endpoint')
    .requiredOption('--endpoint <url>', 'base URL, e.g. http://127.0.0.1:8000/v1')
    .requiredOption('--model <name>', 'model name the endpoint serves')
    .requiredOption('--data <file>', 'K&K puzzles (JSONL)')
    .requiredOption('--out <file>', 'traces (JSONL); resumed when it exists')
    .option('--samples <n>', 'completions per puzzle', '4')
    .option('--temperature <t>', 'sampling temperature', '0.6')
    .option('--top-p <p>', 'nucleus sampling threshold', '0.95')
    .option('--top-k <k>', 'top-k (sent only when given; not every server accepts it)')
    .option('--max-tokens <n>', 'tokens per completion at most', '8192')
    .option('--concurrency <n>', 'puzzles in flight at once', '4')
    .option('--keep <rule>', 'all | correct | best (best of n by reward)', 'all')
    .option(
      '--prompt-style <style>',
      'r1 | chat: the prompt text stored with each trace (and sent by --api completions)',
      'r1',
    )
    .option('--retries <n>', 'retries per request on 5xx, 429 and network errors', '3')
    .option('--retry-delay-ms <ms>', 'first retry delay; doubles each retry', '1000')
    .option('--api <kind>', 'chat (system + user messages) | completions (the rendered prompt text)', 'chat')
    .option('--no-stream', 'ask for whole JSON responses instead of SSE streams')
    .option('--limit <n>', 'only the first n puzzles of --data')
    .option('--api-key <key>', 'bearer token (default: $OPENAI_API_KEY)')
    .option('--quiet', 'no per-puzzle progress lines')
    .action(async (flags: RawFlags) => {
      let url: URL;
      try {
        url = new URL(flags.endpoint);
      } catch {
        throw new UsageError(`--endpoint must be a URL, got "${flags.endpoint}"`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new UsageError(`--endpoint must be http(s), got "${flags.endpoint}"`);
      if (flags.model.trim() === '') throw new UsageError('--model is empty');
      const samples = parseIntFlag('--samples', flags.samples, { min: 1, max: 1024 });
      const temperature = parseFloatFlag('--temperature', flags.temperature, { min: 0 });
      const topP = parseFloatFlag('--top-p', flags.topP, { min: 0, max: 1 });
      if (topP === 0) throw new UsageError('--top-p must be > 0');
      const topK = flags.topK === undefined ? undefined : parseIntFlag('--top-k', flags.topK, { min: -1 });
      const maxTokens = parseIntFlag('--max-tokens', flags.maxTokens, { min: 1 });
      const concurrency = parseIntFlag('--concurrency', flags.concurrency, { min: 1, max: 256 });
      const keep: KeepRule = parseChoice('--keep', flags.keep, KEEP_RULES);
      const promptStyle: PromptStyle = parseChoice('--prompt-style', flags.promptStyle, PROMPT_STYLES);
      const retries = parseIntFlag('--retries', flags.retries, { min: 0, max: 100 });
      const retryDelayMs = parseIntFlag('--retry-delay-ms', flags.retryDelayMs, { min: 0 });
      const api: ApiKind = parseChoice('--api', flags.api, APIS);
      const limit = flags.limit === undefined ? undefined : parseIntFlag('--limit', flags.limit, { min: 1 });
      if (path.resolve(flags.out) === path.resolve(flags.data))
        throw new UsageError('--out must not be the --data file');
      const puzzles = parseKkJsonl(readTextFile('--data', flags.data), flags.data);
      const log = (line: string): void => {
        process.stderr.write(`${line}\n`);
      };
      const store = await JsonlTraceStore.open(flags.out, log);
      try {
        const s = await runDistill({
          endpoint: {
            endpoint: flags.endpoint,
            model: flags.model,
            api,
            apiKey: flags.apiKey ?? process.env.OPENAI_API_KEY,
            stream: flags.stream,
            retries,
            retryDelayMs,
            onRetry: (r) => log(`retry ${r.attempt}/${retries} in ${(r.delayMs / 1000).toFixed(1)}s: ${r.reason}`),
          },
          puzzles: limit === undefined ? puzzles : puzzles.slice(0, limit),
          samples,
          temperature,
          topP,
          topK,
          maxTokens,
          concurrency,
          keep,
          promptStyle,
          store,
          log: flags.quiet ? undefined : log,
        });
        const rate = s.samples ? ` (${((100 * s.correct) / s.samples).toFixed(1)}%)` : '';
        log(
          `distill: ${s.done} puzzles done, ${s.skipped} already done, ${s.samples} samples, ${s.correct} correct${rate}, ${s.kept} traces appended to ${flags.out}`,
        );
      } catch (e) {
        if (!(e instanceof EndpointError)) throw e;
        // A 4xx means the request itself is wrong (model name, parameters): the user's input.
        if (e.status !== undefined && e.status < 500 && e.status !== 429)
          throw new UsageError(`--endpoint: ${e.message}`);
        process.stderr.write(`error: ${e.message}; finished puzzles are saved, run again to resume\n`);
        process.exitCode = 1;
      }
    });
}
