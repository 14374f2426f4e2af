// Training options come from flags and/or a JSON or YAML config file (flags win). Both go through
// one zod schema, so a bad value names its flag or the config key that holds it.
import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Command } from 'commander';
import { LORA_TARGETS, type LoraTarget } from '@warmup/core/lora-targets';
import { BACKEND_NAMES, OPTION_DOCS, type OptimRecipe, optionHelp, type OptionDoc } from '@warmup/train/recipes';
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
  backend: z.enum(BACKEND_NAMES).default('auto'),
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

/** The optimizer and schedule flags with a stage's recipe values as their defaults (sft, grpo). */
export function optimShape(r: OptimRecipe) {
  return {
    lr: commonShape.lr.default(r.lr),
    schedule: commonShape.schedule.default(r.schedule),
    warmupSteps: int(0, r.warmupSteps),
    weightDecay: commonShape.weightDecay.default(r.weightDecay),
    beta1: commonShape.beta1.default(r.beta1),
    beta2: commonShape.beta2.default(r.beta2),
    adamEps: pos(r.adamEps),
    maxGradNorm: num(r.maxGradNorm),
    epochs: commonShape.epochs.default(r.epochs),
    maxBadSteps: int(1, r.maxBadSteps),
  };
}

/** Commander flag and help for every key of `shape` (and --config): help from OPTION_DOCS (or
 *  `docs` for a command's own meaning of a name), the default read from the schema itself. */
export function flagList(shape: z.ZodRawShape, docs: Record<string, OptionDoc> = {}): [string, string][] {
  const all: Record<string, OptionDoc> = { ...OPTION_DOCS, ...docs };
  return [...Object.keys(shape), 'config'].map((key) => {
    const doc = all[key];
    if (!doc) throw new Error(`option ${key} has no documentation in OPTION_DOCS`);
    const flag = `--${kebab(key)}${doc.arg ? ` ${doc.arg}` : ''}`;
    return [flag, optionHelp(doc, schemaDefault(shape[key] as z.ZodType | undefined))];
  });
}

export function addOptions(cmd: Command, shape: z.ZodRawShape, docs: Record<string, OptionDoc> = {}): void {
  for (const [flag, help] of flagList(shape, docs)) cmd.option(flag, help);
}

/** The value a schema gives an absent option (undefined when it has no default). */
export function schemaDefault(schema: z.ZodType | undefined): unknown {
  const r = schema?.safeParse(undefined);
  return r?.success ? r.data : undefined;
}

/** The shared flags as [flag, help] (--config included); commands call addOptions instead. */
export const commonFlags: [string, string][] = flagList(commonShape);
