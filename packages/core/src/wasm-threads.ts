// How many threads the wasm backend computes with: the one setting (WARMUP_WASM_THREADS in Node,
// the core count in the browser), its validation, and the start-up work-around that lets
// tfjs-backend-wasm 4.22 use more than half of the logical cores.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { ConfigError } from './config.ts';

/** tfjs-backend-wasm pre-creates 8 pthread workers and caps its XNNPACK pool at 8 threads. */
export const MAX_WASM_THREADS = 8;

/** Validate a thread count from a flag or an environment variable; `source` names it in the error. */
export function parseWasmThreads(raw: string, source: string): number {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new ConfigError(
      `${source}: ${JSON.stringify(raw)} is not a thread count from 1 to ${MAX_WASM_THREADS} (tfjs-backend-wasm's limit)`,
    );
  }
  return n;
}

/** Logical cores this page or process may use (navigator.hardwareConcurrency; 1 when unknown). */
export function logicalCores(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? n : 1;
}

/** Run the wasm backend's start-up (`start`) asking for `threads` XNNPACK threads. tfjs-backend-wasm
 *  4.22 caps its pool at half the logical cores it reads from `navigator.hardwareConcurrency` (to skip
 *  hyper-threads), which leaves one thread on a 2-vCPU machine or laptop; for the duration of its
 *  start-up it reads twice the wanted count instead. `patchCores` lets Node do the same for the core
 *  count its Emscripten runtime reads from `os.cpus()`. */
export async function startWasmWithThreads<T>(
  threads: number,
  start: () => Promise<T>,
  patchCores?: (cores: number) => () => void,
): Promise<T> {
  setThreadsCount(threads);
  if (threads <= 1) return start();
  const nav = (globalThis as { navigator?: object }).navigator;
  const own = nav ? Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency') : undefined;
  if (nav) Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  const restoreCores = patchCores?.(2 * threads);
  try {
    return await start();
  } finally {
    restoreCores?.();
    if (nav) {
      if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
      else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
    }
  }
}

/** Whether the wasm backend has started. Not tf.findBackend: that starts it, before any thread
 *  setting, and a second start-up racing the first leaves two modules and the wrong count. */
export function wasmStarted(): boolean {
  return tf.engine().registry.wasm !== undefined;
}

/** Threads the started wasm backend computes with (XNNPACK's pool, the calling thread included);
 *  undefined before it has started. */
export function wasmThreadsInUse(): number | undefined {
  if (!wasmStarted()) return undefined;
  try {
    return getThreadsCount();
  } catch {
    return undefined;
  }
}
