// Chat prompts rendered from the checkpoint's own chat_template (tokenizer_config.json) with
// @huggingface/jinja, as transformers' apply_chat_template does. Without a template the caller
// falls back to ChatML, written once in @warmup/tasks (chatml) beside the task prompts.
import { Template } from '@huggingface/jinja';

export interface ChatMessage {
  role: string;
  content: string;
}

const token = (t: unknown): string =>
  typeof t === 'string'
    ? t
    : t && typeof t === 'object' && 'content' in t
      ? String((t as { content: unknown }).content)
      : '';

/** The template text of a tokenizer_config.json (a string, or a list of named templates). */
export function chatTemplateOf(config: Record<string, unknown> | undefined): string | undefined {
  const t = config?.chat_template;
  if (typeof t === 'string' && t.trim()) return t;
  if (Array.isArray(t)) {
    const d = (t as { name?: string; template?: string }[]).find((x) => x.name === 'default');
    return d?.template;
  }
  return undefined;
}

const compiled = new Map<string, Template>();

/** The prompt for `messages` with the assistant turn opened (add_generation_prompt), or undefined
 *  when the config has no chat_template. */
export function renderChat(
  config: Record<string, unknown> | undefined,
  messages: readonly ChatMessage[],
): string | undefined {
  const text = chatTemplateOf(config);
  if (!text) return undefined;
  let t = compiled.get(text);
  if (!t) {
    t = new Template(text);
    compiled.set(text, t);
  }
  return t.render({
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    add_generation_prompt: true,
    bos_token: token(config?.bos_token),
    eos_token: token(config?.eos_token),
  });
}
