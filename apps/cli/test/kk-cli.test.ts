// End-to-end tests of `warmup kk generate|grade|stats`: the real CLI in a child process, exit
// codes, one-line errors, and no output file left behind when the input is bad.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const PUBLIC = path.resolve(ROOT, 'data/kk/train_sample_people3.jsonl');
const dir = mkdtempSync(path.join(tmpdir(), 'kk-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function warmup(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lines = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('warmup kk', () => {
  const data = path.join(dir, 'kk.jsonl');

  it('generate writes the requested puzzles, reproducibly', () => {
    const r = warmup('kk', 'generate', '--people', '3..5', '--count', '30', '--seed', '4', '--out', data);
    expect(r.code, r.stderr).toBe(0);
    const recs = lines(data);
    expect(recs).toHaveLength(30);
    expect(recs.map((x) => x.n).sort()).toEqual([...Array(10).fill(3), ...Array(10).fill(4), ...Array(10).fill(5)]);
    for (const key of ['id', 'n', 'names', 'statements', 'solution', 'quiz', 'solution_text', 'solution_text_format'])
      expect(recs[0]).toHaveProperty(key);
    const again = path.join(dir, 'again.jsonl');
    expect(warmup('kk', 'generate', '--people', '3..5', '--count', '30', '--seed', '4', '--out', again).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(data, 'utf8'));
  });

  it('generate --with-trace adds teacher completions that grade correct', () => {
    const traced = path.join(dir, 'traced.jsonl');
    const r = warmup(
      'kk',
      'generate',
      '--people',
      '4',
      '--count',
      '6',
      '--seed',
      '2',
      '--with-trace',
      '--style',
      'short',
      '--prompt-style',
      'chat',
      '--out',
      traced,
    );
    expect(r.code, r.stderr).toBe(0);
    const recs = lines(traced);
    for (const x of recs) {
      expect(x.source).toBe('kk-teacher');
      expect(x.reward).toBe(2);
      expect(String(x.prompt).endsWith('<|im_start|>assistant\n<think>')).toBe(true);
    }
    const completions = path.join(dir, 'traced-completions.jsonl');
    writeFileSync(completions, recs.map((x) => JSON.stringify({ id: x.id, completion: x.completion })).join('\n'));
    const g = warmup('kk', 'grade', '--data', traced, '--completions', completions, '--json');
    expect(g.code, g.stderr).toBe(0);
    const summary = JSON.parse(g.stdout) as Record<string, number>;
    expect(summary).toMatchObject({ total: 6, correct: 6, accuracy: 1, mean_reward: 2, format_failures: 0 });
  });

  it('grade scores public records and reports format failures and wrong answers', () => {
    const recs = lines(PUBLIC).slice(0, 4);
    const completions = path.join(dir, 'c.jsonl');
    const flip = (t: string) => t.replace(/knight|knave/, (m) => (m === 'knight' ? 'knave' : 'knight'));
    writeFileSync(
      completions,
      [
        { id: `kk-n3-i${recs[0].index}`, completion: `a </think> <answer>${recs[0].solution_text_format}</answer>` },
        {
          id: `kk-n3-i${recs[1].index}`,
          completion: `a </think> <answer>${flip(String(recs[1].solution_text_format))}</answer>`,
        },
        { id: `kk-n3-i${recs[2].index}`, completion: 'no tags at all' },
        {
          id: `kk-n3-i${recs[3].index}`,
          completion: `<think>b</think> <answer>${recs[3].solution_text}</answer>\n<|im_end|>`,
        },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const paper = JSON.parse(warmup('kk', 'grade', '--data', PUBLIC, '--completions', completions, '--json').stdout);
    expect(paper).toMatchObject({ total: 4, correct: 2, accuracy: 0.5, format_failures: 1, scheme: 'paper' });
    expect(paper.mean_reward).toBeCloseTo((2 - 0.5 - 2 + 2) / 4);
    expect(paper.results.map((r: { correct: boolean }) => r.correct)).toEqual([true, false, false, true]);
    const lrl = JSON.parse(
      warmup('kk', 'grade', '--data', PUBLIC, '--completions', completions, '--json', '--scheme', 'logic-rl').stdout,
    );
    expect(lrl.mean_reward).toBeCloseTo((3 - 0.5 - 3 + 3) / 4);
    const text = warmup('kk', 'grade', '--data', PUBLIC, '--completions', completions);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('2 correct (50.0%)');
  });

  it('stats prints counts by size and statement types', () => {
    const r = warmup('kk', 'stats', '--data', data);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('30 puzzles');
    for (const op of ['leaf', 'not', 'and', 'or', '->', '<=>']) expect(r.stdout).toContain(op);
    const j = JSON.parse(warmup('kk', 'stats', '--data', data, '--json').stdout);
    expect(j.byPeople).toEqual({ 3: 10, 4: 10, 5: 10 });
    expect(j.statements).toBe(120);
  });

  it('rejects bad input with exit code 2, a one-line error, and no output file', () => {
    const out = path.join(dir, 'bad-out.jsonl');
    const badJsonl = path.join(dir, 'bad.jsonl');
    writeFileSync(badJsonl, `${readFileSync(PUBLIC, 'utf8').split('\n')[0]}\n{"quiz": \n`);
    const unknownId = path.join(dir, 'unknown-id.jsonl');
    writeFileSync(unknownId, '{"id": "kk-n3-i100", "completion": "x"}\n{"id": "nope", "completion": "x"}\n');
    const cases: Array<[string[], RegExp]> = [
      [['kk', 'generate', '--count', '5', '--out', out, '--bogus'], /unknown option '--bogus'/],
      [['kk', 'generate', '--count', '5', '--people', '2..9', '--out', out], /--people .*<= 8/],
      [['kk', 'generate', '--count', '5', '--people', '1', '--out', out], /--people .*>= 2/],
      [['kk', 'generate', '--count', '0', '--out', out], /--count must be >= 1/],
      [['kk', 'generate', '--count', 'ten', '--out', out], /--count must be an integer/],
      [['kk', 'generate', '--count', '500', '--people', '2', '--out', out], /--count: only \d+ distinct/],
      [['kk', 'generate', '--count', '5', '--style', 'long', '--out', out], /--style needs --with-trace/],
      [
        ['kk', 'generate', '--count', '5', '--with-trace', '--style', 'medium', '--out', out],
        /--style must be one of long, short/,
      ],
      [['kk', 'generate', '--count', '5'], /--out/],
      [['kk', 'grade', '--data', badJsonl, '--completions', unknownId], /bad\.jsonl:2: malformed JSON/],
      [['kk', 'grade', '--data', PUBLIC, '--completions', unknownId], /unknown-id\.jsonl:2: id "nope" not found/],
      [
        ['kk', 'grade', '--data', PUBLIC, '--completions', unknownId, '--scheme', 'r1'],
        /--scheme must be one of paper, logic-rl/,
      ],
      [['kk', 'grade', '--data', path.join(dir, 'missing.jsonl'), '--completions', unknownId], /--data: no such file/],
      [['kk', 'stats', '--data', badJsonl], /bad\.jsonl:2:/],
    ];
    for (const [args, re] of cases) {
      const r = warmup(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
