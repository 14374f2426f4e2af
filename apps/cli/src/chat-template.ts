// Chat prompts for `warmup serve`, `generate --chat` and the tasks' chat prompt style: the
// checkpoint's own chat_template (rendered by @warmup/core with @huggingface/jinja), else ChatML.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { renderChat } from '@warmup/core/chat';
import { chatml, type ChatMessage, type ChatTemplate } from '@warmup/tasks';
import { UsageError } from './errors.ts';

export type { ChatMessage };

/** The prompt for `messages` with the assistant turn opened. No default system message is added
 *  unless the checkpoint's template adds one. */
export function applyChatTemplate(
  messages: readonly ChatMessage[],
  tokenizer?: { chatPrompt(m: readonly ChatMessage[]): string | undefined },
): string {
  return tokenizer?.chatPrompt(messages) ?? chatml(messages);
}

/** The chat template of a model folder's tokenizer_config.json, read before the model loads (task
 *  prompts are rendered first); undefined for a preset or a folder without one. */
export function checkpointChatTemplate(model: string): ChatTemplate | undefined {
  const file = path.join(model, 'tokenizer_config.json');
  if (!existsSync(model) || !statSync(model).isDirectory() || !existsSync(file)) return undefined;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${file}: malformed JSON (${(e as Error).message})`);
  }
  if (renderChat(config, [{ role: 'user', content: '' }]) === undefined) return undefined;
  return (messages) => renderChat(config, messages);
}
