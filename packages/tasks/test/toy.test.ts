// The toy target domains: records load with the real loader, their gold answers grade correct with
// the real verifiers (math CAS, MMLU-Pro letters, the Python sandbox), wrong answers do not, seeds
// reproduce, and train and test never share an item.
import { describe, expect, it } from 'vitest';
import { PythonSandbox } from '@warmup/node';
import {
  generateToy,
  generateToyCorpus,
  getTask,
  loadTaskExamples,
  R1_SYSTEM,
  TOY_DOMAINS,
  TOY_MCQ_CATEGORIES,
  toySplitOf,
  type CodeExample,
  type ToyDomain,
} from '../src/index.ts';

const jsonl = (domain: ToyDomain, split: 'train' | 'test', count: number, seed = 0): string =>
  generateToy(domain, { split, count, seed })
    .map((it) => JSON.stringify(it.record))
    .join('\n');
const wrap = (answer: string): string => `<think>work</think> <answer>${answer}</answer>`;
const sandbox = new PythonSandbox();

describe('toy domains', () => {
  it('math: gold answers (the solution text itself) grade correct, off-by-one answers do not', async () => {
    const task = getTask('math');
    const text = jsonl('math', 'test', 40);
    const { examples } = await loadTaskExamples(task, text, 'toy-math.jsonl', 'r1');
    const records = text.split('\n').map((l) => JSON.parse(l) as { solution: string; answer: string; level: string });
    expect(new Set(records.map((r) => r.level)).size).toBe(5);
    for (const [i, e] of examples.entries()) {
      expect(records[i].solution).toMatch(/\\boxed\{[^}]+\}\$\.$/);
      expect((await task.grade(e, wrap(records[i].solution))).correct, e.id).toBe(true);
      const off = wrap(`\\boxed{${Number(records[i].answer) + 1}}`);
      expect((await task.grade(e, off)).correct, e.id).toBe(false);
    }
  });

  it('mcq: every category appears, the gold letter grades correct and another letter does not', async () => {
    const task = getTask('mcq');
    const text = jsonl('mcq', 'train', 60);
    const { examples, prompts } = await loadTaskExamples(task, text, 'toy-mcq.jsonl', 'r1');
    const records = text
      .split('\n')
      .map((l) => JSON.parse(l) as { answer: string; options: string[]; category: string });
    expect(new Set(records.map((r) => r.category))).toEqual(new Set(TOY_MCQ_CATEGORIES));
    for (const [i, e] of examples.entries()) {
      expect(prompts[i]).toContain(`${records[i].answer}. ${records[i].options[records[i].answer.charCodeAt(0) - 65]}`);
      expect((await task.grade(e, wrap(`\\boxed{${records[i].answer}}`))).correct).toBe(true);
      const other = records[i].answer === 'A' ? 'B' : 'A';
      expect((await task.grade(e, wrap(`\\boxed{${other}}`))).correct).toBe(false);
    }
  });

  it('code: canonical solutions pass in the real sandbox, a constant function fails', async () => {
    const task = getTask('code', { sandbox, codeTimeoutMs: 20_000 });
    const text = jsonl('code', 'test', 8);
    const { examples } = await loadTaskExamples(task, text, 'toy-code.jsonl', 'r1');
    const records = text.split('\n').map((l) => JSON.parse(l) as { prompt: string; canonical_solution: string });
    for (const [i, e] of examples.entries()) {
      const ex = e as CodeExample;
      const good = await task.grade(
        e,
        wrap(`\`\`\`python\n${records[i].prompt}${records[i].canonical_solution}\`\`\``),
      );
      expect(good.correct, `${e.id}: ${good.detail}`).toBe(true);
      const bad = await task.grade(e, wrap(`\`\`\`python\ndef ${ex.entryPoint}(x):\n    return 0\n\`\`\``));
      expect(bad.correct, e.id).toBe(false);
    }
  }, 120_000);

  it('same seed, same records; another seed, another order; train and test disjoint', () => {
    for (const domain of TOY_DOMAINS) {
      expect(jsonl(domain, 'train', 20, 3)).toBe(jsonl(domain, 'train', 20, 3));
      expect(jsonl(domain, 'train', 20, 3)).not.toBe(jsonl(domain, 'train', 20, 4));
      const train = generateToy(domain, { split: 'train', count: Infinity, seed: 0 });
      const test = generateToy(domain, { split: 'test', count: Infinity, seed: 0 });
      expect(test.length).toBeGreaterThan(0);
      const trainKeys = new Set(train.map((it) => it.key));
      expect(test.filter((it) => trainKeys.has(it.key))).toEqual([]);
      expect(test.every((it) => toySplitOf(domain, it.key) === 'test')).toBe(true);
    }
  });

  it('asking for more items than a split holds is an error naming the count', () => {
    expect(() => generateToy('code', { split: 'test', count: 10_000, seed: 0 })).toThrow(
      /only \d+ distinct test items/,
    );
  });

  it('the corpus holds no test item, no K&K, and never closes </think> or uses <answer>', () => {
    const docs = generateToyCorpus({ count: 3000, seed: 0 })
      .map((d) => d.replace(`${R1_SYSTEM}\n`, ''))
      .join('\n');
    for (const domain of TOY_DOMAINS)
      for (const it of generateToy(domain, { split: 'test', count: Infinity, seed: 0 })) {
        const r = it.record as { problem?: string; prompt?: string; question?: string; options?: string[] };
        if (r.problem) expect(docs).not.toContain(`${r.problem}\n`);
        if (r.prompt) expect(docs).not.toContain(r.prompt);
      }
    expect(docs).not.toMatch(/<\/think>|<answer>|<\/answer>|knight|knave/i);
    expect(docs).toContain('Assistant: <think> '); // the R1 prompt's layout, answered in prose
    expect(docs).toMatch(/\\boxed\{\d+\}/);
    expect(docs).toContain('```python\ndef ');
  });
});
