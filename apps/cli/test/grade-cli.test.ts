// `warmup grade` end to end: the real CLI on the shared samples (math, mcq, code, kk), JSON
// summaries, ids by record field or line number, other data formats, and exit code 2 on bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const DATA = path.resolve(ROOT, 'data');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'grade-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [path.join(ROOT, 'apps/cli/bin/warmup.js'), 'grade', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function rows(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function writeJsonl(name: string, records: unknown[]): string {
  const f = path.join(tmp, name);
  writeFileSync(f, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return f;
}

interface Summary {
  total: number;
  correct: number;
  accuracy: number;
  mean_reward: number;
  results: { id: string; correct: boolean; reward: number }[];
}

const answer = (s: string): string => `<think>reasoning</think> <answer>${s}</answer>`;

describe('warmup grade', () => {
  it('grades math: gold answers right, others wrong, with the docs/METHOD.md rewards', () => {
    const data = rows(`${DATA}/math-sample.jsonl`);
    const completions = writeJsonl(
      'math.jsonl',
      data.map((r, i) => ({
        id: r.unique_id,
        completion: answer(i % 2 === 0 ? `\\boxed{${r.answer}}` : '\\boxed{-987654}'),
      })),
    );
    const r = cli('--task', 'math', '--data', `${DATA}/math-sample.jsonl`, '--completions', completions, '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.total).toBe(30);
    expect(s.correct).toBe(15);
    expect(s.accuracy).toBeCloseTo(0.5);
    expect(s.mean_reward).toBeCloseTo((15 * 2 + 15 * -0.5) / 30);
    expect(s.results[0]).toMatchObject({ id: data[0].unique_id, correct: true, reward: 2 });
    expect(s.results[1]).toMatchObject({ correct: false, reward: -0.5 });
  });

  it('grades mcq by question_id and reads the same data as JSON and CSV', () => {
    const data = rows(`${DATA}/mmlu-pro-sample.jsonl`);
    const completions = writeJsonl(
      'mcq.jsonl',
      data.map((r) => ({ id: r.question_id, completion: answer(`\\boxed{${r.answer}}`) })),
    );
    const json = path.join(tmp, 'mmlu.json');
    writeFileSync(json, JSON.stringify(data));
    const csv = path.join(tmp, 'mmlu.csv');
    const q = (v: unknown): string => `"${String(typeof v === 'string' ? v : JSON.stringify(v)).replace(/"/g, '""')}"`;
    writeFileSync(
      csv,
      'question_id,question,options,answer,answer_index\n' +
        data.map((r) => [r.question_id, r.question, r.options, r.answer, r.answer_index].map(q).join(',')).join('\n'),
    );
    for (const file of [`${DATA}/mmlu-pro-sample.jsonl`, json, csv]) {
      const r = cli('--task', 'mcq', '--data', file, '--completions', completions, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ total: 20, correct: 20, mean_reward: 2 });
    }
  });

  it('grades code in the sandbox: canonical solutions pass, `return None` fails', () => {
    const data = rows(`${DATA}/humanevalplus-mini-sample.jsonl`);
    const completions = writeJsonl(
      'code.jsonl',
      data.map((r, i) => ({
        id: r.task_id,
        completion: answer(
          '```python\n' +
            (i < 6 ? `${r.prompt}${r.canonical_solution}` : `def ${r.entry_point}(*a):\n    return None`) +
            '\n```',
        ),
      })),
    );
    const r = cli(
      '--task',
      'code',
      '--data',
      `${DATA}/humanevalplus-mini-sample.jsonl`,
      '--completions',
      completions,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.total).toBe(10);
    expect(s.correct).toBe(6);
    expect(s.results.slice(0, 6).every((x) => x.correct && x.reward === 2)).toBe(true);
    expect(s.results.slice(6).every((x) => !x.correct && x.reward === -1)).toBe(true);
  });

  it('--hostile: the shipped cheats all grade wrong, and one that passes is named with exit 1', () => {
    const corpus = `${DATA}/hostile-code.jsonl`;
    const n = readFileSync(corpus, 'utf8').trim().split('\n').length;
    const r = cli('--task', 'code', '--data', `${DATA}/humaneval-sample.jsonl`, '--completions', corpus, '--hostile');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`resisted ${n} of ${n} hostile completions`);
    const rec = rows(`${DATA}/humaneval-sample.jsonl`)[0];
    const honest = writeJsonl('honest.jsonl', [
      { id: rec.task_id, completion: answer(`\`\`\`python\n${rec.prompt}${rec.canonical_solution}\n\`\`\``) },
    ]);
    const bad = cli('--task', 'code', '--data', `${DATA}/humaneval-sample.jsonl`, '--completions', honest, '--hostile');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`resisted 0 of 1 hostile completions\nfooled by ${rec.task_id}`);
  });

  it('uses the 0-based line number as id when the data has none (K&K)', () => {
    const data = rows(`${DATA}/kk/train_sample_people3.jsonl`);
    const completions = writeJsonl(
      'kk.jsonl',
      data.map((r, i) => ({ id: i, completion: answer(String(i === 0 ? 'nobody knows' : r.solution_text_format)) })),
    );
    const r = cli(
      '--task',
      'kk',
      '--data',
      `${DATA}/kk/train_sample_people3.jsonl`,
      '--completions',
      completions,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.total).toBe(10);
    expect(s.correct).toBe(9);
    expect(s.results[0].correct).toBe(false);
  });

  it('prints a one-line summary without --json', () => {
    const completions = writeJsonl('one.jsonl', [{ id: 3479, completion: answer('\\boxed{E}') }]);
    const r = cli('--task', 'mcq', '--data', `${DATA}/mmlu-pro-sample.jsonl`, '--completions', completions);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/graded 1 mcq completions: 1 correct \(100\.0%\)/);
  });

  it('exits 2 with a one-line message on bad input', () => {
    const good = writeJsonl('ok.jsonl', [{ id: 3479, completion: 'x' }]);
    const cases: [string[], RegExp][] = [
      [['--task', 'chess', '--data', `${DATA}/mmlu-pro-sample.jsonl`, '--completions', good], /--task must be one of/],
      [['--task', 'mcq', '--data', path.join(tmp, 'missing.jsonl'), '--completions', good], /--data: no such file/],
      [
        [
          '--task',
          'mcq',
          '--data',
          `${DATA}/mmlu-pro-sample.jsonl`,
          '--completions',
          writeJsonl('unknown.jsonl', [{ id: 'nope', completion: 'x' }]),
        ],
        /unknown\.jsonl:1: id "nope" not found/,
      ],
      [
        [
          '--task',
          'mcq',
          '--data',
          `${DATA}/mmlu-pro-sample.jsonl`,
          '--completions',
          writeJsonl('noc.jsonl', [{ id: 3479 }]),
        ],
        /noc\.jsonl:1: field "completion"/,
      ],
      [
        ['--task', 'code', '--data', `${DATA}/mmlu-pro-sample.jsonl`, '--completions', good],
        /mmlu-pro-sample\.jsonl:1: field "prompt"/,
      ],
      [
        ['--task', 'mcq', '--data', path.join(tmp, 'ok.jsonl').replace('.jsonl', '.txt'), '--completions', good],
        /no such file|unsupported/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });
});
