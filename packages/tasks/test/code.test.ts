// The code task's pure parts: fenced-block extraction, record loading (HumanEval and HumanEval+),
// the test program, and the reward with a scripted sandbox.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildCandidateProgram,
  buildReferenceProgram,
  candidateModule,
  checkCallResults,
  checkPyValue,
  readReport,
  samePyValue,
  CODE_RAW_JSON_FIELDS,
  codeFromRecord,
  createCodeTask,
  extractPythonBlock,
  loadRecords,
  type CodeSandbox,
  type SandboxResult,
} from '../src/index.ts';

const DATA = path.resolve(__dirname, '../../../data');

describe('extractPythonBlock', () => {
  it('takes the last python block, else a plain block, and ignores unclosed fences', () => {
    expect(extractPythonBlock('```python\na = 1\n```\ntext\n```py\nb = 2\n```')).toBe('b = 2');
    expect(extractPythonBlock('```\nc = 3\n```')).toBe('c = 3');
    expect(extractPythonBlock('```python\nd = 4\n```\n```js\nx\n```')).toBe('d = 4');
    expect(extractPythonBlock('```python\nunfinished')).toBeUndefined();
    expect(extractPythonBlock('no code')).toBeUndefined();
  });
});

describe('code records', () => {
  it('loads HumanEval and HumanEval+ samples', async () => {
    const he = await loadRecords(readFileSync(`${DATA}/humaneval-sample.jsonl`), 'humaneval-sample.jsonl');
    const a = codeFromRecord(he[0].value, he[0].where, 0);
    expect(a).toMatchObject({ id: 'HumanEval/0', entryPoint: 'has_close_elements' });
    expect(a.test).toContain('def check(candidate)');
    const plus = await loadRecords(
      readFileSync(`${DATA}/humanevalplus-mini-sample.jsonl`),
      'humanevalplus-mini-sample.jsonl',
      {
        rawJsonFields: CODE_RAW_JSON_FIELDS,
      },
    );
    const b = codeFromRecord(plus[0].value, plus[0].where, 0);
    expect(b.plus?.atol).toBe(0);
    // floats stay floats: the raw JSON text keeps "1.0", which JSON.parse would turn into 1
    expect(b.plus?.inputsJson).toContain('[1.0, 2.0, 3.9');
    expect(JSON.parse(b.plus!.inputsJson)).toHaveLength(7 + 12);
  });

  it('rejects records without tests or with a bad entry point', () => {
    expect(() => codeFromRecord({ task_id: 't', prompt: 'p', entry_point: 'f' }, 'x:3', 0)).toThrow(/x:3.*test/);
    expect(() => codeFromRecord({ task_id: 't', prompt: 'p', entry_point: 'f', test: 't' }, 'x:5', 0)).toThrow(
      /x:5.*canonical_solution/,
    );
    expect(() => codeFromRecord({ task_id: 't', prompt: 'p', entry_point: 'f()', test: '' }, 'x:4', 0)).toThrow(
      /entry_point/,
    );
  });
});

describe('test program', () => {
  it('keeps a full function, or continues the prompt with a body', () => {
    const prompt = 'import math\n\ndef f(x):\n    """doc"""\n';
    expect(candidateModule(prompt, 'def f(x):\n    return x', 'f')).toBe('import math\ndef f(x):\n    return x');
    expect(candidateModule(prompt, '    return x', 'f')).toBe(`${prompt}    return x`);
  });

  it("never puts the tests or the reference solution in the candidate's program", () => {
    const problem = {
      prompt: "def f(x):\n    '''doc'''\n",
      entryPoint: 'f',
      test: 'def check(c):\n    assert c(1) == 1234567\n',
      canonicalSolution: '    return 1234567 * x\n',
    };
    const ref = buildReferenceProgram(problem, '__WARMUP_N1__');
    expect(ref).toContain(JSON.stringify(problem.test).slice(1, -1));
    const cand = buildCandidateProgram(problem, 'def f(x):\n    return 0', [{ l: [{ i: '1' }] }], '__WARMUP_N2__');
    expect(cand).not.toContain('1234567');
    expect(cand).not.toContain('check');
    expect(cand).not.toContain('__WARMUP_N1__');
  });
});

describe('the report channel', () => {
  it('takes exactly one framed report', () => {
    expect(readReport('noise\nNONCE[1]\n', 'NONCE')).toEqual([1]);
    expect(() => readReport('NONCE[1]\nNONCE[2]\n', 'NONCE')).toThrow(/more than one/);
    expect(() => readReport('[1]\n', 'NONCE')).toThrow(/no report/);
  });

  it('accepts only the strict plain-data encoding', () => {
    expect(
      checkPyValue({ l: [null, true, 'a', { i: '-ff' }, { f: 'nan' }, { d: [[{ i: '1' }, { t: [] }]] }] }),
    ).toBeTruthy();
    for (const bad of [{ i: '12', x: 1 }, { i: 12 }, { f: '1.0; import os' }, { q: [] }, [1], 3, { d: [[1]] }])
      expect(() => checkPyValue(bad), JSON.stringify(bad)).toThrow();
    expect(() => checkCallResults([{ ok: true }], 2)).toThrow(/2 call results/);
    expect(() => checkCallResults([{ ok: true, err: 'x' }], 1)).toThrow();
  });

  it('compares by type and value, floats within atol', () => {
    expect(samePyValue(true, { i: '1' }, 0)).toBe(false);
    expect(samePyValue({ i: '1' }, { f: '1.0' }, 0)).toBe(true);
    expect(samePyValue({ f: '0.30000000000000004' }, { f: '0.3' }, 0)).toBe(true);
    expect(samePyValue({ f: '0.31' }, { f: '0.3' }, 0)).toBe(false);
    expect(samePyValue({ f: '0.31' }, { f: '0.3' }, 0.1)).toBe(true);
    expect(samePyValue({ f: 'nan' }, { f: 'nan' }, 0)).toBe(true);
    expect(samePyValue({ l: [{ i: '1' }] }, { t: [{ i: '1' }] }, 0)).toBe(false);
    expect(
      samePyValue(
        {
          d: [
            ['a', { i: '1' }],
            ['b', null],
          ],
        },
        {
          d: [
            ['b', null],
            ['a', { i: '1' }],
          ],
        },
        0,
      ),
    ).toBe(true);
    expect(samePyValue({ d: [['a', { i: '1' }]] }, { d: [['a', { i: '2' }]] }, 0)).toBe(false);
  });
});

