// A fresh preset (random weights) trains with the settings its models/<name>.json recommends: the
// paper's fine-tuning lr (1e-6) does not move random weights. Options the user sets always win.
import { existsSync, statSync } from 'node:fs';
import type { z } from 'zod';
import { SCRATCH_MIN_LR } from '@warmup/train/recipes';
import { UsageError } from '../errors.ts';
import { readPreset } from '../model-spec.ts';
import { readConfigFile } from './options.ts';

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Fill in the preset's recommended settings for `stage` where neither a flag nor --config sets
 *  them (validated by the command's schema); says so in one line, and warns about an lr too small
 *  for random weights. Returns the keys taken from the preset. */
export function applyPresetRecipe(
  stage: 'sft' | 'grpo',
  o: Record<string, unknown> & { model: string; lr: number },
  flags: Record<string, unknown>,
  shape: z.ZodRawShape,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): string[] {
  if (existsSync(o.model) && statSync(o.model).isDirectory()) return [];
  const preset = readPreset(o.model);
  if (!preset) return [];
  const config = typeof flags.config === 'string' ? readConfigFile(flags.config) : {};
  const given = (k: string): boolean => flags[k] !== undefined || config[k] !== undefined;
  const taken: string[] = [];
  for (const [k, v] of Object.entries(preset.training?.[stage] ?? {})) {
    const schema = shape[k] as z.ZodType | undefined;
    if (!schema) throw new UsageError(`preset ${preset.name}: training.${stage} has an unknown option "${k}"`);
    if (given(k)) continue;
    const r = schema.safeParse(v);
    if (!r.success)
      throw new UsageError(`preset ${preset.name}: training.${stage}.${k}: ${r.error.issues[0]?.message ?? 'invalid'}`);
    o[k] = r.data;
    taken.push(k);
  }
  if (taken.length)
    log(
      `${stage}: ${preset.name} is a fresh preset (random weights): using its recommended ${taken.map((k) => `--${kebab(k)} ${String(o[k])}`).join(', ')}${taken.includes('maxCompletionLength') ? " (short rollouts sized to fit the wasm heap, not the paper's 1,024 tokens)" : ''} (flags override)`,
    );
  if (o.lr < SCRATCH_MIN_LR)
    log(
      `${stage}: warning: --lr ${o.lr} on the random weights of preset ${preset.name} will barely move the loss; from scratch use ≥ ${SCRATCH_MIN_LR} (its recommendation: ${String(preset.training?.[stage]?.lr ?? 'none')})`,
    );
  return taken;
}
