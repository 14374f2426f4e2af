// `eval compare`: several runs' reports side by side (the paper's base / warmup / base+RLVR /
// warmup+RLVR table), one column per run, one row per metric.
import type { LabelledReport } from './charts.ts';
import { mdTable, num, pct, pctPm } from './format.ts';

function union<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  for (const l of lists) for (const x of l) if (!out.includes(x)) out.push(x);
  return out;
}

/** Problems that make the columns not directly comparable, as human-readable notes. */
export function comparisonWarnings(runs: readonly LabelledReport[]): string[] {
  const notes: string[] = [];
  const distinct = (f: (r: LabelledReport) => string | number): boolean => new Set(runs.map(f)).size > 1;
  if (distinct((r) => r.report.task)) notes.push('runs are on different tasks');
  if (distinct((r) => r.report.questions)) notes.push('runs cover different numbers of questions');
  if (distinct((r) => r.report.bucket_reference)) {
    notes.push(
      'buckets come from different reference runs; use the same --reference (e.g. the base model) for all runs',
    );
  }
  return notes;
}

export function compareMarkdown(runs: readonly LabelledReport[]): string {
  if (runs.length === 0) throw new RangeError('compareMarkdown: no runs');
  const reports = runs.map((r) => r.report);
  const ks = union(reports.map((r) => Object.keys(r.passk))).sort((a, b) => Number(a) - Number(b));
  const commonK = ks.filter((k) => reports.every((r) => k in r.passk)).map(Number);
  const kCap = commonK.reduce((a, b) => Math.max(a, b), 1);
  const buckets = union(reports.map((r) => r.buckets.map((b) => b.name)));
  const cell = (f: (r: (typeof reports)[number]) => string): string[] => reports.map(f);

  const rows: string[][] = [
    ['task', ...cell((r) => r.task)],
    ['questions × samples (count)', ...cell((r) => `${r.questions} × ${r.samples}`)],
    ['pass@1, % (mean ± std over questions)', ...cell((r) => pctPm(r.pass1.mean, r.pass1.std))],
    ...ks.filter((k) => k !== '1').map((k) => [`pass@${k}, %`, ...cell((r) => pct(r.passk[k]))]),
  ];
  for (const name of buckets) {
    const b = (r: (typeof reports)[number]) => r.buckets.find((x) => x.name === name);
    if (reports.every((r) => !b(r)?.count)) continue;
    const range = reports.map(b).find((x) => x)?.range ?? '';
    rows.push([`${name} ${range}: questions (count)`, ...cell((r) => num(b(r)?.count))]);
    rows.push([`${name}: pass@1, %`, ...cell((r) => pct(b(r)?.pass1))]);
    if (kCap > 1) rows.push([`${name}: pass@${kCap}, %`, ...cell((r) => pct(b(r)?.passk[String(kCap)]))]);
  }
  rows.push(['format failures, % of completions', ...cell((r) => pct(r.format_failure_rate))]);
  rows.push(['truncated, % of completions', ...cell((r) => pct(r.truncated_rate))]);
  rows.push(['mean length, tokens', ...cell((r) => num(r.length.mean))]);

  const out = [mdTable(['metric, unit', ...runs.map((r) => r.label)], rows)];
  const notes = comparisonWarnings(runs);
  if (notes.length) out.push(notes.map((n) => `Note: ${n}.`).join('\n') + '\n');
  return out.join('\n');
}
