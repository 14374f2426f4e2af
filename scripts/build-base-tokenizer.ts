// Builds models/base-tokenizer: the Qwen BPE shrunk to what the shipped base meets — the toy
// pretraining corpus, every toy target-domain prompt and gold answer, and K&K prompts and teacher
// traces (the warmup data) — so one small vocabulary serves pretraining, warmup and RLVR.
// Usage: npx tsx scripts/build-base-tokenizer.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { shrinkTokenizer } from '@warmup/core';
import {
  generateKkPuzzles,
  generateToy,
  generateToyCorpus,
  getTask,
  makeKkSftRecords,
  R1_SYSTEM,
  renderPrompt,
  TOY_DOMAINS,
  type Example,
} from '@warmup/tasks';
import { qwenTokenizer, PRESETS_DIR } from '../apps/cli/src/model-spec.ts';

const corpus: string[] = [R1_SYSTEM, ...generateToyCorpus({ count: 20000, seed: 0 })];
for (let n = 2; n <= 8; n++) {
  const puzzles = generateKkPuzzles({ people: [n], count: 300, seed: 1000 + n });
  for (const style of ['long', 'short', 'cases'] as const)
    for (const promptStyle of ['r1', 'chat'] as const)
      for (const r of makeKkSftRecords(puzzles, promptStyle, { style })) corpus.push(r.prompt, r.completion);
}
const noSandbox = { run: async () => ({ ok: false, stdout: '', stderr: '', exitCode: 1, timedOut: false }) };
for (const domain of TOY_DOMAINS) {
  const task = getTask(domain, { sandbox: noSandbox });
  for (const split of ['train', 'test'] as const)
    for (const it of generateToy(domain, { split, count: Infinity, seed: 0 })) {
      const e = task.fromRecord(it.record, it.key, 0) as Example;
      for (const style of ['r1', 'chat'] as const) corpus.push(renderPrompt(task.promptParts(e), style));
      corpus.push(JSON.stringify(it.record));
    }
}
const small = shrinkTokenizer(qwenTokenizer(), corpus);
const out = path.join(PRESETS_DIR, 'base-tokenizer');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'tokenizer.json'), JSON.stringify(small.tokenizerJson));
writeFileSync(path.join(out, 'tokenizer_config.json'), JSON.stringify(small.tokenizerConfig, null, 2) + '\n');
console.log(`base-tokenizer: ${small.vocabSize} tokens (from ${corpus.length} texts); written to ${out}`);
