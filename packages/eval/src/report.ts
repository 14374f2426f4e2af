// The eval report: accuracy (pass@1 mean ± std over samples), capability (unbiased pass@k), both
// per difficulty bucket, plus completion-length and format statistics. Plain JSON-able data.
import { DEFAULT_BUCKETS, bucketOf, bucketRange, type BucketSpec } from './buckets.ts';
import { meanPassAtK, reportedKs, type SolveCount } from './passk.ts';
import type { GradedSample } from './records.ts';
import type { RunConfig } from './resume.ts';
import { mean, pass1OverSamples, quantile, type Pass1Stats } from './stats.ts';

export interface BucketReport {
  name: string;
  range: string;
  count: number;
  /** null when the bucket is empty. */
  pass1: number | null;
  passk: Record<string, number | null>;
}

export interface LengthStats {
  mean: number;
  min: number;
  max: number;
  p50: number;
  mean_correct: number | null;
  mean_incorrect: number | null;
}

export interface EvalReport {
  task: string;
  model: string;
  samples: number;
  questions: number;
  pass1: Pass1Stats;
  passk: Record<string, number>;
  /** Where the buckets' solve rates came from: "self" or the reference run. */
  bucket_reference: string;
  buckets: BucketReport[];
  /** Questions the reference run did not cover (in no bucket). */
  unbucketed: number;
  /** Completion length in tokens. */
  length: LengthStats;
  format_failure_rate: number;
  truncated_rate: number;
  mean_reward: number;
  settings: RunConfig;
  created: string;
}

export interface BuildReportOptions {
  task: string;
  model: string;
  samples: number;
  /** Question ids in order; each needs exactly `samples` records. */
  questionIds: readonly string[];
  records: readonly GradedSample[];
  /** Per-question solve rates of the reference run; default: this run's own. */
  reference?: { name: string; rates: ReadonlyMap<string, number> };
  buckets?: readonly BucketSpec[];
  settings?: RunConfig;
  created?: Date;
}

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

export function buildReport(o: BuildReportOptions): EvalReport {
  const n = o.samples;
  if (o.questionIds.length === 0) throw new RangeError('buildReport: no questions');
  const rows = new Map<string, boolean[]>(o.questionIds.map((id) => [id, new Array<boolean>(n).fill(false)]));
  const seen = new Map<string, number>();
  for (const r of o.records) {
    const row = rows.get(r.id);
    if (!row) continue;
    if (r.sample >= n) throw new RangeError(`buildReport: question ${r.id} has sample ${r.sample} but n = ${n}`);
    row[r.sample] = r.correct;
    seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  }
  for (const id of o.questionIds) {
    if (seen.get(id) !== n)
      throw new RangeError(`buildReport: question ${id} has ${seen.get(id) ?? 0} samples, expected ${n}`);
  }
  const used = o.records.filter((r) => rows.has(r.id));
  const correct = o.questionIds.map((id) => rows.get(id)!);
  const counts: SolveCount[] = correct.map((row) => ({ n, c: row.filter(Boolean).length }));
  const ks = reportedKs(n);
  const passk: Record<string, number> = {};
  for (const k of ks) passk[String(k)] = meanPassAtK(counts, k);

  const selfRates = new Map(o.questionIds.map((id, i) => [id, counts[i].c / n]));
  const rates = o.reference?.rates ?? selfRates;
  const specs = o.buckets ?? DEFAULT_BUCKETS;
  const members: number[][] = specs.map(() => []);
  let unbucketed = 0;
  o.questionIds.forEach((id, i) => {
    const rate = rates.get(id);
    const b = rate === undefined ? -1 : bucketOf(rate, specs);
    if (b < 0) unbucketed++;
    else members[b].push(i);
  });
  const buckets: BucketReport[] = specs.map((spec, b) => {
    const sub = members[b].map((i) => counts[i]);
    const bk: Record<string, number | null> = {};
    for (const k of ks) bk[String(k)] = nullIfNaN(meanPassAtK(sub, k));
    return { name: spec.name, range: bucketRange(spec), count: sub.length, pass1: bk['1'], passk: bk };
  });

  const lens = used.map((r) => r.tokens);
  return {
    task: o.task,
    model: o.model,
    samples: n,
    questions: o.questionIds.length,
    pass1: pass1OverSamples(correct, n),
    passk,
    bucket_reference: o.reference?.name ?? 'self',
    buckets,
    unbucketed,
    length: {
      mean: mean(lens),
      // reduce, not Math.min(...lens): 500 questions × 256 samples overflows the argument stack
      min: lens.reduce((a, b) => Math.min(a, b), Infinity),
      max: lens.reduce((a, b) => Math.max(a, b), -Infinity),
      p50: quantile(lens, 0.5),
      mean_correct: nullIfNaN(mean(used.filter((r) => r.correct).map((r) => r.tokens))),
      mean_incorrect: nullIfNaN(mean(used.filter((r) => !r.correct).map((r) => r.tokens))),
    },
    format_failure_rate: used.filter((r) => !r.format_ok).length / used.length,
    truncated_rate: used.filter((r) => r.truncated).length / used.length,
    mean_reward: mean(used.map((r) => r.reward)),
    settings: o.settings ?? {},
    created: (o.created ?? new Date()).toISOString(),
  };
}
