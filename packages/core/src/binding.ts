// How large one tensor may be before the model splits it: WebGPU binds at most
// maxStorageBufferBindingSize bytes per buffer (128 MiB on llvmpipe and many GPUs), less than a
// real vocabulary's embedding. Other backends split only when a test forces a size.
import * as tf from '@tensorflow/tfjs-core';
import { webgpuLimits } from './webgpu-device.ts';

let forced: number | undefined;

/** Force a split size on every backend (tests), or undefined to go back to the device's limit. */
export function setMaxBindingBytes(bytes: number | undefined): void {
  if (bytes !== undefined && !(Number.isInteger(bytes) && bytes >= 1024))
    throw new Error(`setMaxBindingBytes: ${bytes} is not an integer >= 1024`);
  forced = bytes;
}

/** Largest tensor, in bytes, the active backend can bind: Infinity where nothing limits it. */
export function maxBindingBytes(): number {
  const device = tf.getBackend() === 'webgpu' ? webgpuLimits()?.maxStorageBufferBindingSize : undefined;
  return Math.min(forced ?? Infinity, device ?? Infinity);
}

/** Split `total` rows of `rowBytes` each into runs that fit in `limit` bytes: the run lengths. */
export function splitRows(total: number, rowBytes: number, limit: number): number[] {
  if (!Number.isFinite(limit) || total * rowBytes <= limit) return [total];
  const per = Math.floor(limit / rowBytes);
  if (per < 1) throw new Error(`a single row of ${rowBytes} bytes exceeds the binding limit of ${limit} bytes`);
  const n = Math.ceil(total / per);
  // Even runs: the same number of pieces, none much smaller than the others.
  const base = Math.ceil(total / n);
  const out: number[] = [];
  for (let left = total; left > 0; left -= base) out.push(Math.min(base, left));
  return out;
}
