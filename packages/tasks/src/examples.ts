// A task's examples and their rendered prompts from a data file's contents: the one loader behind
// `warmup grpo`, `warmup eval`, `warmup sft --eval-data` and the web app's target data. Reading
// the file stays in the adapters (Node fs, a browser File).
import { DataError, type Example } from './task.ts';
import { renderPrompt, type ChatTemplate, type PromptStyle } from './prompt.ts';
import { loadRecords } from './records.ts';
import { recordOptions, type RegisteredTask } from './registry.ts';

export interface TaskExamples {
  examples: Example[];
  /** prompts[i] is examples[i]'s prompt in the chosen style. */
  prompts: string[];
}

/** Parse, validate (the task's own checks, unique ids) and render the first `limit` records (the
 *  chat style with the checkpoint's `template` when given, else ChatML). Throws DataError naming `fileName` (and the record's line) for bad or empty data. */
export async function loadTaskExamples(
  task: RegisteredTask,
  input: string | Uint8Array,
  fileName: string,
  style: PromptStyle,
  limit?: number,
  template?: ChatTemplate,
): Promise<TaskExamples> {
  // recordOptions keeps the code task's test inputs as JSON text, so `1.0` stays a float.
  let records = await loadRecords(input, fileName, recordOptions(task));
  if (limit !== undefined) records = records.slice(0, limit);
  if (records.length === 0) throw new DataError('no records', fileName);
  const examples = records.map((r, i) => task.fromRecord(r.value, r.where, i));
  const seen = new Map<string, string>();
  records.forEach((r, i) => {
    const id = examples[i].id;
    if (seen.has(id)) throw new DataError(`duplicate example id "${id}" (first at ${seen.get(id)})`, r.where);
    seen.set(id, r.where);
  });
  return { examples, prompts: examples.map((e) => renderPrompt(task.promptParts(e), style, template)) };
}
