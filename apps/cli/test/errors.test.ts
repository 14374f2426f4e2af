// The CLI's error classification: input errors vs environment failures with an actionable hint.
import { describe, expect, it } from 'vitest';
import { DataError } from '@warmup/tasks';
import { environmentHint, isInputError, UsageError } from '../src/errors.ts';

describe('CLI errors', () => {
  it('treats usage and data errors as input errors, others not', () => {
    expect(isInputError(new UsageError('--steps must be positive'))).toBe(true);
    expect(isInputError(new DataError('data.jsonl:3: not JSON'))).toBe(true);
    expect(isInputError(new Error('boom'))).toBe(false);
  });

  it('explains a wasm abort as memory and names the flags to change', () => {
    const abort = new WebAssembly.RuntimeError('Aborted(). Build with -sASSERTIONS for more info.');
    const hint = environmentHint(abort, 'sft');
    expect(hint).toMatch(/out of memory/);
    expect(hint).toMatch(/--batch-size/);
    expect(environmentHint(abort, 'grpo')).toMatch(/--micro-batch/);
    // generate has no batch to lower: the hint must not name flags it does not take.
    expect(environmentHint(abort, 'generate')).not.toMatch(/--batch-size|--grad-accum|--max-seq-len/);
    expect(environmentHint(abort, 'generate')).toMatch(/warmup plan/);
    expect(environmentHint(new WebAssembly.RuntimeError('table index is out of bounds'))).toMatch(
      /crashed \(table index is out of bounds\), most likely out of memory/,
    );
    expect(environmentHint(new WebAssembly.RuntimeError('unreachable'))).toBeUndefined();
    expect(environmentHint(new Error('Aborted()'))).toBeUndefined();
  });
});
