// The worker's view of a model's tokenizer: text in and out plus the EOS/PAD ids the trainers
// need, over either a Hugging Face tokenizer.json or the byte tokenizer of tiny presets.
import { TextTokenizer } from '@warmup/core';
import type { ChatTemplate } from '@warmup/tasks';
import { ByteTokenizer } from './byte-tokenizer.ts';
import type { TokenizerKind } from './worker-api.ts';

export interface ModelTokenizer {
  kind: Exclude<TokenizerKind, 'none'>;
  encode(text: string): number[];
  /** Special tokens (EOS, chat markers) are left out of the text. */
  decode(ids: number[]): string;
  eosTokenIds: number[];
  padTokenId: number;
  /** Ids it can produce: the model's vocabulary must be at least this large. */
  vocabSize: number;
  /** Files saved beside the weights so the model loads with its tokenizer elsewhere. */
  files(): Record<string, string>;
  /** The checkpoint's chat template, when its tokenizer has one (task prompts in the chat style). */
  chatTemplate?: ChatTemplate;
}

export function hfTokenizer(t: TextTokenizer): ModelTokenizer {
  return {
    kind: 'hf',
    encode: (text) => t.encode(text),
    decode: (ids) => t.decode(ids, true),
    eosTokenIds: t.eosTokenIds,
    padTokenId: t.padTokenId,
    vocabSize: t.vocabSize,
    files: () => t.files(),
    chatTemplate: (messages) => t.chatPrompt(messages),
  };
}

/** tokenizer.json (+ tokenizer_config.json) given as text, e.g. a preset's models/<folder>/. */
export function hfTokenizerFromFiles(files: Record<string, string>, where: string): ModelTokenizer {
  const json = files['tokenizer.json'];
  if (!json) throw new Error(`${where}: tokenizer.json is missing`);
  const cfg = files['tokenizer_config.json'];
  return hfTokenizer(
    new TextTokenizer(
      JSON.parse(json) as Record<string, unknown>,
      cfg ? (JSON.parse(cfg) as Record<string, unknown>) : {},
    ),
  );
}

export function byteTokenizer(eosTokenIds: number[]): ModelTokenizer {
  const b = new ByteTokenizer(eosTokenIds);
  return {
    kind: 'bytes',
    encode: (text) => b.encode(text),
    decode: (ids) => b.decode(ids),
    eosTokenIds,
    padTokenId: b.padTokenId,
    vocabSize: 256,
    // A byte model needs no tokenizer file: ids are the UTF-8 bytes.
    files: () => ({}),
  };
}
