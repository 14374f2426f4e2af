// A checkpoint's own sampling defaults: generation_config.json (as transformers applies it) sets
// temperature, top-p, top-k, greedy decoding and EOS ids for flags the user does not give.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.ts';

export interface GenerationDefaults {
  temperature?: number;
  topP?: number;
  topK?: number;
  /** do_sample: false in the file. */
  greedy?: boolean;
  eosTokenIds?: number[];
  /** Where they came from, for the one-line notice. */
  file: string;
}

/** generation_config.json of a model folder, validated; undefined for presets or when absent. */
export function readGenerationConfig(model: string): GenerationDefaults | undefined {
  if (!existsSync(model) || !statSync(model).isDirectory()) return undefined;
  const file = path.join(model, 'generation_config.json');
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`${file}: expected an object`);
  const o = raw as Record<string, unknown>;
  const num = (k: string, ok: (x: number) => boolean): number | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !ok(v))
      throw new UsageError(`${file}: "${k}" must be a valid number, got ${JSON.stringify(v)}`);
    return v;
  };
  const eos = o.eos_token_id;
  const eosIds = eos === undefined || eos === null ? undefined : Array.isArray(eos) ? eos : [eos];
  if (eosIds && !eosIds.every((x) => Number.isInteger(x) && (x as number) >= 0))
    throw new UsageError(`${file}: "eos_token_id" must be a token id or a list of them`);
  if (o.do_sample !== undefined && typeof o.do_sample !== 'boolean')
    throw new UsageError(`${file}: "do_sample" must be true or false`);
  return {
    temperature: num('temperature', (x) => x >= 0),
    topP: num('top_p', (x) => x > 0 && x <= 1),
    topK: num('top_k', (x) => Number.isInteger(x) && x >= 0),
    greedy: o.do_sample === false ? true : undefined,
    eosTokenIds: eosIds as number[] | undefined,
    file,
  };
}

/** One line naming the defaults taken from the file (empty when none were taken). */
export function describeTaken(g: GenerationDefaults, taken: Record<string, unknown>): string {
  const parts = Object.entries(taken)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : String(v)}`);
  return parts.length ? `sampling defaults from ${g.file}: ${parts.join(', ')} (flags override)` : '';
}
