// The report's two charts: the pass@k capability curve and accuracy/capability per difficulty
// bucket. Both take several runs so `eval compare` can overlay them.
import type { EvalReport } from './report.ts';
import { barChartSvg, lineChartSvg } from './svg.ts';

export interface LabelledReport {
  label: string;
  report: EvalReport;
}

export function passkSvg(runs: readonly LabelledReport[]): string {
  const task = runs[0]?.report.task ?? '';
  return lineChartSvg(
    `pass@k — ${task}`,
    'k (samples)',
    'pass@k (%)',
    runs.map(({ label, report }) => ({
      name: label,
      points: Object.entries(report.passk).map(([k, y]) => ({ x: Number(k), y })),
    })),
  );
}

/** pass@1 per bucket for each run; a single run also shows pass@k at its largest k. */
export function bucketsSvg(runs: readonly LabelledReport[]): string {
  const cats = runs[0]?.report.buckets.map((b) => b.name) ?? [];
  const series = runs.map(({ label, report }) => ({
    name: runs.length > 1 ? label : 'pass@1',
    values: cats.map((c) => report.buckets.find((b) => b.name === c)?.pass1 ?? null),
  }));
  if (runs.length === 1) {
    const r = runs[0].report;
    const kMax = Object.keys(r.passk)
      .map(Number)
      .reduce((a, b) => Math.max(a, b), 1);
    if (kMax > 1) series.push({ name: `pass@${kMax}`, values: r.buckets.map((b) => b.passk[String(kMax)] ?? null) });
  }
  // The reference is a path; its last segment names it well enough in a title.
  const ref = (runs[0]?.report.bucket_reference ?? '')
    .replace(/[\\/]+$/, '')
    .split(/[\\/]/)
    .pop();
  return barChartSvg(`By difficulty (ref: ${ref})`, 'percent', cats, series);
}
