// The float32 storage behind a tensor on the backends whose tensors live in host memory (tfjs-cpu's
// arrays, tfjs-wasm's heap), for the ops that read or write it in place instead of copying.
import * as tf from '@tensorflow/tfjs-core';

interface CpuBackend {
  data: { get(id: object): { values?: unknown } | undefined };
}
interface WasmBackend {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
}

/** A view of `t`'s float32 storage on cpu or wasm, else undefined. TF.js tensors are immutable by
 *  contract: callers write only into tensors they allocated themselves. */
export function hostStorage(t: tf.Tensor): Float32Array | undefined {
  const name = tf.getBackend();
  if (name === 'cpu') {
    const v = (tf.backend() as unknown as CpuBackend).data.get(t.dataId)?.values;
    return v instanceof Float32Array ? v : undefined;
  }
  if (name === 'wasm') {
    const be = tf.backend() as unknown as WasmBackend;
    const info = be.dataIdMap.get(t.dataId);
    // Read per call: the heap view is replaced whenever the wasm memory grows.
    return info ? be.wasm.HEAPF32.subarray(info.memoryOffset / 4, info.memoryOffset / 4 + t.size) : undefined;
  }
  return undefined;
}
