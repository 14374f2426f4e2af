// Tokenizer wrapper over @huggingface/tokenizers (tokenizer.json + tokenizer_config.json), with
// the EOS/PAD ids a generator and a trainer need.
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { CheckpointError } from './safetensors.ts';
import { readJson, type ModelSource } from './sources.ts';
import { renderChat, type ChatMessage } from './chat.ts';

export class TextTokenizer {
  private readonly tok: HfTokenizer;
  readonly eosTokenIds: number[];
  readonly padTokenId: number;

  constructor(
    readonly tokenizerJson: Record<string, unknown>,
    readonly tokenizerConfig: Record<string, unknown>,
  ) {
    this.tok = new HfTokenizer(tokenizerJson as never, tokenizerConfig as never);
    const eos = this.idOf(tokenString(tokenizerConfig.eos_token));
    const imEnd = this.idOf('<|im_end|>');
    const endText = this.idOf('<|endoftext|>');
    this.eosTokenIds = [...new Set([eos, imEnd, endText].filter((x): x is number => x !== undefined))];
    this.padTokenId = this.idOf(tokenString(tokenizerConfig.pad_token)) ?? endText ?? this.eosTokenIds[0] ?? 0;
  }

  /** A chat prompt from this checkpoint's chat_template; undefined when it has none (callers fall
   *  back to chatml of @warmup/tasks). */
  chatPrompt(messages: readonly ChatMessage[]): string | undefined {
    return renderChat(this.tokenizerConfig, messages);
  }

  idOf(token: string | undefined): number | undefined {
    if (!token) return undefined;
    const ids = this.tok.encode(token, { add_special_tokens: false } as never).ids as number[];
    return ids.length === 1 ? ids[0] : undefined;
  }

  /** Number of ids the tokenizer can produce (model vocab and added tokens). */
  get vocabSize(): number {
    const model = this.tokenizerJson.model as { vocab?: Record<string, number> } | undefined;
    const added = (this.tokenizerJson.added_tokens as { id: number }[] | undefined) ?? [];
    const ids = [...Object.values(model?.vocab ?? {}), ...added.map((a) => a.id)];
    // A loop, not Math.max(...ids): 151k arguments overflow the stack.
    return ids.length ? ids.reduce((m, id) => Math.max(m, id), 0) + 1 : 0;
  }

  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false } as never).ids as number[];
  }

  decode(ids: number[], skipSpecial = false): string {
    // the library throws on [], which is what a completion that is only EOS decodes from
    if (ids.length === 0) return '';
    return this.tok.decode(ids, { skip_special_tokens: skipSpecial } as never);
  }

  /** The files to write next to a saved checkpoint. */
  files(): Record<string, string> {
    return {
      'tokenizer.json': JSON.stringify(this.tokenizerJson),
      'tokenizer_config.json': JSON.stringify(this.tokenizerConfig, null, 2),
    };
  }
}

function tokenString(t: unknown): string | undefined {
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { content?: unknown }).content === 'string')
    return (t as { content: string }).content;
  return undefined;
}

/** Load the tokenizer of a model folder, or undefined when it has no tokenizer.json. */
export async function loadTokenizer(src: ModelSource): Promise<TextTokenizer | undefined> {
  if (!(await src.has('tokenizer.json'))) return undefined;
  const json = (await readJson(src, 'tokenizer.json')) as Record<string, unknown>;
  const cfg = (await src.has('tokenizer_config.json'))
    ? ((await readJson(src, 'tokenizer_config.json')) as Record<string, unknown>)
    : {};
  try {
    return new TextTokenizer(json, cfg);
  } catch (e) {
    throw new CheckpointError(`${src.location}/tokenizer.json: cannot build tokenizer (${(e as Error).message})`);
  }
}
