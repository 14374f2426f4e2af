// Loading a task's examples from a data file for training and evaluation commands: the shared
// loader of @warmup/tasks over the file's bytes, with the Node subprocess sandbox for code.
import { PythonSandbox } from '@warmup/node/sandbox';
import {
  DataError,
  getTask,
  loadTaskExamples,
  type Example,
  type PromptStyle,
  type RegisteredTask,
  type TaskName,
} from '@warmup/tasks';
import { checkpointChatTemplate } from './chat-template.ts';
import { UsageError } from './errors.ts';
import { readBinaryFile } from './files.ts';

export { TASK_NAMES, type TaskName } from '@warmup/tasks';

export interface TaskData {
  task: RegisteredTask;
  examples: Example[];
  prompts: string[];
}

/** The task with what it needs in Node: code runs in a python3 subprocess jail. */
export function nodeTask(name: TaskName, codeTimeoutMs?: number): RegisteredTask {
  return getTask(name, name === 'code' ? { sandbox: new PythonSandbox(), codeTimeoutMs } : {});
}

export async function loadTaskData(
  flag: string,
  file: string,
  taskName: TaskName,
  style: PromptStyle,
  limit?: number,
  model?: string,
): Promise<TaskData> {
  const task = nodeTask(taskName);
  // the chat style uses the checkpoint's own chat_template (model: its folder)
  const template = style === 'chat' && model !== undefined ? checkpointChatTemplate(model) : undefined;
  try {
    return { task, ...(await loadTaskExamples(task, readBinaryFile(flag, file), file, style, limit, template)) };
  } catch (e) {
    // "file: no records" reads better with the flag that named the file.
    if (e instanceof DataError && e.message === `${file}: no records`)
      throw new UsageError(`${flag} ${file}: no records`);
    throw e;
  }
}
