// Reading a report.json back (for `eval compare` and reference runs): validated with zod so a
// hand-edited or foreign file fails with the field that is wrong, not with NaN in a table.
import { z } from 'zod';
import { DataError } from '@warmup/tasks';
import type { EvalReport } from './report.ts';

const rate = z.number();
const nrate = z.number().nullable();

const schema = z.object({
  task: z.string(),
  model: z.string(),
  samples: z.number().int().min(1),
  questions: z.number().int().min(1),
  pass1: z.object({ mean: rate, std: rate, per_sample: z.array(rate) }),
  passk: z.record(z.string().regex(/^\d+$/), rate),
  bucket_reference: z.string(),
  buckets: z.array(
    z.object({
      name: z.string(),
      range: z.string(),
      count: z.number().int().min(0),
      pass1: nrate,
      passk: z.record(z.string(), nrate),
    }),
  ),
  unbucketed: z.number().int().min(0),
  length: z.object({
    mean: z.number(),
    min: z.number(),
    max: z.number(),
    p50: z.number(),
    mean_correct: nrate,
    mean_incorrect: nrate,
  }),
  format_failure_rate: rate,
  truncated_rate: rate,
  mean_reward: z.number(),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  created: z.string(),
});

export function parseReport(text: string, where: string): EvalReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(`malformed JSON (${(e as Error).message})`, where);
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.join('.') || '(root)';
    throw new DataError(`not an eval report: ${field}: ${issue.message}`, where);
  }
  return r.data;
}
