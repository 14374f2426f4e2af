// The human-readable eval report (report.md): headline accuracy, capability curve, difficulty
// buckets and completion statistics, all in percent.
import { mdTable, num, pct, pctPm } from './format.ts';
import type { EvalReport } from './report.ts';

export function reportMarkdown(r: EvalReport): string {
  const ks = Object.keys(r.passk);
  const out: string[] = [];
  out.push(`# Eval: ${r.task} — ${r.model}\n`);
  out.push(`${r.questions} questions × ${r.samples} samples. Created ${r.created}.\n`);
  const settings = Object.entries(r.settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  if (settings) out.push(`Settings: ${settings}.\n`);

  out.push('## Summary (percent)\n');
  out.push(
    mdTable(
      ['metric', 'value'],
      [
        ['pass@1 (mean ± std over samples)', pctPm(r.pass1.mean, r.pass1.std)],
        ['pass@1 per sample', r.pass1.per_sample.map((x) => pct(x)).join(', ')],
        ...ks.filter((k) => k !== '1').map((k) => [`pass@${k}`, pct(r.passk[k])]),
        ['format failures', pct(r.format_failure_rate)],
        ['truncated', pct(r.truncated_rate)],
        ['mean reward', num(r.mean_reward, 3)],
      ],
    ),
  );

  out.push(
    `## By difficulty (buckets from ${r.bucket_reference === 'self' ? "this run's" : `${r.bucket_reference}'s`} solve rate)\n`,
  );
  out.push(
    mdTable(
      ['bucket', 'solve rate', 'questions', ...ks.map((k) => `pass@${k}`)],
      r.buckets.map((b) => [b.name, b.range, String(b.count), ...ks.map((k) => pct(b.passk[k]))]),
    ),
  );
  if (r.unbucketed > 0) out.push(`${r.unbucketed} questions are missing from the reference run and in no bucket.\n`);

  out.push('## Completion length (tokens)\n');
  const L = r.length;
  out.push(
    mdTable(
      ['mean', 'median', 'min', 'max', 'mean (correct)', 'mean (wrong)'],
      [[num(L.mean), num(L.p50), num(L.min), num(L.max), num(L.mean_correct), num(L.mean_incorrect)]],
    ),
  );
  return out.join('\n');
}
