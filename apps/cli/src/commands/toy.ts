// `warmup toy …`: the toy target domains (math, mcq, code in the MATH / MMLU-Pro / HumanEval
// formats, seeded, with held-out test splits) and the toy pretraining corpus of the shipped base.
import type { Command } from 'commander';
import { generateToy, generateToyCorpus, TOY_DOMAINS, type ToySplit } from '@warmup/tasks';
import { writeFileAtomic } from '@warmup/node/fs';
import { parseChoice, parseIntFlag, parseIntRange } from '../args.ts';
import { UsageError } from '../errors.ts';

export function registerToy(program: Command): void {
  const toy = program.command('toy').description('toy target domains and the toy pretraining corpus');
  toy
    .command('generate')
    .description('write one split of a toy domain as JSONL in its public format (gold answers included)')
    .requiredOption('--domain <d>', 'math (MATH fields) | mcq (MMLU-Pro fields) | code (HumanEval fields)')
    .option('--split <s>', 'train | test (disjoint for every seed and count)', 'train')
    .requiredOption('--count <n>', 'records to write, spread evenly over the levels')
    .option('--seed <n>', 'which items of the split, in which order (default 0)', '0')
    .option('--levels <range>', 'difficulty levels, e.g. 1..3 (default: all)')
    .requiredOption('--out <file>', 'output JSONL file')
    .action(async (f: { domain: string; split: string; count: string; seed: string; levels?: string; out: string }) => {
      const domain = parseChoice('--domain', f.domain, TOY_DOMAINS);
      const split = parseChoice<ToySplit>('--split', f.split, ['train', 'test']);
      const count = parseIntFlag('--count', f.count, { min: 1 });
      const seed = parseIntFlag('--seed', f.seed, { min: 0, max: 2 ** 32 - 1 });
      const levels = f.levels === undefined ? undefined : parseIntRange('--levels', f.levels, { min: 1, max: 5 });
      let items;
      try {
        items = generateToy(domain, { split, count, seed, levels });
      } catch (e) {
        throw new UsageError(`--count/--levels: ${(e as Error).message}`);
      }
      await writeFileAtomic(f.out, items.map((it) => JSON.stringify(it.record)).join('\n') + '\n');
      process.stdout.write(`wrote ${items.length} toy-${domain} ${split} records to ${f.out}\n`);
    });
  toy
    .command('corpus')
    .description('write the toy "general" pretraining mix as JSONL {"text"} (train-split items only, no K&K, no tags)')
    .requiredOption('--count <n>', 'documents to write')
    .option('--seed <n>', 'random seed (default 0)', '0')
    .requiredOption('--out <file>', 'output JSONL file')
    .action(async (f: { count: string; seed: string; out: string }) => {
      const count = parseIntFlag('--count', f.count, { min: 1 });
      const seed = parseIntFlag('--seed', f.seed, { min: 0, max: 2 ** 32 - 1 });
      const docs = generateToyCorpus({ count, seed });
      await writeFileAtomic(f.out, docs.map((text) => JSON.stringify({ text })).join('\n') + '\n');
      process.stdout.write(`wrote ${docs.length} documents to ${f.out}\n`);
    });
}
