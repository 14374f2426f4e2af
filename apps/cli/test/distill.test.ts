// `warmup distill` against the real `warmup serve` server (qwen-tiny, so nearly every sample
// grades wrong): counts, keep rules, resuming after an interruption or a torn file, retries on
// 503, servers that ignore `n`, and the CLI's exit codes.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeKk, kkTask, kkTeacherTrace, parseKkJsonl, renderPrompt, type KkPuzzle } from '@warmup/tasks';
import { EndpointError, endpointUrl, type EndpointOptions } from '../src/distill/client.ts';
import {
  runDistill,
  selectKept,
  stripLeadingThink,
  type DistillOptions,
  type KeepRule,
} from '../src/distill/distill.ts';
import { JsonlTraceStore } from '../src/distill/jsonl-store.ts';
import { startModelServer, startProxy, type Running } from './helpers/servers.ts';

const root = path.resolve(__dirname, '../../..');
const DATA = path.resolve(root, 'data/kk/train_sample_people3.jsonl');
const puzzles: KkPuzzle[] = parseKkJsonl(readFileSync(DATA, 'utf8'), DATA);
let srv: Running;
let dir: string;
let fileNo = 0;
const freshOut = (): string => path.join(dir, `out-${++fileNo}.jsonl`);

beforeAll(async () => {
  srv = await startModelServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'warmup-distill-'));
});
afterAll(async () => {
  await srv?.close();
});

function endpoint(url: string, extra: Partial<EndpointOptions> = {}): EndpointOptions {
  return {
    endpoint: `${url}/v1`,
    model: 'qwen-tiny',
    api: 'chat',
    stream: true,
    retries: 3,
    retryDelayMs: 5,
    ...extra,
  };
}

async function distill(out: string, extra: Partial<DistillOptions> = {}, url = srv.url) {
  const store = await JsonlTraceStore.open(out);
  return runDistill({
    endpoint: endpoint(url),
    puzzles: puzzles.slice(0, 2),
    samples: 2,
    // Greedy keeps the mechanics tests cheap (sampling from 151936 logits per token is not); the
    // first test samples. top_p < 1 would sort the whole vocabulary of an untrained model.
    temperature: 0,
    topP: 1,
    maxTokens: 4,
    concurrency: 2,
    keep: 'all',
    promptStyle: 'r1',
    store,
    ...extra,
  });
}

