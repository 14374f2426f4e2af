// The resumable eval loop: sample n completions per question in batches, grade them, append
// them to completions.jsonl after every batch, and skip questions already complete on restart.
import { DataError, type Grade } from '@warmup/tasks';
import { completionLine, parseCompletions, slim, type CompletionRecord, type GradedSample } from './records.ts';
import { checkSameConfig, completeQuestions, type RunConfig } from './resume.ts';
import type { EvalQuestion, Grader, Sampler } from './sampler.ts';
import type { EvalStorage } from './storage.ts';

export const COMPLETIONS_FILE = 'completions.jsonl';
export const CONFIG_FILE = 'config.json';

export interface EvalProgress {
  /** Questions finished so far, including skipped ones. */
  done: number;
  total: number;
  /** Questions found complete in storage and not sampled again. */
  skipped: number;
}

export interface RunEvalOptions {
  questions: readonly EvalQuestion[];
  /** Samples per question (n). */
  samples: number;
  /** Questions per sampler call: each call asks for questionsPerBatch × n completions. */
  questionsPerBatch: number;
  sampler: Sampler;
  grader: Grader;
  storage: EvalStorage;
  /** Settings stored in config.json; a resumed run must match them exactly. */
  config?: RunConfig;
  /** Completions graded at once (code sandboxes are processes: keep this small). Default 4. */
  gradeConcurrency?: number;
  onProgress?: (p: EvalProgress) => void;
  signal?: AbortSignal;
}

export interface RunEvalResult {
  /** Records of the given questions (without texts), in question order then sample order. */
  records: GradedSample[];
  skipped: number;
  generated: number;
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function validate(o: RunEvalOptions): void {
  if (!Number.isInteger(o.samples) || o.samples < 1)
    throw new RangeError(`runEval: samples must be an integer >= 1, got ${o.samples}`);
  if (!Number.isInteger(o.questionsPerBatch) || o.questionsPerBatch < 1) {
    throw new RangeError(`runEval: questionsPerBatch must be an integer >= 1, got ${o.questionsPerBatch}`);
  }
  const seen = new Set<string>();
  for (const q of o.questions) {
    // Resuming keys on the id, so two questions with one id would silently share samples.
    if (seen.has(q.id)) throw new RangeError(`runEval: duplicate question id "${q.id}"`);
    seen.add(q.id);
  }
}

/** Check `config` against the stored config.json, if any (ConfigError on a difference); writes
 *  nothing, so a CLI can check before loading a model. Returns whether config.json exists. */
export async function verifyRunConfig(
  storage: EvalStorage,
  config: RunConfig,
  where: string = CONFIG_FILE,
): Promise<boolean> {
  const text = await storage.readText(CONFIG_FILE);
  if (text === undefined) return false;
  let stored: RunConfig;
  try {
    stored = JSON.parse(text) as RunConfig;
  } catch (e) {
    throw new DataError(`malformed JSON (${(e as Error).message})`, where);
  }
  checkSameConfig(stored, config, where);
  return true;
}

async function checkRunConfig(storage: EvalStorage, config: RunConfig | undefined): Promise<void> {
  if (!config) return;
  if (!(await verifyRunConfig(storage, config)))
    await storage.writeText(CONFIG_FILE, JSON.stringify(config, null, 2) + '\n');
}

function toRecord(
  id: string,
  sample: number,
  text: string,
  tokens: number,
  truncated: boolean,
  g: Grade,
): CompletionRecord {
  const r: CompletionRecord = {
    id,
    sample,
    completion: text,
    reward: g.reward,
    correct: g.correct,
    format_ok: g.formatOk,
    tokens,
    truncated,
  };
  if (g.extracted !== undefined) r.extracted = g.extracted;
  return r;
}

export async function runEval(o: RunEvalOptions): Promise<RunEvalResult> {
  validate(o);
  const n = o.samples;
  await checkRunConfig(o.storage, o.config);

  const existing = parseCompletions((await o.storage.readText(COMPLETIONS_FILE)) ?? '', COMPLETIONS_FILE);
  const complete = completeQuestions(existing.records, n);
  // Partial questions are sampled again from scratch: drop their lines (and a torn tail) first.
  const kept = existing.records.filter((r) => complete.has(r.id));
  if (existing.tornTail || kept.length !== existing.records.length) {
    await o.storage.writeText(COMPLETIONS_FILE, kept.map((r) => completionLine(r) + '\n').join(''));
  }

  const byId = new Map<string, GradedSample[]>();
  const pending: number[] = [];
  o.questions.forEach((q, i) => {
    const have = complete.get(q.id);
    if (have) byId.set(q.id, have.map(slim));
    else pending.push(i);
  });
  const total = o.questions.length;
  const skipped = total - pending.length;
  let done = skipped;
  o.onProgress?.({ done, total, skipped });

  const concurrency = Math.max(1, o.gradeConcurrency ?? 4);
  for (let start = 0; start < pending.length; start += o.questionsPerBatch) {
    o.signal?.throwIfAborted();
    const idx = pending.slice(start, start + o.questionsPerBatch);
    const prompts = idx.map((i) => o.questions[i].prompt);
    const out = await o.sampler.sample(prompts, n);
    if (out.length !== idx.length || out.some((s) => s.length !== n)) {
      throw new Error(
        `sampler returned ${out.map((s) => s.length).join('/')} samples for ${idx.length} prompts × ${n}`,
      );
    }
    const jobs = idx.flatMap((qi, p) => out[p].map((s, j) => ({ qi, j, s })));
    const graded = await mapLimit(jobs, concurrency, async ({ qi, j, s }) =>
      toRecord(o.questions[qi].id, j, s.text, s.tokens, s.truncated, await o.grader(qi, s.text)),
    );
    await o.storage.appendLines(COMPLETIONS_FILE, graded.map(completionLine));
    for (const qi of idx) byId.set(o.questions[qi].id, graded.filter((r) => r.id === o.questions[qi].id).map(slim));
    done += idx.length;
    o.onProgress?.({ done, total, skipped });
  }

  const records = o.questions.flatMap((q) => byId.get(q.id) ?? []);
  return { records, skipped, generated: pending.length };
}
