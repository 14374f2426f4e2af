// Backend selection shared by browser and Node: registers the kernels TF.js lacks on a backend
// (wasm has no UnsortedSegmentSum, the gradient of gather) and picks a backend by name.
import * as tf from '@tensorflow/tfjs-core';
import './gradients.ts';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerMissingKernels } from './kernels.ts';

export type BackendName = 'auto' | 'webgpu' | 'wasm' | 'cpu' | 'tensorflow';
export const BACKENDS: readonly BackendName[] = ['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow'];

export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

let webgpuImported = false;

/** Import the WebGPU backend lazily: it needs `navigator.gpu`, which Node gets from an adapter. */
async function importWebgpu(): Promise<void> {
  if (webgpuImported) return;
  await import('@tensorflow/tfjs-backend-webgpu');
  webgpuImported = true;
}

/** Whether a non-software WebGPU adapter is present (llvmpipe and SwiftShader are software). */
export async function hasHardwareWebgpu(): Promise<boolean> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return false;
    const info = adapter.info as GPUAdapterInfo | undefined;
    const desc =
      `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.device ?? ''} ${info?.description ?? ''}`.toLowerCase();
    return (
      !/llvmpipe|swiftshader|software|lavapipe/.test(desc) &&
      !(adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter
    );
  } catch {
    return false;
  }
}

/** Activate a backend. `auto` = hardware WebGPU if present, else wasm. Returns the name in use. */
export async function useBackend(name: BackendName): Promise<string> {
  let target: string = name;
  if (name === 'auto') target = (await hasHardwareWebgpu()) ? 'webgpu' : 'wasm';
  if (target === 'webgpu') {
    if (!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
      throw new BackendError(
        'backend webgpu: no navigator.gpu here (in Node, install the "webgpu" package and a Vulkan driver; see README)',
      );
    }
    await importWebgpu();
  }
  if (target === 'tensorflow' && !tf.findBackendFactory('tensorflow')) {
    throw new BackendError('backend tensorflow: @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node is not installed');
  }
  const ok = await tf.setBackend(target);
  if (!ok) throw new BackendError(`backend ${target} failed to initialise`);
  await tf.ready();
  registerMissingKernels(target);
  return target;
}