const readRecords = (file: string): any[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('distill against warmup serve', () => {
  it('writes samples × puzzles graded records (keep all), over chat+stream and completions+JSON', async () => {
    for (const [api, stream, temperature] of [
      ['chat', true, 1],
      ['completions', false, 0],
    ] as const) {
      const out = freshOut();
      const s = await distill(out, { endpoint: endpoint(srv.url, { api, stream }), samples: 3, temperature });
      expect(s).toMatchObject({ total: 2, skipped: 0, done: 2, samples: 6, kept: 6, aborted: false });
      const recs = readRecords(out);
      expect(recs).toHaveLength(6);
      for (const p of puzzles.slice(0, 2)) expect(recs.filter((r) => r.id === p.id)).toHaveLength(3);
      // Sampled at temperature 1 from a near-uniform model the 3 completions differ; greedy, they agree.
      expect(new Set(recs.filter((r) => r.id === puzzles[0].id).map((r) => r.completion)).size).toBe(
        temperature === 1 ? 3 : 1,
      );
      for (const r of recs) {
        const p = puzzles.find((q) => q.id === r.id)!;
        expect(r.source).toBe('distill:qwen-tiny');
        expect(r.prompt).toBe(renderPrompt(kkTask.promptParts(p), 'r1'));
        expect(r.completion.length).toBeGreaterThan(0);
        const g = gradeKk(r.completion, p.names, p.solution, 'paper');
        expect(r.reward).toBe(g.reward);
        expect(r.correct).toBe(g.correct);
      }
    }
  });

  it('keep best writes one record per puzzle; keep correct writes only correct ones', async () => {
    const best = freshOut();
    const s = await distill(best, { keep: 'best' });
    expect(s.kept).toBe(2);
    expect(readRecords(best).map((r) => r.id)).toEqual(expect.arrayContaining([puzzles[0].id, puzzles[1].id]));
    expect(readRecords(best)).toHaveLength(2);
    const corr = freshOut();
    const c = await distill(corr, { keep: 'correct' });
    const recs = existsSync(corr) ? readRecords(corr) : [];
    expect(recs.every((r) => r.correct === true)).toBe(true);
    expect(recs).toHaveLength(c.correct);
    // Puzzles with nothing kept still count as finished: a re-run asks for nothing.
    const again = await distill(corr, { keep: 'correct' });
    expect(again).toMatchObject({ skipped: 2, done: 0, samples: 0 });
  });

  it('keep correct keeps exactly the correct trace a teacher sends among wrong ones', async () => {
    // A scripted OpenAI-compatible teacher: sample 0 for puzzle 0 is its correct teacher trace,
    // everything else is wrong, so the "correct" branch of grading and keeping really runs.
    const [p0, p1] = puzzles;
    const teacher = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          messages?: { content: string }[];
          n?: number;
        };
        const text = body.messages?.map((m) => m.content).join('\n') ?? '';
        const which = text.includes(p0.quiz) ? p0 : text.includes(p1.quiz) ? p1 : undefined;
        const content = (i: number): string =>
          which === p0 && i === 0 ? kkTeacherTrace(p0) : '</think> <answer> (1) nobody </answer>';
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            choices: Array.from({ length: body.n ?? 1 }, (_, i) => ({
              index: i,
              message: { role: 'assistant', content: content(i) },
              finish_reason: 'stop',
            })),
          }),
        );
      });
    });
    await new Promise<void>((r) => teacher.listen(0, '127.0.0.1', r));
    const { port } = teacher.address() as { port: number };
    try {
      const out = freshOut();
      const c = await distill(out, { keep: 'correct' }, `http://127.0.0.1:${port}`);
      expect(c).toMatchObject({ correct: 1, kept: 1, done: 2 });
      const recs = readRecords(out);
      expect(recs).toHaveLength(1);
      expect(recs[0]).toMatchObject({ id: p0.id, correct: true, reward: 2 });
      expect(kkTask.grade(p0, recs[0].completion).correct).toBe(true);
    } finally {
      await new Promise((r) => teacher.close(r));
    }
  });

  it('resumes after an interruption without duplicates', async () => {
    const out = freshOut();
    const ctrl = new AbortController();
    const first = await distill(out, { concurrency: 1, signal: ctrl.signal, onCommit: () => ctrl.abort() });
    expect(first.done).toBe(1);
    expect(first.aborted).toBe(true);
    const before = readRecords(out);
    expect(before).toHaveLength(2);
    const second = await distill(out, { puzzles: puzzles.slice(0, 3) });
    expect(second).toMatchObject({ skipped: 1, done: 2 });
    const after = readRecords(out);
    expect(after).toHaveLength(6);
    expect(after.slice(0, 2)).toEqual(before); // the finished puzzle was not redone
    for (const p of puzzles.slice(0, 3)) expect(after.filter((r) => r.id === p.id)).toHaveLength(2);
  });

  it('drops a torn last line and the lines of a puzzle that never finished, then completes it', async () => {
    const out = freshOut();
    await distill(out, { puzzles: puzzles.slice(0, 1) });
    // A crash mid-commit: one complete line of the second puzzle (not in the progress log) and a
    // torn line after it.
    const orphan = { id: puzzles[1].id, prompt: 'p', completion: 'c', source: 'x', reward: 0, correct: false };
    appendFileSync(out, `${JSON.stringify(orphan)}\n{"id": "${puzzles[2].id}", "prom`);
    const s = await distill(out, { puzzles: puzzles.slice(0, 3) });
    expect(s).toMatchObject({ skipped: 1, done: 2 });
    const recs = readRecords(out);
    expect(recs).toHaveLength(6);
    expect(recs.some((r) => r.source === 'x')).toBe(false);
  });

  it('retries 503s with backoff, then succeeds', async () => {
    const proxy = await startProxy(srv.url, { failFirst: 2 });
    try {
      const out = freshOut();
      const s = await distill(out, { puzzles: puzzles.slice(0, 1), concurrency: 1 }, proxy.url);
      expect(s.done).toBe(1);
      expect(proxy.stats.failed).toBe(2);
      expect(proxy.stats.requests).toBe(3);
      expect(readRecords(out)).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after --retries and writes nothing for the failed puzzle', async () => {
    const proxy = await startProxy(srv.url, { failFirst: 100 });
    try {
      const out = freshOut();
      const run = distill(
        out,
        { puzzles: puzzles.slice(0, 1), concurrency: 1, endpoint: endpoint(proxy.url, { retries: 2 }) },
        proxy.url,
      );
      await expect(run).rejects.toThrow(EndpointError);
      await expect(run).rejects.toThrow(/503.*gave up after 3 attempts/);
      expect(proxy.stats.requests).toBe(3);
      expect(existsSync(out) ? readFileSync(out, 'utf8') : '').toBe('');
    } finally {
      await proxy.close();
    }
  });

  it('asks again when a server ignores n', async () => {
    const proxy = await startProxy(srv.url, { dropN: true });
    try {
      const out = freshOut();
      const s = await distill(out, { samples: 3, concurrency: 1 }, proxy.url);
      expect(s.samples).toBe(6);
      expect(proxy.stats.requests).toBe(6); // one sample per request
      expect(readRecords(out)).toHaveLength(6);
    } finally {
      await proxy.close();
    }
  });
});

