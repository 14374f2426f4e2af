// Kernels some TF.js backends lack, registered at backend start-up. UnsortedSegmentSum is the
// gradient of gather (embedding lookups); wasm has none, so training would fail there. On wasm,
// Identity and same-dtype Cast also share their input's buffer instead of copying it, as tfjs-cpu does:
// gradients call them hundreds of times per training step (6% of a step at 1.8M parameters).
// On cpu, the host UnsortedSegmentSum replaces tfjs-cpu's, which loops over every segment (a
// quarter of a training step). Both are undone by setFusedOps(false).
import * as tf from '@tensorflow/tfjs-core';
import { fusedOpsEnabled } from './fused-switch.ts';

const registered = new Set<string>();

export function registerMissingKernels(backend: string): void {
  if (registered.has(backend)) return;
  registered.add(backend);
  if (!tf.getKernel('UnsortedSegmentSum', backend)) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: backend, kernelFunc: unsortedSegmentSumOnHost });
  }
  if (backend === 'wasm') shareInsteadOfCopy(backend);
  if (backend === 'cpu')
    override('UnsortedSegmentSum', backend, (args, original) =>
      (args.inputs.x as tf.TensorInfo).dtype === 'float32' ? unsortedSegmentSumOnHost(args) : original(args),
    );
}

/** Replace a backend's kernel by `fast`, which may call the original; the original runs whenever
 *  the fused ops are switched off. */
function override(
  name: string,
  backend: string,
  fast: (args: Parameters<tf.KernelFunc>[0], original: tf.KernelFunc) => ReturnType<tf.KernelFunc>,
): void {
  const original = tf.getKernel(name, backend)?.kernelFunc;
  if (!original) return;
  tf.unregisterKernel(name, backend);
  tf.registerKernel({
    kernelName: name,
    backendName: backend,
    kernelFunc: (args) => (fusedOpsEnabled() ? fast(args, original) : original(args)),
  });
}

/** out[segmentIds[i], ...] += x[i, ...], computed on the host. Exact (float64 accumulation is not
 *  needed: each output row is a plain sum of float32 rows, as on the cpu backend). */
const unsortedSegmentSumOnHost: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const b = backend as tf.KernelBackend;
  const xv = b.readSync(x.dataId) as Float32Array;
  const ids = b.readSync(segmentIds.dataId) as Int32Array;
  const rows = segmentIds.shape.reduce((a, c) => a * c, 1);
  const inner = xv.length / Math.max(rows, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = new Float32Array(numSegments * inner);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const i0 = r * inner;
    for (let j = 0; j < inner; j++) out[o + j] += xv[i0 + j];
  }
  const dataId = b.write(out, outShape, 'float32');
  return { dataId, shape: outShape, dtype: 'float32' };
};

/** Identity, and Cast to the same dtype, as a new reference to the input's data (TF.js tensors are
 *  immutable and the backend counts references), falling back to the original kernel otherwise. */
function shareInsteadOfCopy(backend: string): void {
  for (const name of ['Identity', 'Cast'])
    override(name, backend, (args, original) => {
      const x = args.inputs.x as tf.TensorInfo;
      const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype ?? x.dtype;
      if (dtype !== x.dtype || x.dtype === 'string') return original(args);
      (args.backend as { incRef(id: tf.DataId): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    });
}
