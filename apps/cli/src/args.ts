// Flag value parsers shared by every subcommand: each rejects bad values with a UsageError that
// names the flag, so commander actions never see half-valid input.
import { UsageError } from './errors.ts';

export function parseIntFlag(
  flag: string,
  value: string | undefined,
  opts: { min?: number; max?: number } = {},
): number {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be an integer, got "${value}"`);
  const n = Number(value);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`${flag} must be >= ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`${flag} must be <= ${opts.max}, got ${n}`);
  return n;
}

export function parseFloatFlag(
  flag: string,
  value: string | undefined,
  opts: { min?: number; max?: number } = {},
): number {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got "${value}"`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`${flag} must be >= ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`${flag} must be <= ${opts.max}, got ${n}`);
  return n;
}

/** "3..5" → [3, 4, 5]; "4" → [4]; "2,4,6" → [2, 4, 6]. */
export function parseIntRange(flag: string, value: string, opts: { min?: number; max?: number } = {}): number[] {
  const v = value.trim();
  let out: number[];
  const m = /^(-?\d+)\s*\.\.\s*(-?\d+)$/.exec(v);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a > b) throw new UsageError(`${flag}: range start ${a} is greater than end ${b}`);
    out = [];
    for (let i = a; i <= b; i++) out.push(i);
  } else if (/^-?\d+(\s*,\s*-?\d+)*$/.test(v)) {
    out = v.split(',').map((s) => Number(s.trim()));
  } else {
    throw new UsageError(`${flag} must be N, A..B or a comma list, got "${value}"`);
  }
  for (const n of out) {
    if (opts.min !== undefined && n < opts.min) throw new UsageError(`${flag} values must be >= ${opts.min}, got ${n}`);
    if (opts.max !== undefined && n > opts.max) throw new UsageError(`${flag} values must be <= ${opts.max}, got ${n}`);
  }
  return out;
}

export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${value}"`);
  }
  return value as T;
}
