// The code target task (HumanEval / HumanEval+ records): the last ```python block of the answer
// runs against the problem's tests in a sandbox; reward +2 pass / −1 fail, −2 when the format
// gate fails (docs/METHOD.md). The sandbox is injected: a Node subprocess jail or Pyodide.
import { checkAnswerFormat, FORMAT_PENALTY } from '../answer-format.ts';
import { asObject, getString } from '../jsonl.ts';
import { R1_SYSTEM } from '../prompt.ts';
import { DataError, type Example, type Grade, type PromptParts, type Task } from '../task.ts';
import { extractPythonBlock } from './extract.ts';
import { buildTestProgram, newSentinel, type CodeProblem } from './harness.ts';
import type { CodeSandbox } from './sandbox.ts';

export interface CodeExample extends Example, CodeProblem {}

export const CODE_REWARD = { pass: 2, fail: -1 } as const;

export const CODE_INSTRUCTION =
  'Complete the following Python function. Give the complete function, with any imports it needs, in a ```python code block.';

/** HumanEval+ fields whose JSON text must reach Python unparsed (see raw-json.ts). */
export const CODE_RAW_JSON_FIELDS = ['base_input', 'plus_input'] as const;

export interface CodeTaskOptions {
  sandbox: CodeSandbox;
  /** Wall-clock limit per candidate run. Default 10 s (HumanEval+ runs hundreds of inputs). */
  timeoutMs?: number;
}

function inputsText(v: unknown, field: string, where: string): string {
  if (v === undefined || v === null) return '[]';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DataError(`field "${field}" is not valid JSON`, where);
  }
  if (!Array.isArray(parsed) || !parsed.every(Array.isArray))
    throw new DataError(`field "${field}" must be a list of argument lists`, where);
  return text.trim();
}

export function codeFromRecord(record: unknown, where: string, index: number): CodeExample {
  const o = asObject(record, where);
  const idRaw = o.task_id ?? o.id;
  const id = typeof idRaw === 'string' || typeof idRaw === 'number' ? String(idRaw) : String(index);
  const prompt = getString(o, 'prompt', where);
  const entryPoint = getString(o, 'entry_point', where);
  if (!/^[A-Za-z_]\w*$/.test(entryPoint))
    throw new DataError(`field "entry_point" is not a Python name: ${entryPoint}`, where);
  if (o.base_input !== undefined || o.plus_input !== undefined) {
    const base = inputsText(o.base_input, 'base_input', where);
    const plus = inputsText(o.plus_input, 'plus_input', where);
    const inputsJson = `[${[base, plus]
      .map((t) => t.slice(1, -1).trim())
      .filter((t) => t !== '')
      .join(',')}]`;
    const atol = o.atol === undefined || o.atol === null ? 0 : Number(o.atol);
    if (!Number.isFinite(atol) || atol < 0) throw new DataError('field "atol" must be a non-negative number', where);
    const canonicalSolution = getString(o, 'canonical_solution', where);
    return { id, prompt, entryPoint, plus: { canonicalSolution, inputsJson, atol } };
  }
  const test = getString(o, 'test', where);
  return { id, prompt, entryPoint, test };
}

export function codePromptParts(example: CodeExample): PromptParts {
  return { system: R1_SYSTEM, user: `${CODE_INSTRUCTION}\n\n\`\`\`python\n${example.prompt}\n\`\`\`` };
}

export type CodeTask = Task<CodeExample> & { readonly rawJsonFields: readonly string[] };

export function createCodeTask(opts: CodeTaskOptions): CodeTask {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    name: 'code',
    minReward: FORMAT_PENALTY,
    rawJsonFields: CODE_RAW_JSON_FIELDS,
    fromRecord: codeFromRecord,
    promptParts: codePromptParts,
    async grade(example, completion): Promise<Grade> {
      const format = checkAnswerFormat(completion);
      const code = extractPythonBlock(format.ok ? (format.answer ?? '') : completion);
      let correct = false;
      let detail: string | undefined;
      if (code === undefined) detail = 'no ```python block';
      else {
        const sentinel = newSentinel();
        try {
          const r = await opts.sandbox.run(buildTestProgram(example, code, sentinel), timeoutMs);
          correct = r.ok && r.stdout.includes(sentinel);
          if (!correct)
            detail = r.timedOut ? `timed out after ${timeoutMs} ms` : lastLine(r.stderr) || `exit code ${r.exitCode}`;
        } catch (e) {
          detail = `sandbox error: ${(e as Error).message}`;
        }
      }
      const answer = correct ? CODE_REWARD.pass : CODE_REWARD.fail;
      if (!format.ok)
        return {
          reward: FORMAT_PENALTY,
          parts: { format: FORMAT_PENALTY },
          correct,
          formatOk: false,
          extracted: code,
          detail,
        };
      return { reward: answer, parts: { format: 0, answer }, correct, formatOk: true, extracted: code, detail };
    },
  };
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
