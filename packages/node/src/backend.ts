// Node's side of backend set-up: WebGPU through the `webgpu` package (Dawn), and the optional
// CUDA/CPU TensorFlow bindings, loaded only when installed. The math stays in @warmup/core.
import { existsSync, readdirSync } from 'node:fs';
import { useBackend, BackendError, type BackendName } from '@warmup/core';
import { installNodeWasmThreads, patchOsCpus, wasmThreadsSetting } from './wasm-threads.ts';

let gpuInstalled = false;

/** Give Node a `navigator.gpu` from Dawn. Returns false when the package or a driver is missing. */
export async function installNodeWebgpu(): Promise<boolean> {
  if (gpuInstalled) return true;
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return (gpuInstalled = true);
  try {
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    const mod = (await import('webgpu')) as { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
    Object.assign(globalThis, mod.globals);
    const gpu = mod.create([]);
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    gpuInstalled = true;
    return true;
  } catch {
    return false;
  }
}

async function importTensorflowBinding(): Promise<void> {
  // Variable specifiers keep bundlers and tsc from requiring these optional packages.
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* @vite-ignore */ pkg);
      return;
    } catch {
      // try the next one
    }
  }
  throw new BackendError(
    'backend tensorflow needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node: run `npm i @tensorflow/tfjs-node-gpu` on a machine that can download libtensorflow',
  );
}

/** WARMUP_WEBGPU_MAX_BINDING: bytes per storage binding to plan for, below the adapter's own limit
 *  (to exercise the split paths as a small GPU would). */
function envBindingLimit(): number | undefined {
  const raw = process.env.WARMUP_WEBGPU_MAX_BINDING;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024)
    throw new BackendError(`WARMUP_WEBGPU_MAX_BINDING: ${JSON.stringify(raw)} is not a byte count >= 1024`);
  return n;
}

/** Whether Linux shows a GPU device node (DRM render node, NVIDIA, WSL). Without one the only
 *  adapter Dawn can offer is a software one, which `auto` never picks, and probing it costs start-up
 *  time and native warnings on stderr that read like crashes. Other platforms: assume maybe. */
function mayHaveHardwareGpu(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    if (readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  } catch {
    // no DRM devices
  }
  return existsSync('/dev/nvidia0') || existsSync('/dev/dxg');
}

/** Select a backend in Node; returns the backend actually in use. */
export async function useNodeBackend(name: BackendName): Promise<string> {
  if (name === 'webgpu' || (name === 'auto' && mayHaveHardwareGpu())) {
    const ok = await installNodeWebgpu();
    if (!ok && name === 'webgpu')
      throw new BackendError(
        'backend webgpu: the "webgpu" package could not start (is a Vulkan driver installed? see README)',
      );
  }
  if (name === 'tensorflow') await importTensorflowBinding();
  if (name === 'wasm' || name === 'auto') {
    const threads = wasmThreadsSetting();
    installNodeWasmThreads(threads);
    return useBackend(name, { maxBindingBytes: envBindingLimit() }, { threads, patchCores: patchOsCpus });
  }
  return useBackend(name, { maxBindingBytes: envBindingLimit() });
}
