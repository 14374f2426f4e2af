// Builds models/kk-tokenizer: the Qwen BPE shrunk to what K&K prompts and teacher traces use
// (same tokenization on that text, a vocabulary of a few thousand), for tiny from-scratch models.
// Usage: npx tsx scripts/build-kk-tokenizer.ts [--per-size 300]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { shrinkTokenizer } from '@warmup/core';
import { generateKkPuzzles, makeKkSftRecords, R1_SYSTEM } from '@warmup/tasks';
import { qwenTokenizer, PRESETS_DIR } from '../apps/cli/src/model-spec.ts';

const i = process.argv.indexOf('--per-size');
const perSize = i > 0 ? Number(process.argv[i + 1]) : 300;
const corpus: string[] = [R1_SYSTEM];
for (let n = 2; n <= 8; n++) {
  const puzzles = generateKkPuzzles({ people: [n], count: perSize, seed: 1000 + n });
  for (const style of ['long', 'short', 'cases'] as const) {
    for (const promptStyle of ['r1', 'chat'] as const) {
      for (const r of makeKkSftRecords(puzzles, promptStyle, { style })) corpus.push(r.prompt, r.completion);
    }
  }
}
const full = qwenTokenizer();
const small = shrinkTokenizer(full, corpus);
const out = path.join(PRESETS_DIR, 'kk-tokenizer');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'tokenizer.json'), JSON.stringify(small.tokenizerJson));
writeFileSync(path.join(out, 'tokenizer_config.json'), JSON.stringify(small.tokenizerConfig, null, 2) + '\n');
console.log(`kk-tokenizer: ${small.vocabSize} tokens (from ${corpus.length} texts); written to ${out}`);
