// `warmup init`: write a random-weight checkpoint folder with a preset's (e.g. Qwen2.5-0.5B's) exact
// config and layout, so real sizes can be exercised without downloading weights.
import { existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError, parseConfig, type Qwen2Config, type StDtype, type TextTokenizer } from '@warmup/core';
import { parseChoice, parseIntFlag } from '../args.ts';
import { UsageError } from '../errors.ts';

export const INIT_DTYPES = { bf16: 'BF16', f32: 'F32', f16: 'F16' } as const satisfies Record<string, StDtype>;
export type InitDtype = keyof typeof INIT_DTYPES;

export interface InitOptions {
  /** A preset name (models/<name>.json, e.g. qwen2.5-0.5b) or a path to a config.json. */
  config: string;
  out: string;
  dtype?: InitDtype;
  seed?: number;
  force?: boolean;
  /** Largest shard in bytes before the weights are split (default 2 GiB). */
  maxShardBytes?: number;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface InitResult {
  dir: string;
  parameters: number;
  bytes: number;
  shards: string[];
  tokenizer: boolean;
}

/** The config and tokenizer for --config: a preset, or a config.json (Qwen tokenizer when its
 *  vocabulary fits, else none). */
async function resolveInitConfig(spec: string): Promise<{ config: Qwen2Config; tokenizer?: TextTokenizer }> {
  const { listPresets, presetTokenizer, qwenTokenizer, readPreset } = await import('../model-spec.ts');
  if (existsSync(spec) && statSync(spec).isFile()) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(spec, 'utf8'));
    } catch (e) {
      throw new ConfigError(`--config ${spec}: not valid JSON (${(e as Error).message})`);
    }
    const config = parseConfig(json, spec);
    const qwen = qwenTokenizer();
    return { config, tokenizer: qwen.vocabSize <= config.vocabSize ? qwen : undefined };
  }
  const preset = readPreset(spec);
  if (!preset)
    throw new UsageError(`--config: not a preset or a config.json file: ${spec}; presets: ${listPresets().join(', ')}`);
  return { config: preset.config, tokenizer: await presetTokenizer(preset) };
}

/** Make a random checkpoint in `out` (atomically: a temp folder renamed into place at the end). */
export async function initCheckpoint(o: InitOptions): Promise<InitResult> {
  if (existsSync(o.out)) {
    if (!statSync(o.out).isDirectory()) throw new UsageError(`--out ${o.out} exists and is not a folder`);
    if (readdirSync(o.out).length > 0 && !o.force)
      throw new UsageError(`--out ${o.out} is not empty; pass --force to replace it`);
  }
  const { config, tokenizer } = await resolveInitConfig(o.config);
  const dtype = INIT_DTYPES[o.dtype ?? 'bf16'];
  const { countParameters, writeRandomCheckpoint } = await import('@warmup/core');
  const need = countParameters(config) * (dtype === 'F32' ? 4 : 2);
  const parent = path.dirname(path.resolve(o.out));
  if (existsSync(parent)) {
    const fs = statfsSync(parent);
    const free = fs.bavail * fs.bsize;
    if (free < need * 1.02)
      throw new UsageError(
        `--out ${o.out}: the checkpoint needs ${(need / 1e9).toFixed(2)} GB but only ${(free / 1e9).toFixed(2)} GB is free there`,
      );
  }
  const { writeModelFolder } = await import('@warmup/node');
  let result: Awaited<ReturnType<typeof writeRandomCheckpoint>> | undefined;
  await writeModelFolder(o.out, async (sink) => {
    result = await writeRandomCheckpoint(config, sink, {
      dtype,
      seed: o.seed ?? 0,
      maxShardBytes: o.maxShardBytes,
      onProgress: o.onProgress,
    });
    for (const [name, text] of Object.entries(tokenizer?.files() ?? {})) await sink.writeText(name, text);
  });
  return { dir: o.out, ...result!, tokenizer: tokenizer !== undefined };
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'Write a random-weight checkpoint in Hugging Face layout (config.json, safetensors, the Qwen tokenizer)',
    )
    .requiredOption('--config <preset|file>', 'qwen2.5-0.5b | qwen2.5-1.5b | qwen2.5-3b | any preset | a config.json')
    .requiredOption('--out <dir>', 'folder to create (must be empty or absent)')
    .option('--dtype <t>', 'bf16 | f32 | f16', 'bf16')
    .option('--seed <n>', 'seed of the random weights', '0')
    .option('--shard-size <MB>', 'split the weights into shards of at most this many MB', '2048')
    .option('--force', 'replace a non-empty --out')
    .action(
      async (flags: {
        config: string;
        out: string;
        dtype: string;
        seed: string;
        shardSize: string;
        force?: boolean;
      }) => {
        const dtype = parseChoice('--dtype', flags.dtype, Object.keys(INIT_DTYPES) as InitDtype[]);
        const seed = parseIntFlag('--seed', flags.seed, { min: 0 });
        const shardMb = parseIntFlag('--shard-size', flags.shardSize, { min: 1 });
        const t0 = performance.now();
        let shown = -1;
        const r = await initCheckpoint({
          config: flags.config,
          out: flags.out,
          dtype,
          seed,
          force: flags.force === true,
          maxShardBytes: shardMb * 2 ** 20,
          onProgress: (done, total) => {
            const pct = Math.floor((100 * done) / total);
            if (process.stderr.isTTY && pct !== shown) {
              shown = pct;
              process.stderr.write(`\rinit: ${pct}% of ${(total / 1e9).toFixed(2)} GB`);
            }
          },
        });
        if (shown >= 0) process.stderr.write('\n');
        process.stdout.write(
          `${r.dir}: ${r.parameters.toLocaleString('en-US')} parameters, ${dtype}, ${(r.bytes / 1e9).toFixed(2)} GB in ${r.shards.join(', ')}${r.tokenizer ? ', Qwen tokenizer' : ', no tokenizer'} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
        );
      },
    );
}
