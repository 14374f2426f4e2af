// The hostile-completions corpus (data/hostile-code.jsonl) and the canonical solutions of its
// problems graded through real Pyodide in Node, one fresh interpreter per program as the browser
// worker runs them. Usage: npx tsx scripts/check-hostile-pyodide.ts [humaneval-sample.jsonl]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPyodide } from 'pyodide';
import {
  CODE_RAW_JSON_FIELDS,
  createCodeTask,
  loadRecords,
  runInPyodide,
  type CodeSandbox,
  type SandboxResult,
} from '@warmup/tasks';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INDEX = `${path.join(ROOT, 'node_modules/pyodide')}/`;
let runs = 0;
const sandbox: CodeSandbox = {
  async run(program: string): Promise<SandboxResult> {
    runs++;
    const py = await loadPyodide({ indexURL: INDEX, env: { HOME: '/home/sandbox' } });
    const r = runInPyodide(py, program);
    return { ok: r.exitCode === 0, ...r, timedOut: false };
  },
};
const task = createCodeTask({ sandbox, timeoutMs: 60_000 });
const file = process.argv[2] ?? 'humaneval-sample.jsonl';
const recs = await loadRecords(readFileSync(path.join(ROOT, 'data', file)), file, {
  rawJsonFields: CODE_RAW_JSON_FIELDS,
});
const byId = new Map(
  recs.map((r, i) => {
    const e = task.fromRecord(r.value, r.where, i);
    return [e.id, e];
  }),
);
const hostile = readFileSync(path.join(ROOT, 'data/hostile-code.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
let fooled = 0;
for (const h of hostile) {
  const g = await task.grade(byId.get(h.id)!, h.completion);
  if (g.correct) fooled++;
  console.log(g.correct ? 'FOOLED' : 'resisted', h.id, h.hack.slice(0, 60), '|', (g.detail ?? '').slice(0, 80));
}
let good = 0;
for (const id of new Set(hostile.map((h) => h.id))) {
  const ex = byId.get(id)!;
  const c = ex.plus?.canonicalSolution ?? ex.canonicalSolution;
  const g = await task.grade(ex, `<think>x</think> <answer>\`\`\`python\n${ex.prompt}${c}\n\`\`\`</answer>`);
  if (g.correct) good++;
  else console.log('canonical failed', id, g.detail);
}
if (fooled > 0 || good < new Set(hostile.map((h) => h.id)).size) process.exitCode = 1;
console.log(
  `${file}: resisted ${hostile.length - fooled} of ${hostile.length}; canonical ${good} of ${new Set(hostile.map((h) => h.id)).size}; ${runs} Pyodide runs`,
);
