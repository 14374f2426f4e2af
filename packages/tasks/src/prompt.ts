// Renders a task's system/user messages in the two prompt styles of the paper: the R1-style plain
// text prompt and the Qwen chat template. The completion always starts inside `<think>`.
import type { PromptParts } from './task.ts';

export type PromptStyle = 'r1' | 'chat';

export const PROMPT_STYLES: readonly PromptStyle[] = ['r1', 'chat'];

/** The system sentence of the R1-style prompt (docs/METHOD.md "Prompts and formats"). */
export const R1_SYSTEM =
  'You are a helpful assistant. The assistant first thinks about the reasoning process in the mind ' +
  'and then provides the user with the answer. The reasoning process and answer are enclosed within ' +
  '<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here ' +
  '</think> <answer> answer here </answer>.';

/** Render a prompt; the model's completion continues right after the returned string. */
export function renderPrompt(parts: PromptParts, style: PromptStyle): string {
  if (style === 'chat') {
    return (
      `<|im_start|>system\n${parts.system}<|im_end|>\n` +
      `<|im_start|>user\n${parts.user}<|im_end|>\n` +
      `<|im_start|>assistant\n<think>`
    );
  }
  return `${parts.system}\nUser: ${parts.user}\nAssistant: <think>`;
}

export function isPromptStyle(s: string): s is PromptStyle {
  return (PROMPT_STYLES as readonly string[]).includes(s);
}
