// loadTaskExamples: the shared loader of a task's data file (CLI and web app): limit, prompts,
// code inputs kept verbatim, and errors that name the file and line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  getTask,
  loadTaskExamples,
  R1_SYSTEM,
  renderPrompt,
  type ChatTemplate,
  type CodeSandbox,
} from '../src/index.ts';

const DATA = path.resolve(__dirname, '../../../data');
const never: CodeSandbox = { run: () => Promise.reject(new Error('not used')) };

describe('loadTaskExamples', () => {
  it('loads, limits and renders prompts in the chosen style', async () => {
    const task = getTask('math');
    const bytes = readFileSync(path.join(DATA, 'math-sample.jsonl'));
    const all = await loadTaskExamples(task, bytes, 'math-sample.jsonl', 'r1');
    const some = await loadTaskExamples(task, bytes, 'math-sample.jsonl', 'chat', 3);
    expect(some.examples.map((e) => e.id)).toEqual(all.examples.slice(0, 3).map((e) => e.id));
    expect(some.prompts[0]).toBe(renderPrompt(task.promptParts(some.examples[0]), 'chat'));
    expect(all.prompts[0]).not.toBe(some.prompts[0]);
  });

  it("renders the chat style with the checkpoint's template; ChatML without one; R1 text unchanged", async () => {
    const task = getTask('math');
    const bytes = readFileSync(path.join(DATA, 'math-sample.jsonl'));
    const parts = task.promptParts((await loadTaskExamples(task, bytes, 'm.jsonl', 'r1', 1)).examples[0]);
    const custom: ChatTemplate = (ms) =>
      ms.map((m) => `[${m.role.toUpperCase()}] ${m.content}\n`).join('') + '[ASSISTANT] ';
    const viaTemplate = await loadTaskExamples(task, bytes, 'm.jsonl', 'chat', 1, custom);
    expect(viaTemplate.prompts[0]).toBe(`[SYSTEM] ${parts.system}\n[USER] ${parts.user}\n[ASSISTANT] <think>`);
    const fallback = `<|im_start|>system\n${parts.system}<|im_end|>\n<|im_start|>user\n${parts.user}<|im_end|>\n<|im_start|>assistant\n<think>`;
    expect((await loadTaskExamples(task, bytes, 'm.jsonl', 'chat', 1)).prompts[0]).toBe(fallback);
    // a checkpoint whose tokenizer has no template (chatPrompt gives undefined) gets ChatML too
    expect(renderPrompt(parts, 'chat', () => undefined)).toBe(fallback);
    expect(renderPrompt(parts, 'r1', custom)).toBe(`${R1_SYSTEM}\nUser: ${parts.user}\nAssistant: <think>`);
  });

  it('keeps HumanEval+ inputs as JSON text (1.0 stays a float)', async () => {
    const task = getTask('code', { sandbox: never });
    const text = readFileSync(path.join(DATA, 'humanevalplus-mini-sample.jsonl'), 'utf8');
    const { examples } = await loadTaskExamples(task, text, 'he+.jsonl', 'r1');
    const withFloat = examples.find((e) =>
      /\d\.0\b/.test((e as unknown as { plus?: { inputsJson: string } }).plus?.inputsJson ?? ''),
    );
    expect(withFloat, 'a sample with float inputs like 1.0').toBeDefined();
  });

  it('names the file for empty data and file:line for a duplicate id', async () => {
    const task = getTask('mcq');
    await expect(loadTaskExamples(task, '\n', 'empty.jsonl', 'r1')).rejects.toThrow(/^empty\.jsonl: no records$/);
    const line = readFileSync(path.join(DATA, 'mmlu-pro-sample.jsonl'), 'utf8').split('\n')[0];
    await expect(loadTaskExamples(task, `${line}\n${line}\n`, 'dup.jsonl', 'r1')).rejects.toThrow(
      /dup\.jsonl:2: duplicate example id/,
    );
  });
});
