// Bookkeeping of scripts/replicate.ts, kept free of training so it can be unit-tested: the settings
// key that names (and resumes) each run, per-level pass@1, and the aggregation over seeds.
import { createHash } from 'node:crypto';

/** The five arms of the replication, in table order. */
export const REPLICATION_ARMS = ['base', 'warmup', 'base-rlvr', 'warmup-rlvr', 'base-rlvr-full'] as const;
export type Arm = (typeof REPLICATION_ARMS)[number];
export const RLVR_ARMS = ['base-rlvr', 'warmup-rlvr', 'base-rlvr-full'] as const;
export type RlvrArm = (typeof RLVR_ARMS)[number];

/** JSON with object keys sorted, so equal settings give equal text whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Short hash of a run's settings: the run's folder carries it, so a finished run is reused only
 *  when every setting (and every input's key) is the same. */
export function settingsKey(settings: unknown): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 12);
}

export interface MeanStd {
  mean: number;
  /** Sample standard deviation over seeds (n − 1); 0 for a single seed. */
  std: number;
  n: number;
  values: number[];
}

export function meanStd(xs: readonly number[]): MeanStd {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0, values: [] };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n, values: [...xs] };
}

/** "12.5 ± 3.1" in percent, or "–" when there is no value. */
export function pct(m: MeanStd | undefined, digits = 1): string {
  if (!m || m.n === 0 || Number.isNaN(m.mean)) return '–';
  return `${(100 * m.mean).toFixed(digits)} ± ${(100 * m.std).toFixed(digits)}`;
}

/** Difficulty level of a toy record: MATH writes "Level 3", the other domains a number. */
export function levelOf(record: Record<string, unknown>): number | undefined {
  const l = record.level;
  if (typeof l === 'number') return l;
  if (typeof l === 'string') {
    const m = /(\d+)/.exec(l);
    return m ? Number(m[1]) : undefined;
  }
  return undefined;
}

/** Question id of a toy record in its public format (MATH unique_id, MMLU-Pro question_id, HumanEval task_id). */
export function idOf(record: Record<string, unknown>): string {
  const id = record.unique_id ?? record.question_id ?? record.task_id;
  if (typeof id !== 'string') throw new Error(`toy record without an id: ${JSON.stringify(record).slice(0, 80)}`);
  return id;
}

/** pass@1 per difficulty level: the mean over that level's questions of the per-question success rate. */
export function levelPass1(
  samples: readonly { id: string; correct: boolean }[],
  levels: ReadonlyMap<string, number>,
): Record<string, { questions: number; pass1: number }> {
  const perQ = new Map<string, { c: number; n: number }>();
  for (const s of samples) {
    const q = perQ.get(s.id) ?? { c: 0, n: 0 };
    q.n++;
    if (s.correct) q.c++;
    perQ.set(s.id, q);
  }
  const byLevel = new Map<number, number[]>();
  for (const [id, q] of perQ) {
    const l = levels.get(id);
    if (l === undefined) continue;
    byLevel.set(l, [...(byLevel.get(l) ?? []), q.c / q.n]);
  }
  const out: Record<string, { questions: number; pass1: number }> = {};
  for (const l of [...byLevel.keys()].sort((a, b) => a - b)) {
    const rates = byLevel.get(l) ?? [];
    out[String(l)] = { questions: rates.length, pass1: rates.reduce((s, r) => s + r, 0) / rates.length };
  }
  return out;
}

/** Mean over questions of the per-question rate of samples that are correct and pass the format gate. */
export function strictPass1(samples: readonly { id: string; correct: boolean; format_ok?: boolean }[]): number {
  const perQ = new Map<string, { c: number; n: number }>();
  for (const s of samples) {
    const q = perQ.get(s.id) ?? { c: 0, n: 0 };
    q.n++;
    if (s.correct && s.format_ok) q.c++;
    perQ.set(s.id, q);
  }
  const rates = [...perQ.values()].map((q) => q.c / q.n);
  return rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : Number.NaN;
}

/** One evaluation of one model (an arm, trained on a domain for RLVR arms) on one domain, one seed. */
export interface EvalResult {
  seed: number;
  arm: Arm;
  /** Domain of the RLVR data; undefined for base and warmup. */
  trainedOn?: string;
  evalDomain: string;
  pass1: number;
  /** pass@1 counting a sample only when it also passes the R1 format gate (what the GRPO reward needs). */
  strictPass1?: number;
  passk: Record<string, number>;
  levels: Record<string, { questions: number; pass1: number }>;
  formatFailureRate: number;
}

export interface Aggregate {
  arm: Arm;
  trainedOn?: string;
  evalDomain: string;
  seeds: number[];
  pass1: MeanStd;
  strictPass1: MeanStd;
  passk: Record<string, MeanStd>;
  levels: Record<string, MeanStd>;
  formatFailureRate: MeanStd;
}

export const groupKey = (arm: string, trainedOn: string | undefined, evalDomain: string): string =>
  `${arm}|${trainedOn ?? ''}|${evalDomain}`;

/** Mean ± std over seeds of every (arm, trained-on, evaluated-on) group. */
export function aggregateOverSeeds(results: readonly EvalResult[]): Map<string, Aggregate> {
  const groups = new Map<string, EvalResult[]>();
  for (const r of results) {
    const k = groupKey(r.arm, r.trainedOn, r.evalDomain);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out = new Map<string, Aggregate>();
  for (const [k, rs] of groups) {
    const over = (f: (r: EvalResult) => number | undefined): MeanStd =>
      meanStd(rs.map(f).filter((x): x is number => x !== undefined && !Number.isNaN(x)));
    const ks = [...new Set(rs.flatMap((r) => Object.keys(r.passk)))].sort((a, b) => Number(a) - Number(b));
    const ls = [...new Set(rs.flatMap((r) => Object.keys(r.levels)))].sort((a, b) => Number(a) - Number(b));
    out.set(k, {
      arm: rs[0].arm,
      trainedOn: rs[0].trainedOn,
      evalDomain: rs[0].evalDomain,
      seeds: rs.map((r) => r.seed).sort((a, b) => a - b),
      pass1: over((r) => r.pass1),
      strictPass1: over((r) => r.strictPass1),
      passk: Object.fromEntries(ks.map((kk) => [kk, over((r) => r.passk[kk])])),
      levels: Object.fromEntries(ls.map((l) => [l, over((r) => r.levels[l]?.pass1)])),
      formatFailureRate: over((r) => r.formatFailureRate),
    });
  }
  return out;
}

/** The aggregate an arm reports on a domain's own table: RLVR arms trained on that domain. */
export function onTarget(aggs: ReadonlyMap<string, Aggregate>, arm: Arm, domain: string): Aggregate | undefined {
  const rlvr = (RLVR_ARMS as readonly string[]).includes(arm);
  return aggs.get(groupKey(arm, rlvr ? domain : undefined, domain));
}
