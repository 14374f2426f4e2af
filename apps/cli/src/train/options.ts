// Training options come from flags and/or a JSON or YAML config file (flags win). Both go through
// one zod schema, so a bad value names its flag or the config key that holds it.
import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LORA_TARGETS, type LoraTarget } from '@warmup/core/lora-targets';
import { UsageError } from '../errors.ts';

const camel = (k: string): string => k.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Read a config file; keys may be kebab-case (as the flags) or camelCase. */
export function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new UsageError(`--config: no such file: ${file}`);
  const text = readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${file}: cannot parse (${(e as Error).message.split('\n')[0]})`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new UsageError(`--config ${file}: expected a mapping of option names to values`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) out[camel(k)] = v;
  return out;
}

/** Merge config-file values under flag values and validate; errors name the flag or key. */
export function resolveOptions<S extends z.ZodRawShape>(
  shape: S,
  flags: Record<string, unknown>,
  configFile?: string,
): z.infer<z.ZodObject<S>> {
  const fromFile = configFile ? readConfigFile(configFile) : {};
  for (const k of Object.keys(fromFile)) {
    if (!(k in shape)) throw new UsageError(`--config ${configFile}: unknown key "${kebab(k)}"`);
  }
  const fromFlags: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) if (v !== undefined && k in shape) fromFlags[k] = v;
  const merged = { ...fromFile, ...fromFlags };
  const r = z.object(shape).strict().safeParse(merged);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = String(issue.path[0] ?? '');
    const origin =
      key in fromFlags
        ? `--${kebab(key)}`
        : configFile
          ? `--config ${configFile}: key "${kebab(key)}"`
          : `--${kebab(key)}`;
    throw new UsageError(`${origin}: ${issue.message}`);
  }
  return r.data;
}

// Flag values arrive as strings and config values as numbers/booleans: coerce both.
export const num = (d?: number) => (d === undefined ? z.coerce.number() : z.coerce.number().default(d));
export const pos = (d?: number) =>
  d === undefined ? z.coerce.number().positive() : z.coerce.number().positive().default(d);
export const int = (min: number, d?: number) =>
  d === undefined ? z.coerce.number().int().min(min) : z.coerce.number().int().min(min).default(d);
export const bool = (d: boolean) =>
  z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true')
    .default(d);

/** Options every trainer shares (optimizer, schedule, checkpoints, run folder). */
export const commonShape = {
  model: z.string().min(1),
  out: z.string().min(1),
  resume: bool(false),
  backend: z.enum(['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow']).default('auto'),
  seed: int(0, 0),
  maxSteps: int(1).optional(),
  epochs: pos().optional(),
  lr: pos(),
  schedule: z.enum(['constant', 'constant_with_warmup', 'cosine']).default('constant_with_warmup'),
  warmupSteps: int(0, 25),
  minLrRatio: num(0),
  weightDecay: num(0),
  beta1: z.coerce.number().min(0).max(1),
  beta2: z.coerce.number().min(0).max(1),
  adamEps: pos(1e-8),
  maxGradNorm: num(0.1),
  checkpointEvery: int(0, 50),
  maxBadSteps: int(1, 5),
  promptStyle: z.enum(['r1', 'chat']).default('r1'),
  loraRank: int(0, 0),
  loraAlpha: pos().optional(),
  loraDropout: z.coerce.number().min(0).lt(1).default(0),
  // A comma-separated flag, or a list in a config file.
  loraTargets: z
    .union([z.string(), z.array(z.string())])
    .default(LORA_TARGETS.join(','))
    .transform((v, ctx): LoraTarget[] => {
      const names = (Array.isArray(v) ? v : v.split(',')).map((t) => t.trim()).filter(Boolean);
      const bad = names.find((t) => !(LORA_TARGETS as readonly string[]).includes(t));
      if (bad !== undefined || !names.length) {
        ctx.addIssue({
          code: 'custom',
          message: `${bad === undefined ? 'no projections given' : `unknown projection "${bad}"`} (choose from ${LORA_TARGETS.join(', ')})`,
        });
        return z.NEVER;
      }
      return names as LoraTarget[];
    }),
};

export type CommonOptions = z.infer<z.ZodObject<typeof commonShape>>;

/** Commander definitions of the shared flags (no defaults here: zod applies them). */
export const commonFlags: [string, string][] = [
  ['--model <dir|preset>', 'model folder or preset name (models/*.json)'],
  ['--out <dir>', 'run folder: metrics.jsonl, checkpoint/, final/'],
  ['--resume', 'continue from <out>/checkpoint'],
  ['--backend <name>', 'auto | webgpu | wasm | cpu | tensorflow (default auto)'],
  ['--seed <n>', 'data order, initialisation and sampling seed (default 0)'],
  ['--max-steps <n>', 'optimizer steps (default: from --epochs)'],
  ['--epochs <e>', 'passes over the data when --max-steps is not given'],
  ['--lr <x>', 'peak learning rate'],
  ['--schedule <name>', 'constant | constant_with_warmup | cosine (default constant_with_warmup)'],
  ['--warmup-steps <n>', 'linear warmup steps (default 25)'],
  ['--min-lr-ratio <x>', 'cosine floor as a fraction of --lr (default 0)'],
  ['--weight-decay <x>', 'AdamW decoupled weight decay (not on biases and norms)'],
  ['--beta1 <x>', 'AdamW beta1'],
  ['--beta2 <x>', 'AdamW beta2'],
  ['--adam-eps <x>', 'AdamW epsilon (default 1e-8)'],
  ['--max-grad-norm <x>', 'global gradient-norm clip, 0 = off (default 0.1)'],
  ['--checkpoint-every <n>', 'save <out>/checkpoint every n steps (default 50; 0 = at the end)'],
  ['--max-bad-steps <n>', 'stop after n consecutive NaN/Inf steps (default 5)'],
  ['--prompt-style <s>', 'r1 | chat (default r1)'],
  [
    '--lora-rank <r>',
    'train LoRA adapters of rank r on a frozen base, merged into final/ (default 0 = full fine-tuning)',
  ],
  ['--lora-alpha <x>', 'LoRA scale numerator: updates are scaled by alpha / rank (default 2 * rank)'],
  ['--lora-dropout <p>', "dropout on the adapters' input while training (default 0)"],
  ['--lora-targets <list>', `projections that get adapters (default ${LORA_TARGETS.join(',')})`],
  ['--config <file>', 'JSON or YAML file with any of these options (flags win)'],
];
