// Seeded train/held-out splits and the task registry.
import { describe, expect, it } from 'vitest';
import { getTask, isTaskName, recordOptions, seededSplit, TASK_NAMES, type CodeSandbox } from '../src/index.ts';

describe('seededSplit', () => {
  const items = Array.from({ length: 500 }, (_, i) => i);
  it('takes trainSize items, keeps the rest, each in file order, reproducibly', () => {
    const a = seededSplit(items, { seed: 1, trainSize: 100 });
    expect(a.train).toHaveLength(100);
    expect(a.heldOut).toHaveLength(400);
    expect([...a.train, ...a.heldOut].sort((x, y) => x - y)).toEqual(items);
    expect(a.train).toEqual([...a.train].sort((x, y) => x - y));
    expect(seededSplit(items, { seed: 1, trainSize: 100 })).toEqual(a);
    const b = seededSplit(items, { seed: 2, trainSize: 100 });
    expect(b.train).not.toEqual(a.train);
    // a random 100 of 500 is spread over the file, not the first rows
    expect(Math.max(...a.train)).toBeGreaterThan(400);
  });
  it('handles trainSize beyond the data and rejects bad sizes', () => {
    expect(seededSplit([1, 2], { seed: 0, trainSize: 5 })).toEqual({ train: [1, 2], heldOut: [] });
    expect(() => seededSplit([1], { seed: 0, trainSize: -1 })).toThrow(RangeError);
  });
});

describe('getTask', () => {
  it('knows the four tasks', () => {
    expect(TASK_NAMES).toEqual(['kk', 'math', 'mcq', 'code']);
    expect(isTaskName('math')).toBe(true);
    expect(isTaskName('chess')).toBe(false);
    for (const n of ['kk', 'math', 'mcq'] as const) {
      expect(getTask(n).name).toBe(n);
      expect(recordOptions(getTask(n)).rawJsonFields).toEqual([]);
    }
  });
  it('needs a sandbox for code and tells the loader to keep inputs verbatim', () => {
    expect(() => getTask('code')).toThrow(/sandbox/);
    const sandbox: CodeSandbox = {
      run: async () => ({ ok: true, stdout: '', stderr: '', timedOut: false, exitCode: 0 }),
    };
    const task = getTask('code', { sandbox });
    expect(task.name).toBe('code');
    expect(recordOptions(task).rawJsonFields).toContain('plus_input');
  });
});
