// Backend selection shared by browser and Node: registers the kernels TF.js lacks on a backend
// (wasm has no UnsortedSegmentSum, the gradient of gather) and picks a backend by name.
import * as tf from '@tensorflow/tfjs-core';
import './gradients.ts';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerMissingKernels } from './kernels.ts';
import { logicalCores, MAX_WASM_THREADS, startWasmWithThreads, wasmStarted } from './wasm-threads.ts';
import { adapterInfo, registerWebgpuBackend } from './webgpu-device.ts';

export type BackendName = 'auto' | 'webgpu' | 'wasm' | 'cpu' | 'tensorflow';
export const BACKENDS: readonly BackendName[] = ['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow'];

export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

let webgpuOptions: string | undefined;

/** Register the WebGPU backend on our own device (webgpu-device.ts) once per set of options: it
 *  needs `navigator.gpu`, which Node gets from Dawn, so it is imported lazily. */
async function importWebgpu(opts: WebgpuOptions): Promise<void> {
  const key = JSON.stringify(opts);
  if (webgpuOptions === key) return;
  await import('@tensorflow/tfjs-backend-webgpu');
  await registerWebgpuBackend(opts);
  webgpuOptions = key;
}

export interface WebgpuOptions {
  /** Emulate an adapter that binds at most this many bytes per storage buffer. */
  maxBindingBytes?: number;
}

/** Whether a non-software WebGPU adapter is present (llvmpipe and SwiftShader are software). */
export async function hasHardwareWebgpu(): Promise<boolean> {
  try {
    const info = await adapterInfo();
    return info !== undefined && !info.software;
  } catch {
    return false;
  }
}

export interface WasmOptions {
  /** XNNPACK threads (default: the logical cores); fixed once the wasm backend has started. */
  threads?: number;
  /** Node's hook to report more cores while wasm starts (see startWasmWithThreads). */
  patchCores?: (cores: number) => () => void;
}

/** Activate a backend. `auto` = hardware WebGPU if present, else wasm. Returns the name in use. */
export async function useBackend(
  name: BackendName,
  webgpu: WebgpuOptions = {},
  wasm: WasmOptions = {},
): Promise<string> {
  let target: string = name;
  if (name === 'auto') target = (await hasHardwareWebgpu()) ? 'webgpu' : 'wasm';
  if (target === 'webgpu') {
    if (!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
      throw new BackendError(
        'backend webgpu: no navigator.gpu here (in Node, install the "webgpu" package and a Vulkan driver; see README)',
      );
    }
    await importWebgpu(webgpu);
  }
  if (target === 'tensorflow' && !tf.findBackendFactory('tensorflow')) {
    throw new BackendError('backend tensorflow: @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node is not installed');
  }
  const ok =
    target === 'wasm' && !wasmStarted()
      ? await startWasmWithThreads(
          wasm.threads ?? Math.min(logicalCores(), MAX_WASM_THREADS),
          () => tf.setBackend('wasm'),
          wasm.patchCores,
        )
      : await tf.setBackend(target);
  if (!ok) throw new BackendError(`backend ${target} failed to initialise`);
  await tf.ready();
  registerMissingKernels(target);
  return target;
}