describe('distill pieces', () => {
  it('keep rules on real grades: a correct teacher trace among wrong ones', () => {
    const p = puzzles[0];
    const texts = ['no idea', kkTeacherTrace(p), '</think> <answer> (1) x </answer>', kkTeacherTrace(p)];
    const graded = texts.map((completion, i) => ({ i, ...kkTask.grade(p, completion) }));
    expect(graded.map((g) => g.correct)).toEqual([false, true, false, true]);
    const pick = (rule: KeepRule) => selectKept(graded, rule).map((g) => g.i);
    expect(pick('all')).toEqual([0, 1, 2, 3]);
    expect(pick('correct')).toEqual([1, 3]);
    expect(pick('best')).toEqual([1]);
    expect(selectKept([], 'best')).toEqual([]);
  });

  it('endpoint URLs with or without /v1 or a route', () => {
    expect(endpointUrl('http://h:1', 'chat')).toBe('http://h:1/v1/chat/completions');
    expect(endpointUrl('http://h:1/v1/', 'completions')).toBe('http://h:1/v1/completions');
    expect(endpointUrl('http://h:1/v1/chat/completions', 'chat')).toBe('http://h:1/v1/chat/completions');
    expect(stripLeadingThink('\n<think>\nhmm')).toBe('\nhmm');
  });
});

describe('warmup distill (CLI)', () => {
  const bin = path.join(root, 'apps/cli/bin/warmup.js');

  it('runs end to end against the server and resumes on a second run', async () => {
    const out = freshOut();
    const args = [
      'distill',
      '--endpoint',
      `${srv.url}/v1`,
      '--model',
      'qwen-tiny',
      '--data',
      DATA,
      '--out',
      out,
      '--samples',
      '2',
      '--max-tokens',
      '4',
      '--temperature',
      '0',
      '--limit',
      '2',
      '--keep',
      'all',
    ];
    // Async spawn: the server lives in this process, so the test must not block its event loop.
    const run = () =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn(process.execPath, [bin, ...args], { cwd: root });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('close', (code) => resolve({ code, err }));
      });
    const a = await run();
    expect(a.code).toBe(0);
    expect(a.err).toMatch(/2 puzzles done, 0 already done, 4 samples/);
    expect(readRecords(out)).toHaveLength(4);
    const b = await run();
    expect(b.code).toBe(0);
    expect(b.err).toMatch(/0 puzzles done, 2 already done/);
    expect(readRecords(out)).toHaveLength(4);
  });

  it('bad flags and bad data exit 2 with a message naming them', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [bin, 'distill', ...args], { cwd: root, encoding: 'utf8' });
    const base = ['--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm', '--out', path.join(dir, 'never.jsonl')];
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"names": ["A"]}\n');
    const r1 = cli(...base, '--data', DATA, '--keep', 'some');
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/--keep must be one of all, correct, best/);
    const r2 = cli(...base, '--data', bad);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/bad\.jsonl:1/);
    expect(existsSync(path.join(dir, 'never.jsonl'))).toBe(false);
  });
});
