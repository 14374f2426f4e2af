// The code target task (HumanEval / HumanEval+ records): the last ```python block of the answer
// runs against the problem's tests in a sandbox; reward +2 pass / −1 fail, −2 when the format
// gate fails (docs/METHOD.md). The sandbox is injected: a Node subprocess jail or Pyodide.
import { checkAnswerFormat, FORMAT_PENALTY } from '../answer-format.ts';
import { asObject, getString } from '../jsonl.ts';
import { R1_SYSTEM } from '../prompt.ts';
import { DataError, type Example, type Grade, type PromptParts, type Task } from '../task.ts';
import { extractPythonBlock } from './extract.ts';
import {
  buildCandidateProgram,
  buildReferenceProgram,
  buildVerdictProgram,
  newNonce,
  type CodeProblem,
} from './harness.ts';
import { checkCallResults, checkPyValue, readReport, samePyValue, type PyValue } from './py-value.ts';
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
  // the grader records the calls `check` makes by running it on the reference first
  const canonicalSolution = getString(o, 'canonical_solution', where);
  return { id, prompt, entryPoint, test, canonicalSolution };
}

export function codePromptParts(example: CodeExample): PromptParts {
  return { system: R1_SYSTEM, user: `${CODE_INSTRUCTION}\n\n\`\`\`python\n${example.prompt}\n\`\`\`` };
}

export type CodeTask = Task<CodeExample> & { readonly rawJsonFields: readonly string[] };

/** Reference runs kept by problem content, shared by every code task in this process. */
const byContent = new Map<string, Promise<Reference>>();
const REFERENCE_CACHE = 256;

interface Reference {
  calls: PyValue[];
  /** The reference's outputs (HumanEval: undefined where they cannot be encoded). */
  expected?: (PyValue | undefined)[];
}

function tryPyValue(x: unknown): PyValue | undefined {
  try {
    return checkPyValue(x);
  } catch {
    return undefined;
  }
}

interface Verdict {
  pass: boolean;
  detail?: string;
}

export function createCodeTask(opts: CodeTaskOptions): CodeTask {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // one trusted reference run per problem, shared by every candidate graded against it
  const references = new WeakMap<CodeExample, Promise<Reference>>();

  /** Runs a program and returns its framed report, or a failed verdict's reason. */
  async function runReport(program: string, nonce: string): Promise<{ report: unknown } | { failed: string }> {
    const r = await opts.sandbox.run(program, timeoutMs);
    if (r.timedOut) return { failed: `timed out after ${timeoutMs} ms` };
    if (!r.ok) return { failed: lastLine(r.stderr) || `exit code ${r.exitCode}` };
    try {
      return { report: readReport(r.stdout, nonce) };
    } catch (e) {
      return { failed: `unusable report: ${(e as Error).message}` };
    }
  }

  async function referenceRun(example: CodeExample): Promise<Reference> {
    const nonce = newNonce();
    const out = await runReport(buildReferenceProgram(example, nonce), nonce);
    if ('failed' in out) throw new Error(`reference run for ${example.id}: ${out.failed}`);
    const rep = out.report as { calls?: unknown; expected?: unknown; error?: unknown };
    if (typeof rep.error === 'string') throw new Error(`${example.id}: ${rep.error}`);
    if (!Array.isArray(rep.calls)) throw new Error(`reference run for ${example.id}: no calls`);
    const calls = rep.calls.map((c) => checkPyValue(c));
    // HumanEval's reference may return what the encoding cannot carry: no shortcut for those
    const expected = Array.isArray(rep.expected)
      ? rep.expected.map((c) => (example.plus ? checkPyValue(c) : tryPyValue(c)))
      : undefined;
    return { calls, expected };
  }

  function reference(example: CodeExample): Promise<Reference> {
    let ref = references.get(example);
    if (!ref) {
      // the Verify panel parses the record anew for every grade: find it by content too
      const key = JSON.stringify([
        example.prompt,
        example.entryPoint,
        example.test,
        example.canonicalSolution,
        example.plus,
      ]);
      ref = byContent.get(key);
      if (!ref) {
        ref = referenceRun(example);
        byContent.set(key, ref);
        if (byContent.size > REFERENCE_CACHE) byContent.delete(byContent.keys().next().value as string);
        ref.catch(() => byContent.delete(key)); // a failed run (e.g. a busy machine) is retried
      }
      references.set(example, ref);
      ref.catch(() => references.delete(example));
    }
    return ref;
  }

  async function judge(example: CodeExample, code: string): Promise<Verdict> {
    const ref = await reference(example);
    const nonce = newNonce();
    const out = await runReport(buildCandidateProgram(example, code, ref.calls, nonce), nonce);
    if ('failed' in out) return { pass: false, detail: out.failed };
    let results;
    try {
      results = checkCallResults(out.report, ref.calls.length);
    } catch (e) {
      return { pass: false, detail: `unusable report: ${(e as Error).message}` };
    }
    if (example.plus) {
      const expected = ref.expected ?? [];
      for (const [i, r] of results.entries()) {
        if ('err' in r) return { pass: false, detail: `input ${i} raised ${r.err}` };
        const e = expected[i];
        if (e === undefined || !samePyValue(r.ok, e, example.plus.atol))
          return { pass: false, detail: `wrong output on input ${i}` };
      }
      return { pass: true };
    }
    // the reference passed check() with these very values: the same values pass it again, so
    // only a candidate that answers differently (a float off in the last digit) needs the replay
    const same = results.every((r, i) => {
      const e = ref.expected?.[i];
      return 'ok' in r && e !== undefined && JSON.stringify(r.ok) === JSON.stringify(e);
    });
    if (same) return { pass: true };
    const vNonce = newNonce();
    const verdict = await runReport(buildVerdictProgram(example, ref.calls, results, vNonce), vNonce);
    if ('failed' in verdict) return { pass: false, detail: `verdict run: ${verdict.failed}` };
    const v = verdict.report as { pass?: unknown; detail?: unknown };
    return v.pass === true
      ? { pass: true }
      : { pass: false, detail: typeof v.detail === 'string' ? v.detail : 'failed' };
  }

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
        try {
          const verdict = await judge(example, code);
          correct = verdict.pass;
          detail = verdict.detail;
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
