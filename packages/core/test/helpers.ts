// Shared test helpers: the qwen2-tiny fixture (fixtures/qwen2-tiny) and a backend switch per suite.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { BackendName } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';

export const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');
export const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));
export const expectedBf16 = JSON.parse(readFileSync(path.join(FIXTURE, 'expected-bf16.json'), 'utf8'));

export async function backend(name: BackendName): Promise<void> {
  await useNodeBackend(name);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Backends every parity suite runs on: webgpu joins when a WebGPU adapter (Dawn + Vulkan) works. */
export const PARITY_BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgpu'];
