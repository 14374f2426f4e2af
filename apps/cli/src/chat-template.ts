// Chat prompts for `warmup serve` and `warmup generate --chat`: the checkpoint's own chat_template
// when its tokenizer has one (rendered by @warmup/core with @huggingface/jinja), else ChatML.
import { chatml, type ChatMessage } from '@warmup/core';

export type { ChatMessage };

/** The prompt for `messages` with the assistant turn opened. No default system message is added
 *  unless the checkpoint's template adds one. */
export function applyChatTemplate(
  messages: readonly ChatMessage[],
  tokenizer?: { chatPrompt(m: readonly ChatMessage[]): string },
): string {
  return tokenizer ? tokenizer.chatPrompt(messages) : chatml(messages);
}
