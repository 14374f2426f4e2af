// Grading in the worker for the Verify panel: the same task verifiers and Pyodide sandbox that
// GRPO's rewards use, so what the panel shows is what training would score.
import { getTask, loadTaskExamples, PyodideSandbox, type Grade } from '@warmup/tasks';
import type { GradeRequest } from './worker-api.ts';

/** One sandbox for the panel's runs; it keeps one interpreter loaded ahead of the next program. */
let sandbox: PyodideSandbox | undefined;

export async function gradeOne(req: GradeRequest): Promise<Grade> {
  if (req.task === 'code') sandbox ??= new PyodideSandbox({ indexURL: req.pyodideURL });
  const task = getTask(req.task, req.task === 'code' ? { sandbox, codeTimeoutMs: req.timeoutMs } : {});
  const { examples } = await loadTaskExamples(task, req.record.trim(), 'record.jsonl', 'r1');
  if (examples.length !== 1) throw new Error(`expected one JSON record, got ${examples.length}`);
  return task.grade(examples[0], req.completion);
}
