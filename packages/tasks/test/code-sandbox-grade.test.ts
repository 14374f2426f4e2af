// The code task with the real Node sandbox on the public samples: every canonical solution passes
// and a `return None` body fails, for HumanEval tests and HumanEval+ differential tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PythonSandbox } from '@warmup/node';
import { CODE_RAW_JSON_FIELDS, createCodeTask, loadRecords } from '../src/index.ts';

const DATA = path.resolve(__dirname, '../../../data');
const task = createCodeTask({ sandbox: new PythonSandbox(), timeoutMs: 20_000 });
const fence = (code: string): string => `<think>plan</think> <answer>\`\`\`python\n${code}\n\`\`\`</answer>`;

describe.each(['humaneval-sample.jsonl', 'humanevalplus-mini-sample.jsonl'])('%s', (file) => {
  it('canonical solutions pass, `return None` fails', async () => {
    const recs = await loadRecords(readFileSync(path.join(DATA, file)), file, { rawJsonFields: CODE_RAW_JSON_FIELDS });
    expect(recs).toHaveLength(10);
    for (const [i, r] of recs.entries()) {
      const ex = task.fromRecord(r.value, r.where, i);
      const canonical = (r.value as { canonical_solution: string }).canonical_solution;
      const good = await task.grade(ex, fence(`${ex.prompt}${canonical}`));
      expect(good, `${ex.id}: ${good.detail}`).toMatchObject({ correct: true, reward: 2 });
      const bad = await task.grade(ex, fence(`def ${ex.entryPoint}(*args, **kwargs):\n    return None`));
      expect(bad, ex.id).toMatchObject({ correct: false, reward: -1 });
    }
  });
});
