// Multi-threaded wasm in Node: WARMUP_WASM_THREADS=2 starts the threaded SIMD build with two
// XNNPACK threads, and it computes what the cpu backend and the float64 fixture say.
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, wasmThreadsInUse } from '@warmup/core';
import { folderSource, useNodeBackend, wasmThreadsSetting } from '@warmup/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');
const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));

function withEnv<T>(value: string | undefined, f: () => T): T {
  const old = process.env.WARMUP_WASM_THREADS;
  if (value === undefined) delete process.env.WARMUP_WASM_THREADS;
  else process.env.WARMUP_WASM_THREADS = value;
  try {
    return f();
  } finally {
    if (old === undefined) delete process.env.WARMUP_WASM_THREADS;
    else process.env.WARMUP_WASM_THREADS = old;
  }
}

describe('WARMUP_WASM_THREADS', () => {
  it('defaults to the available cores, at most 8', () => {
    const cores = os.availableParallelism();
    expect(withEnv(undefined, wasmThreadsSetting)).toBe(Math.min(cores, 8));
    expect(withEnv('3', wasmThreadsSetting)).toBe(3);
  });

  it('rejects what is not a count from 1 to 8 with a message naming the variable', () => {
    for (const bad of ['0', '9', '1.5', 'two', ' ']) {
      expect(() => withEnv(bad, wasmThreadsSetting)).toThrow(
        /^WARMUP_WASM_THREADS: .* is not a thread count from 1 to 8/,
      );
    }
  });
});

describe('wasm with 2 threads', () => {
  const old = process.env.WARMUP_WASM_THREADS;
  beforeAll(async () => {
    process.env.WARMUP_WASM_THREADS = '2';
    expect(await useNodeBackend('wasm')).toBe('wasm');
  });
  afterAll(() => {
    if (old === undefined) delete process.env.WARMUP_WASM_THREADS;
    else process.env.WARMUP_WASM_THREADS = old;
  });

  it('starts the threaded build with two threads, and only once', async () => {
    const started = tf.engine().registry.wasm;
    expect(wasmThreadsInUse()).toBe(2);
    // A second start-up racing the first (tf.findBackend starts one) would replace the backend and
    // reset the count once it finished; give it the time to.
    await new Promise((r) => setTimeout(r, 1500));
    expect(tf.engine().registry.wasm).toBe(started);
    expect(wasmThreadsInUse()).toBe(2);
  });

  it('a matmul large enough to be split across threads equals the cpu backend', async () => {
    // 2-D: XNNPACK's fully-connected path, which runs on the thread pool.
    const [m, k, n] = [384, 256, 320];
    const av = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const bv = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7));
    const got = tf.tidy(() => tf.matMul(tf.tensor2d(av, [m, k]), tf.tensor2d(bv, [k, n])).dataSync());
    await tf.setBackend('cpu');
    const want = tf.tidy(() => tf.matMul(tf.tensor2d(av, [m, k]), tf.tensor2d(bv, [k, n])).dataSync());
    await tf.setBackend('wasm');
    expect(wasmThreadsInUse()).toBe(2);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('qwen2-tiny logits match the float64 reference to 1e-4', async () => {
    const model = await loadModel(folderSource(FIXTURE));
    const c = expected.forward.right_padded;
    const logits = tf.tidy(() => {
      const { hidden } = model.forward({
        inputIds: c.input_ids,
        attentionMask: c.attention_mask,
        positionIds: c.position_ids,
      });
      return model.logits(hidden);
    });
    const data = (await logits.array()) as number[][][];
    logits.dispose();
    model.dispose();
    let worst = 0;
    c.real_positions.forEach((cols: number[], b: number) => {
      cols.forEach((t: number, k: number) => {
        const row = c.logits[b][k] as number[];
        for (let v = 0; v < row.length; v++) worst = Math.max(worst, Math.abs(data[b][t][v] - row[v]));
      });
    });
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});
