// Renders a task's system/user messages in the two prompt styles of the paper: the R1-style plain
// text prompt and the checkpoint's chat template (ChatML without one). The completion always
// starts inside `<think>`.
import type { PromptParts } from './task.ts';

export type PromptStyle = 'r1' | 'chat';

export const PROMPT_STYLES: readonly PromptStyle[] = ['r1', 'chat'];

/** The system sentence of the R1-style prompt (docs/METHOD.md "Prompts and formats"). */
export const R1_SYSTEM =
  'You are a helpful assistant. The assistant first thinks about the reasoning process in the mind ' +
  'and then provides the user with the answer. The reasoning process and answer are enclosed within ' +
  '<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here ' +
  '</think> <answer> answer here </answer>.';

export interface ChatMessage {
  role: string;
  content: string;
}

/** A checkpoint's chat template (the tokenizer's chatPrompt): undefined when it has none. */
export type ChatTemplate = (messages: readonly ChatMessage[]) => string | undefined;

/** ChatML (`<|im_start|>role\ncontent<|im_end|>\n` per message, then the opened assistant turn):
 *  the one hand-written chat format, used only when a checkpoint has no chat_template. */
export function chatml(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
}

/** Render a prompt; the model's completion continues right after the returned string. The chat
 *  style renders the messages with `template` (the checkpoint's own) and falls back to ChatML. */
export function renderPrompt(parts: PromptParts, style: PromptStyle, template?: ChatTemplate): string {
  if (style === 'chat') {
    const messages = [
      { role: 'system', content: parts.system },
      { role: 'user', content: parts.user },
    ];
    return `${template?.(messages) ?? chatml(messages)}<think>`;
  }
  return `${parts.system}\nUser: ${parts.user}\nAssistant: <think>`;
}

export function isPromptStyle(s: string): s is PromptStyle {
  return (PROMPT_STYLES as readonly string[]).includes(s);
}
