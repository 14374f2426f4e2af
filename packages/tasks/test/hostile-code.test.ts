// The code grader against the hostile-completions corpus (data/hostile-code.jsonl: known reward
// hacks, each with a wrong solution) in the Node sandbox: every one must grade wrong on HumanEval
// and HumanEval+, in both isolation modes, while the canonical solutions still pass.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PythonSandbox } from '@warmup/node';
import { CODE_RAW_JSON_FIELDS, createCodeTask, loadRecords, type CodeExample } from '../src/index.ts';

const DATA = path.resolve(__dirname, '../../../data');
const hostile = readFileSync(path.join(DATA, 'hostile-code.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; hack: string; completion: string });

async function problems(file: string, task: ReturnType<typeof createCodeTask>): Promise<Map<string, CodeExample>> {
  const recs = await loadRecords(readFileSync(path.join(DATA, file)), file, { rawJsonFields: CODE_RAW_JSON_FIELDS });
  return new Map(recs.map((r, i) => [task.fromRecord(r.value, r.where, i).id, task.fromRecord(r.value, r.where, i)]));
}

describe.each([
  ['humaneval-sample.jsonl', 'auto'],
  ['humanevalplus-mini-sample.jsonl', 'auto'],
  ['humaneval-sample.jsonl', 'rlimits'],
] as const)('%s, isolation %s', (file, isolation) => {
  it('every hostile completion grades wrong; the canonical solutions of the same problems pass', async () => {
    expect(hostile.length).toBeGreaterThanOrEqual(15);
    const task = createCodeTask({ sandbox: new PythonSandbox({ isolation }), timeoutMs: 20_000 });
    const byId = await problems(file, task);
    const fooled: string[] = [];
    for (const h of hostile) {
      const ex = byId.get(h.id);
      expect(ex, h.id).toBeDefined();
      const g = await task.grade(ex as CodeExample, h.completion);
      if (g.correct || g.reward > 0) fooled.push(`${h.id} (${h.hack}): ${g.detail ?? ''}`);
    }
    expect(fooled).toEqual([]);
    for (const id of new Set(hostile.map((h) => h.id))) {
      const ex = byId.get(id) as CodeExample;
      const canonical = ex.plus?.canonicalSolution ?? ex.canonicalSolution;
      const g = await task.grade(
        ex,
        `<think>x</think> <answer>\`\`\`python\n${ex.prompt}${canonical}\n\`\`\`</answer>`,
      );
      expect(g, `${id}: ${g.detail}`).toMatchObject({ correct: true, reward: 2 });
    }
  });
});
