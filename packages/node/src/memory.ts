// What each backend can hold in Node, for the memory plan: wasm's heap cap, free host memory for
// cpu (and for software WebGPU adapters, whose buffers live in host memory), adapter limits.
import os from 'node:os';
import { type MemoryCapacity, type PlanBackend, WASM_HEAP_CAP } from '@warmup/core';
import { installNodeWebgpu } from './backend.ts';

function hostFree(backend: PlanBackend, what: string): MemoryCapacity {
  return { backend, bytes: os.freemem(), source: `${what}: free host memory (os.freemem)` };
}

/** The capacity of `backend` here. WebGPU asks the adapter (starting Dawn) for its limits; a
 *  hardware adapter does not expose its memory size, so only the per-buffer limit is checked. */
export async function backendCapacity(backend: PlanBackend): Promise<MemoryCapacity> {
  if (backend === 'wasm')
    return {
      backend,
      bytes: Math.min(WASM_HEAP_CAP, os.totalmem()),
      source: 'wasm heap cap, 4 GiB (tfjs-backend-wasm 4.22)',
    };
  if (backend !== 'webgpu') return hostFree(backend, backend);
  if (!(await installNodeWebgpu())) return hostFree(backend, 'webgpu (no adapter)');
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return hostFree(backend, 'webgpu (no adapter)');
  const info = adapter.info as GPUAdapterInfo | undefined;
  const desc = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.device ?? ''} ${info?.description ?? ''}`;
  const software = /llvmpipe|swiftshader|software|lavapipe/i.test(desc);
  const maxBufferBytes = adapter.limits.maxBufferSize;
  if (software) return { ...hostFree(backend, `webgpu on ${desc.trim()} (software)`), maxBufferBytes };
  return {
    backend,
    bytes: Number.POSITIVE_INFINITY,
    source: `webgpu on ${desc.trim()}: adapter memory not exposed, only its ${maxBufferBytes} B buffer limit is checked`,
    maxBufferBytes,
  };
}