class ScriptedSandbox implements CodeSandbox {
  programs: string[] = [];
  constructor(private readonly reply: (program: string) => Partial<SandboxResult>) {}
  async run(program: string): Promise<SandboxResult> {
    this.programs.push(program);
    const r = this.reply(program);
    return { ok: r.exitCode === 0, stdout: '', stderr: '', timedOut: false, exitCode: 0, ...r };
  }
}

const NONCE = /__WARMUP_[0-9a-f]{24}__/;

describe('code reward', () => {
  const ex = {
    id: 'e',
    prompt: 'def f():\n',
    entryPoint: 'f',
    test: 'def check(c):\n    assert c() == 1\n',
    canonicalSolution: '    return 1\n',
  };
  const answer = '<think>x</think> <answer>```python\ndef f():\n    return 1\n```</answer>';
  /** Plays the three runs: the reference records one call, the candidate reports `result`, the
   *  verdict run passes when the reported result is the int 1. */
  const runs = (result: unknown, extra: Partial<SandboxResult> = {}) =>
    new ScriptedSandbox((p) => {
      const nonce = NONCE.exec(p)![0];
      if (p.includes('_recorder')) return { exitCode: 0, stdout: `${nonce}{"calls": [{"l": []}]}\n` };
      if (p.includes('_replay')) {
        const pass = p.includes(JSON.stringify(JSON.stringify([{ ok: { i: '1' } }])));
        return { exitCode: 0, stdout: `${nonce}${JSON.stringify({ pass })}\n` };
      }
      return { exitCode: 0, stdout: result === undefined ? '' : `${nonce}${JSON.stringify(result)}\n`, ...extra };
    });

  it('passes only when the trusted verdict run passes on what the candidate reported', async () => {
    const good = runs([{ ok: { i: '1' } }]);
    expect(await createCodeTask({ sandbox: good }).grade(ex, answer)).toMatchObject({ correct: true, reward: 2 });
    expect(good.programs).toHaveLength(3);
    const wrong = runs([{ ok: { i: '2' } }]);
    expect(await createCodeTask({ sandbox: wrong }).grade(ex, answer)).toMatchObject({ correct: false, reward: -1 });
    // a report that is not plain data, or exit 0 without a report (the code left early)
    for (const r of [[{ ok: { obj: 'AlwaysEqual' } }], [], undefined]) {
      const g = await createCodeTask({ sandbox: runs(r) }).grade(ex, answer);
      expect(g, JSON.stringify(r)).toMatchObject({ correct: false, reward: -1 });
    }
    const timeout = runs([{ ok: { i: '1' } }], { exitCode: null, timedOut: true });
    const g = await createCodeTask({ sandbox: timeout, timeoutMs: 50 }).grade(ex, answer);
    expect(g).toMatchObject({ correct: false, reward: -1 });
    expect(g.detail).toMatch(/timed out/);
  });

  it("skips the replay when the candidate's results equal the reference's exactly", async () => {
    const ex2 = { ...ex, id: 'e2', test: 'def check(c):\n    assert c() == 1  # e2\n' };
    const sb = (result: unknown) =>
      new ScriptedSandbox((p) => {
        const nonce = NONCE.exec(p)![0];
        if (p.includes('_recorder'))
          return { exitCode: 0, stdout: `${nonce}{"calls": [{"l": []}], "expected": [{"i": "1"}]}\n` };
        if (p.includes('_replay')) return { exitCode: 0, stdout: `${nonce}{"pass": false}\n` };
        return { exitCode: 0, stdout: `${nonce}${JSON.stringify(result)}\n` };
      });
    const same = sb([{ ok: { i: '1' } }]);
    expect(await createCodeTask({ sandbox: same }).grade(ex2, answer)).toMatchObject({ correct: true });
    expect(same.programs).toHaveLength(2);
    // a bool is not the int 1: the replay decides (and here fails)
    const other = sb([{ ok: true }]);
    expect(await createCodeTask({ sandbox: other }).grade(ex2, answer)).toMatchObject({ correct: false });
    expect(other.programs.filter((p) => p.includes('_replay'))).toHaveLength(1);
  });

  it('gives −1 without code and −2 when the format gate fails', async () => {
    const sb = new ScriptedSandbox(() => ({ exitCode: 0 }));
    const task = createCodeTask({ sandbox: sb });
    expect(await task.grade(ex, '<think>x</think> <answer>no code</answer>')).toMatchObject({
      reward: -1,
      correct: false,
    });
    expect(sb.programs).toHaveLength(0);
    expect((await task.grade(ex, '```python\ndef f():\n    return 1\n```')).reward).toBe(-2);
  });
});
