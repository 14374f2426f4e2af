// `warmup eval` end to end through the real CLI and a real model (the qwen-tiny preset: random
// weights, Qwen tokenizer, wasm backend): K&K outputs and reports, resuming, reproducibility,
// `eval compare`, a model without a tokenizer, and the math, code and mcq tasks.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'apps/cli/bin/warmup.js');
const mathData = path.resolve(root, 'data/math-sample.jsonl');
let dir: string;
let kk: string;

function warmup(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Line {
  id: string;
  sample: number;
  completion: string;
  correct: boolean;
  format_ok: boolean;
  tokens: number;
  truncated: boolean;
}

const lines = (run: string): Line[] =>
  readFileSync(path.join(run, 'completions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

const kkArgs = (out: string, ...more: string[]) => [
  'eval',
  '--model',
  'qwen-tiny',
  '--backend',
  'wasm',
  '--task',
  'kk',
  '--data',
  kk,
  '--samples',
  '4',
  '--max-new-tokens',
  '16',
  '--out',
  out,
  ...more,
];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warmup-eval-real-'));
  kk = path.join(dir, 'kk.jsonl');
  const g = warmup('kk', 'generate', '--people', '2..3', '--count', '6', '--seed', '1', '--out', kk);
  expect(g.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('warmup eval with a real model', () => {
  const runA = () => path.join(dir, 'run-a');

  it('samples, grades and reports K&K', () => {
    const r = warmup(...kkArgs(runA()));
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pass@1 \d+\.\d ± \d+\.\d \| pass@2 \d+\.\d \| pass@4 \d+\.\d \| format failures \d+\.\d\n/);

    const recs = lines(runA());
    const ids = JSON.parse(`[${readFileSync(kk, 'utf8').trim().split('\n').join(',')}]`).map(
      (x: { id: string }) => x.id,
    );
    expect(recs).toHaveLength(6 * 4);
    expect([...new Set(recs.map((x) => x.id))]).toEqual(ids);
    for (const id of ids) expect(recs.filter((x) => x.id === id).map((x) => x.sample)).toEqual([0, 1, 2, 3]);
    for (const x of recs) {
      expect(x.completion.length).toBeGreaterThan(0);
      expect(x.tokens).toBeGreaterThan(0);
      expect(x.tokens).toBeLessThanOrEqual(16);
      expect(x.truncated).toBe(x.tokens === 16);
    }

    // The report's numbers are those of the completions file.
    const report = JSON.parse(readFileSync(path.join(runA(), 'report.json'), 'utf8'));
    expect(report).toMatchObject({
      task: 'kk',
      model: 'qwen-tiny',
      samples: 4,
      questions: 6,
      bucket_reference: 'self',
    });
    const perSample = [0, 1, 2, 3].map((j) => recs.filter((x) => x.sample === j && x.correct).length / 6);
    expect(report.pass1.per_sample).toEqual(perSample);
    expect(report.pass1.mean).toBeCloseTo(perSample.reduce((a, b) => a + b) / 4, 12);
    expect(report.pass1.std).toBeGreaterThanOrEqual(0);
    expect(Object.keys(report.passk).sort()).toEqual(['1', '2', '4']);
    expect(report.passk['1']).toBeCloseTo(report.pass1.mean, 12);
    const anyCorrect = ids.filter((id: string) => recs.some((x) => x.id === id && x.correct)).length / 6;
    expect(report.passk['4']).toBeCloseTo(anyCorrect, 12);
    expect(report.format_failure_rate).toBeCloseTo(recs.filter((x) => !x.format_ok).length / 24, 12);
    expect(report.buckets.map((b: { name: string }) => b.name)).toEqual([
      'unsolved',
      'hard',
      'medium',
      'easy',
      'always',
    ]);
    expect(report.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(6);
    expect(report.settings).toMatchObject({ backend: 'wasm', max_new_tokens: 16, samples: 4 });

    const md = readFileSync(path.join(runA(), 'report.md'), 'utf8');
    expect(md).toContain('qwen-tiny');
    expect(md).toMatch(/pass@4/);
    for (const svg of ['passk.svg', 'buckets.svg'])
      expect(readFileSync(path.join(runA(), svg), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(JSON.parse(readFileSync(path.join(runA(), 'config.json'), 'utf8'))).toMatchObject({
      model: 'qwen-tiny',
      data: kk,
    });
  });

  it('resumes a finished run without generating again', () => {
    const before = readFileSync(path.join(runA(), 'completions.jsonl'), 'utf8');
    const first = readFileSync(path.join(runA(), 'report.json'), 'utf8');
    const r = warmup(...kkArgs(runA()));
    expect(r.code).toBe(0);
    expect(r.err).toContain('eval: 6/6 questions (6 already done)');
    expect(r.err).not.toMatch(/eval: [0-5]\/6/);
    expect(readFileSync(path.join(runA(), 'completions.jsonl'), 'utf8')).toBe(before);
    const again = JSON.parse(readFileSync(path.join(runA(), 'report.json'), 'utf8'));
    const old = JSON.parse(first);
    expect(again.pass1).toEqual(old.pass1);
    expect(again.passk).toEqual(old.passk);
  });

  it('reproduces the same completions for the same question batch in a new run; compare shows both', () => {
    // --batch-size 8 with 4 samples = 2 questions per call: --limit 2 repeats run-a's first call.
    const runB = path.join(dir, 'run-b');
    const r = warmup(...kkArgs(runB, '--limit', '2'));
    expect(r.code).toBe(0);
    expect(lines(runB)).toEqual(lines(runA()).slice(0, 8));

    const c = warmup('eval', 'compare', runA(), runB);
    expect(c.code).toBe(0);
    expect(c.out.split('\n')[0]).toBe('| metric, unit | run-a | run-b |');
    expect(c.out).toContain('| questions × samples (count) | 6 × 4 | 2 × 4 |');
  });

  it('refuses a model without a tokenizer (exit 2, nothing written)', () => {
    const out = path.join(dir, 'no-tok');
    const r = warmup('eval', '--model', 'tiny', '--backend', 'wasm', '--task', 'kk', '--data', kk, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/--model: tiny has no tokenizer/);
    expect(existsSync(out)).toBe(false);
    const bad = warmup('eval', '--model', 'no-such-model', '--task', 'kk', '--data', kk, '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--model: not a directory or preset: no-such-model/);
  });

  it('runs the math task', () => {
    const out = path.join(dir, 'math');
    const r = warmup(
      'eval',
      '--model',
      'qwen-tiny',
      '--backend',
      'wasm',
      '--task',
      'math',
      '--data',
      mathData,
      '--limit',
      '3',
      '--samples',
      '2',
      '--max-new-tokens',
      '8',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const recs = lines(out);
    const ids = readFileSync(mathData, 'utf8')
      .trim()
      .split('\n')
      .slice(0, 3)
      .map((l) => JSON.parse(l).unique_id);
    expect(recs.map((x) => `${x.id}#${x.sample}`)).toEqual(ids.flatMap((id: string) => [`${id}#0`, `${id}#1`]));
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ task: 'math', questions: 3, samples: 2 });
    expect(Object.keys(report.passk).sort()).toEqual(['1', '2']);
    expect(report.format_failure_rate).toBeCloseTo(recs.filter((x) => !x.format_ok).length / 6, 12);
  });

  it.each([
    ['code', 'humaneval-sample.jsonl', 'task_id'],
    ['mcq', 'mmlu-pro-sample.jsonl', 'question_id'],
  ])('runs the %s task (%s) through the real verifier', (task, file, idField) => {
    const out = path.join(dir, task);
    const data = path.resolve(root, 'data', file);
    const r = warmup(
      'eval',
      '--model',
      'qwen-tiny',
      '--backend',
      'wasm',
      '--task',
      task,
      '--data',
      data,
      '--limit',
      '2',
      '--samples',
      '2',
      '--max-new-tokens',
      '8',
      '--out',
      out,
    );
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const ids = readFileSync(data, 'utf8')
      .trim()
      .split('\n')
      .slice(0, 2)
      .map((l) => String(JSON.parse(l)[idField]));
    expect(lines(out).map((x) => `${x.id}#${x.sample}`)).toEqual(ids.flatMap((id) => [`${id}#0`, `${id}#1`]));
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ task, questions: 2, samples: 2 });
  });
});

// The random model above never answers right, so its "correct" branches and the code sandbox
// stay idle. Here a scripted sampler (fixtures/eval-scripted.ts) hands known right and wrong
// completions to the real `eval` command and the real graders; every count is known exactly.
describe('warmup eval grades known completions (scripted sampler, real graders)', () => {
  const scripted = path.join(root, 'apps/cli/test/fixtures/eval-scripted.ts');
  const think = (answer: string): string => `<think>working</think> <answer>${answer}</answer>`;
  type Rec = Record<string, unknown>;
  const head = (file: string, n: number): Rec[] =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(0, n)
      .map((l) => JSON.parse(l) as Rec);

  /** Runs the scripted eval with texts[q][j] as sample j of question q; returns records and report. */
  function run(task: string, data: string, qs: Rec[], key: string, texts: string[][], more: string[] = []) {
    const out = path.join(dir, `scripted-${task}${more.length ? '-more' : ''}`);
    const scriptFile = path.join(dir, `script-${task}.json`);
    const match = (q: Rec): string => (more.includes('chat') ? `[USER] ${q[key]}` : String(q[key]));
    writeFileSync(scriptFile, JSON.stringify(qs.map((q, i) => ({ match: match(q), texts: texts[i] }))));
    const model = more.includes('chat') ? path.join(dir, 'custom-chat') : 'scripted';
    const args = ['--model', model, '--task', task, '--data', data, '--limit', String(qs.length), ...more];
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', scripted, 'eval', ...args, '--samples', String(texts[0].length), '--out', out],
      { cwd: root, encoding: 'utf8', env: { ...process.env, EVAL_SCRIPT: scriptFile } },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return { recs: lines(out), report: JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) };
  }

  /** The grader's verdicts, question by question, and the report's pass@k from them. */
  function expectGrades(
    got: { recs: Line[]; report: { pass1: { mean: number; per_sample: number[] }; passk: Record<string, number> } },
    correct: boolean[][],
  ) {
    const n = correct[0].length;
    expect(got.recs.map((x) => x.correct)).toEqual(correct.flat());
    const perSample = Array.from({ length: n }, (_, j) => correct.filter((q) => q[j]).length / correct.length);
    expect(got.report.pass1.per_sample).toEqual(perSample);
    expect(got.report.pass1.mean).toBeCloseTo(correct.flat().filter(Boolean).length / (n * correct.length), 12);
    expect(got.report.passk[String(n)]).toBeCloseTo(correct.filter((q) => q.some(Boolean)).length / correct.length, 12);
  }

  it('K&K: the solution in any order is right, a flipped role or a missing tag is not', () => {
    const qs = head(kk, 6);
    const flip = (q: Rec): string =>
      String(q.solution_text_format).replace(/knight|knave/, (m) => (m === 'knight' ? 'knave' : 'knight'));
    const reversed = (q: Rec): string => String(q.solution_text_format).split('\n').reverse().join('\n');
    const texts = qs.map((q, i) =>
      i === 0
        ? [think(flip(q)), String(q.solution_text_format)]
        : [think(String(q.solution_text_format)), think(reversed(q))],
    );
    const got = run('kk', kk, qs, 'quiz', texts);
    expectGrades(got, [[false, false], ...Array.from({ length: 5 }, () => [true, true])]);
    expect(got.report.pass1.mean).toBeCloseTo(10 / 12, 12);
    expect(got.report.format_failure_rate).toBeCloseTo(1 / 12, 12);
    expect(got.recs.map((x) => x.format_ok)).toEqual([true, false, ...Array(10).fill(true)]);
  });

  it('math: the boxed gold answer (or an equal form) is right, another value is not', () => {
    const qs = head(mathData, 3);
    const texts = [
      [think(`\\boxed{${qs[0].answer}}`), think(`\\boxed{${qs[0].answer}+1}`)],
      [think('\\boxed{-987654}'), think(`The area differs by $\\boxed{${qs[1].answer}}$ square inches.`)],
      [think('\\boxed{49}'), think('no answer here')],
    ];
    expect(qs.map((q) => q.answer)).toEqual(['13', '300\\pi', '50']);
    const got = run('math', mathData, qs, 'problem', texts);
    expectGrades(got, [
      [true, false],
      [false, true],
      [false, false],
    ]);
    expect(got.report.pass1.mean).toBeCloseTo(2 / 6, 12);
    expect(got.report.passk['2']).toBeCloseTo(2 / 3, 12);
  });

  it('mcq: the gold letter is right, a neighbouring letter is not', () => {
    const data = path.join(root, 'data/mmlu-pro-sample.jsonl');
    const qs = head(data, 2);
    const other = (q: Rec): string =>
      'ABCDEFGHIJ'[('ABCDEFGHIJ'.indexOf(String(q.answer)) + 1) % (q.options as string[]).length];
    const texts = [
      [think(`\\boxed{${qs[0].answer}}`), think(`\\boxed{${other(qs[0])}}`)],
      [think(`\\boxed{${other(qs[1])}}`), think(`The answer is (${qs[1].answer}).`)],
    ];
    const got = run('mcq', data, qs, 'question', texts);
    expectGrades(got, [
      [true, false],
      [false, true],
    ]);
    expect(got.report.pass1.mean).toBe(0.5);
    expect(got.report.passk['2']).toBe(1);
  });

  it("--prompt-style chat renders the questions with the checkpoint's own chat_template", () => {
    const data = path.join(root, 'data/mmlu-pro-sample.jsonl');
    const qs = head(data, 1);
    mkdirSync(path.join(dir, 'custom-chat'), { recursive: true });
    const template =
      '{% for m in messages %}[{{ m.role | upper }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[ASSISTANT] {% endif %}';
    writeFileSync(path.join(dir, 'custom-chat/tokenizer_config.json'), JSON.stringify({ chat_template: template }));
    // the script answers only a prompt rendered by that template ("[USER] <question>")
    const got = run('mcq', data, qs, 'question', [[think(`\\boxed{${qs[0].answer}}`)]], ['--prompt-style', 'chat']);
    expectGrades(got, [[true]]);
  });

  it('code: the canonical solution passes in the sandbox, `return None` and a crash fail', () => {
    const data = path.join(root, 'data/humaneval-sample.jsonl');
    const qs = head(data, 2);
    const fence = (code: string): string => think(`\`\`\`python\n${code}\n\`\`\``);
    const good = (q: Rec): string => fence(`${q.prompt}${q.canonical_solution}`);
    const none = (q: Rec): string => fence(`def ${q.entry_point}(*args, **kwargs):\n    return None`);
    const texts = [
      [good(qs[0]), none(qs[0])],
      [fence(`def ${qs[1].entry_point}(*args):\n    raise SystemExit(0)`), good(qs[1])],
    ];
    const got = run('code', data, qs, 'prompt', texts);
    expectGrades(got, [
      [true, false],
      [false, true],
    ]);
    // +2 for a pass and −1 for a failing run: only the sandbox's verdict separates them (format is ok).
    expect(got.recs.map((x) => (x as Line & { reward: number }).reward)).toEqual([2, -1, -1, 2]);
  });
});
