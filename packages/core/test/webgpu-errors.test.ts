// WebGPU failures are thrown, not logged: a binding larger than the device allows (what an unsplit
// 152k-row embedding does on a 128 MiB-binding adapter) and a lost device each reject the next
// read with a WebgpuError, and nothing of Dawn's reaches stdout. Large downloads leave no host copy.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, webgpuDevice, webgpuLimits } from '@warmup/core';
import { installNodeWebgpu } from '@warmup/node';

describe('WebGPU failures', () => {
  beforeAll(async () => {
    if (!(await installNodeWebgpu())) throw new Error('webgpu: the "webgpu" package could not start');
    await useBackend('webgpu');
  });

  it('requests the adapter limits for the device', () => {
    const limits = webgpuLimits()!;
    expect(limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(134_217_728);
    expect(limits.maxBufferSize).toBeGreaterThan(limits.maxStorageBufferBindingSize);
  });

  it('throws a validation error for a tensor bound beyond the limit, quietly', async () => {
    const limit = webgpuLimits()!.maxStorageBufferBindingSize;
    if (limit >= webgpuLimits()!.maxBufferSize) return; // no buffer can exceed the binding limit here
    const stdout = vi.spyOn(process.stdout, 'write');
    const n = Math.floor(limit / 4) + 1024; // one buffer, 4 KiB past the binding limit
    const big = tf.fill([n], 1);
    const sum = tf.sum(big);
    await expect(sum.data()).rejects.toThrow(/WebGPU failed: validation error: Binding size \(\d+\).*larger than/);
    tf.dispose([big, sum]);
    expect(stdout).not.toHaveBeenCalled();
    stdout.mockRestore();
    // Knock-on errors (TF.js reuses state of the failed dispatch) may fail the next read too, but
    // a read never returns a wrong value, and the device recovers.
    const before = tf.memory().numTensors;
    const results: (number | string)[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = tf.tidy(() => tf.sum(tf.ones([1000])));
      results.push(
        await ok.data().then(
          (d) => d[0],
          (e: Error) => e.name,
        ),
      );
      ok.dispose();
    }
    expect(results.every((r) => r === 1000 || r === 'WebgpuError')).toBe(true);
    expect(results[2]).toBe(1000);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps no host copy of a large tensor it downloaded, and reads it again from the GPU', async () => {
    const x = tf.tidy(() => tf.add(tf.range(0, 1 << 19), 0.5)); // 2 MiB, computed on the GPU
    const first = Float32Array.from((await x.data()) as Float32Array);
    const backend = tf.backend() as unknown as { tensorMap: { get(id: object): { values: unknown } } };
    expect(backend.tensorMap.get(x.dataId).values).toBeNull();
    const again = (await x.data()) as Float32Array;
    expect(again[12345]).toBe(12345.5);
    expect(again).toEqual(first);
    x.dispose();
  });

  it('throws once the device is lost', async () => {
    const x = tf.ones([4]);
    webgpuDevice()!.destroy();
    const y = tf.add(x, 1);
    await expect(y.data()).rejects.toThrow(/WebGPU device lost \(destroyed\)/);
  });
});
