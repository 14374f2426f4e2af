// The code task's pure parts: fenced-block extraction, record loading (HumanEval and HumanEval+),
// the test program, and the reward with a scripted sandbox.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildTestProgram,
  candidateModule,
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

  it('embeds the sentinel and the sources as string literals', () => {
    const prompt = 'def f():\n    """"quoted"\\n"""\n';
    const p = buildTestProgram(
      { prompt, entryPoint: 'f', test: 'def check(c):\n    assert c() == 1\n' },
      'def f():\n    return 1',
      'SENT',
    );
    expect(p).toContain('print("SENT")');
    expect(p).toContain(JSON.stringify(prompt));
    expect(p).toContain(JSON.stringify(candidateModule(prompt, 'def f():\n    return 1', 'f')));
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

describe('code reward', () => {
  const ex = { id: 'e', prompt: 'def f():\n', entryPoint: 'f', test: 'def check(c):\n    pass\n' };
  const answer = '<think>x</think> <answer>```python\ndef f():\n    return 1\n```</answer>';

  it('passes only with exit 0 and the sentinel on stdout', async () => {
    const passing = new ScriptedSandbox((p) => ({
      exitCode: 0,
      stdout: /print\("(__WARMUP_PASS_\w+__)"\)/.exec(p)![1] + '\n',
    }));
    expect(await createCodeTask({ sandbox: passing }).grade(ex, answer)).toMatchObject({ correct: true, reward: 2 });
    // exit 0 without the sentinel: the code left early (sys.exit(0) before the tests ran)
    const early = new ScriptedSandbox(() => ({ exitCode: 0, stdout: '' }));
    expect(await createCodeTask({ sandbox: early }).grade(ex, answer)).toMatchObject({ correct: false, reward: -1 });
    const timeout = new ScriptedSandbox(() => ({ exitCode: null, timedOut: true }));
    const g = await createCodeTask({ sandbox: timeout, timeoutMs: 50 }).grade(ex, answer);
    expect(g).toMatchObject({ correct: false, reward: -1 });
    expect(g.detail).toMatch(/timed out/);
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
