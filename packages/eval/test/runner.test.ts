// The resumable eval loop, driven by a deterministic fake sampler: batching, one flush per batch,
// skipping complete questions on restart, re-running partial ones, and settings checks.
import { describe, expect, it } from 'vitest';
import { COMPLETIONS_FILE, MemoryEvalStorage, parseCompletions, runEval, type RunEvalOptions } from '../src/index.ts';
import { FakeSampler, fakeGrader, makeQuestions } from './fakes.ts';

class CountingStorage extends MemoryEvalStorage {
  appends = 0;
  override async appendLines(name: string, lines: readonly string[]): Promise<void> {
    this.appends++;
    return super.appendLines(name, lines);
  }
}

function opts(
  solved: number[],
  storage: MemoryEvalStorage = new CountingStorage(),
  extra: Partial<RunEvalOptions> = {},
) {
  const questions = makeQuestions(solved);
  const sampler = new FakeSampler(questions);
  const o: RunEvalOptions = {
    questions,
    samples: 4,
    questionsPerBatch: 2,
    sampler,
    grader: fakeGrader(questions),
    storage,
    ...extra,
  };
  return { o, sampler, storage, questions };
}

function stored(storage: MemoryEvalStorage) {
  return parseCompletions(storage.files.get(COMPLETIONS_FILE) ?? '', 'c').records;
}

describe('runEval', () => {
  it('samples every question n times in batches and stores each graded completion', async () => {
    const storage = new CountingStorage();
    const { o, sampler } = opts([0, 1, 4, 2, 3], storage);
    const progress: number[] = [];
    const res = await runEval({ ...o, onProgress: (p) => progress.push(p.done) });
    expect(sampler.calls.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(storage.appends).toBe(3);
    expect(progress).toEqual([0, 2, 4, 5]);
    expect(res.generated).toBe(5);
    expect(res.skipped).toBe(0);
    expect(res.records).toHaveLength(20);
    expect(res.records.map((r) => `${r.id}/${r.sample}`).slice(0, 5)).toEqual(['q0/0', 'q0/1', 'q0/2', 'q0/3', 'q1/0']);
    const perQ = ['q0', 'q1', 'q2', 'q3', 'q4'].map((id) => res.records.filter((r) => r.id === id && r.correct).length);
    expect(perQ).toEqual([0, 1, 4, 2, 3]);
    const file = stored(storage);
    expect(file).toHaveLength(20);
    const r = file.find((x) => x.id === 'q2' && x.sample === 0)!;
    expect(r).toMatchObject({
      correct: true,
      format_ok: true,
      reward: 2,
      tokens: 10,
      truncated: false,
      extracted: 'g2',
    });
    const bad = file.find((x) => x.id === 'q0' && x.sample === 1)!;
    expect(bad).toMatchObject({
      correct: false,
      format_ok: false,
      reward: -2,
      truncated: true,
      completion: 'rambling',
    });
  });

  it('resumes after a crash: finished batches are not sampled again', async () => {
    const storage = new CountingStorage();
    const first = opts([1, 2, 3, 4, 0], storage);
    first.sampler.failOnCall = 1; // the second batch dies
    await expect(runEval(first.o)).rejects.toThrow('simulated crash');
    expect(stored(storage).map((r) => r.id)).toEqual(['q0', 'q0', 'q0', 'q0', 'q1', 'q1', 'q1', 'q1']);

    const second = opts([1, 2, 3, 4, 0], storage);
    const res = await runEval(second.o);
    expect(second.sampler.calls).toEqual([['question 2', 'question 3'], ['question 4']]);
    expect(res.skipped).toBe(2);
    expect(res.generated).toBe(3);

    const fresh = opts([1, 2, 3, 4, 0]);
    const ref = await runEval(fresh.o);
    expect(res.records).toEqual(ref.records);
    expect(stored(storage)).toHaveLength(20);

    const third = opts([1, 2, 3, 4, 0], storage);
    await runEval(third.o);
    expect(third.sampler.calls).toEqual([]);
  });

  it('re-runs partial questions from scratch and drops a torn last line', async () => {
    const { o, sampler, storage } = opts([2, 2, 2]);
    await runEval(o);
    const lines = storage.files.get(COMPLETIONS_FILE)!.split('\n').filter(Boolean);
    // Keep q0 whole, only samples 0 and 2 of q1, nothing of q2, then half a line.
    const partial = [...lines.slice(0, 4), lines[4], lines[6], lines[9].slice(0, 20)].join('\n');
    storage.files.set(COMPLETIONS_FILE, partial);
    sampler.calls = [];
    const res = await runEval(o);
    expect(sampler.calls).toEqual([['question 1', 'question 2']]);
    expect(res.records).toHaveLength(12);
    const file = stored(storage);
    expect(file).toHaveLength(12);
    const keys = file.map((r) => `${r.id}/${r.sample}`);
    expect(new Set(keys).size).toBe(12);
  });

  it('keeps records of questions outside this run (e.g. a smaller --limit)', async () => {
    const storage = new MemoryEvalStorage();
    await runEval(opts([1, 1, 1], storage).o);
    const small = opts([1], storage);
    const res = await runEval(small.o);
    expect(small.sampler.calls).toEqual([]);
    expect(res.records.every((r) => r.id === 'q0')).toBe(true);
    expect(stored(storage)).toHaveLength(12);
  });

  it('refuses to resume a run made with other settings', async () => {
    const storage = new MemoryEvalStorage();
    await runEval(opts([1], storage, { config: { samples: 4, temperature: 0.7 } }).o);
    const other = opts([1], storage, { config: { samples: 4, temperature: 1 } });
    await expect(runEval(other.o)).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/temperature=0.7.*temperature=1/),
    });
    await expect(runEval(opts([1], storage, { config: { samples: 4, temperature: 0.7 } }).o)).resolves.toBeTruthy();
  });

  it('rejects duplicate ids, bad sizes, and a sampler returning the wrong shape', async () => {
    const { o } = opts([1, 1]);
    await expect(runEval({ ...o, questions: [o.questions[0], o.questions[0]] })).rejects.toThrow(
      /duplicate question id "q0"/,
    );
    await expect(runEval({ ...o, samples: 0 })).rejects.toThrow(/samples/);
    await expect(runEval({ ...o, questionsPerBatch: 0 })).rejects.toThrow(/questionsPerBatch/);
    const short = { sample: async (p: string[]) => p.map(() => [{ text: 'a', tokens: 1, truncated: false }]) };
    await expect(runEval({ ...o, sampler: short })).rejects.toThrow(/sampler returned/);
  });

  it('stops between batches when aborted', async () => {
    const ac = new AbortController();
    const { o, sampler } = opts([1, 1, 1, 1]);
    const res = runEval({ ...o, signal: ac.signal, onProgress: (p) => p.done === 2 && ac.abort() });
    await expect(res).rejects.toThrow();
    expect(sampler.calls).toHaveLength(1);
  });
});
