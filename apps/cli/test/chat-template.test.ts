// Task prompts in the chat style come from the checkpoint's own chat_template (read from the model
// folder before the model loads); ChatML only for a preset or a folder without one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointChatTemplate } from '../src/chat-template.ts';
import { loadTaskData } from '../src/task-data.ts';

const data = path.resolve(__dirname, '../../../data/mmlu-pro-sample.jsonl');
const CUSTOM_TEMPLATE =
  '{% for m in messages %}[{{ m.role | upper }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[ASSISTANT] {% endif %}';
let dir: string;
let plain: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warmup-chat-'));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: CUSTOM_TEMPLATE }));
  plain = mkdtempSync(path.join(os.tmpdir(), 'warmup-nochat-'));
  writeFileSync(path.join(plain, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|im_end|>' }));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(plain, { recursive: true, force: true });
});

describe("task prompts from the checkpoint's chat template", () => {
  it('a custom chat_template changes the rendered chat prompt; R1 prompts do not change', async () => {
    const chat = await loadTaskData('--data', data, 'mcq', 'chat', 2, dir);
    const { system, user } = chat.task.promptParts(chat.examples[0]);
    expect(chat.prompts[0]).toBe(`[SYSTEM] ${system}\n[USER] ${user}\n[ASSISTANT] <think>`);
    const r1 = await loadTaskData('--data', data, 'mcq', 'r1', 2, dir);
    expect(r1.prompts).toEqual((await loadTaskData('--data', data, 'mcq', 'r1', 2)).prompts);
  });

  it('falls back to ChatML for a folder without a template and for a preset', async () => {
    const chatml = (await loadTaskData('--data', data, 'mcq', 'chat', 1, plain)).prompts[0];
    expect(chatml).toMatch(/^<\|im_start\|>system\n[\s\S]*<\|im_end\|>\n<\|im_start\|>assistant\n<think>$/);
    expect((await loadTaskData('--data', data, 'mcq', 'chat', 1, 'qwen-tiny')).prompts[0]).toBe(chatml);
    expect(checkpointChatTemplate(plain)).toBeUndefined();
  });

  it('names a malformed tokenizer_config.json', () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'warmup-badchat-'));
    writeFileSync(path.join(bad, 'tokenizer_config.json'), '{');
    expect(() => checkpointChatTemplate(bad)).toThrow(/tokenizer_config\.json: malformed JSON/);
    rmSync(bad, { recursive: true, force: true });
  });
});
