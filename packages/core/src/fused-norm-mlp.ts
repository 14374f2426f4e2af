// RMSNorm (optionally fused with the residual add before it) and SwiGLU as single kernels with
// hand-written gradients, computed on the host for wasm and cpu: the TF.js op chains cost 6 kernels
// forward and about 12 backward per norm, and two slices, a sigmoid and two multiplies per MLP.
import * as tf from '@tensorflow/tfjs-core';
import { fusedOpsOn } from './fused-switch.ts';

const NORM = 'WarmupRmsNorm'; // {x, w} -> y
const ADD_NORM = 'WarmupAddRmsNorm'; // {x, d, w} -> [s = x + d, y = rmsNorm(s) * w]
const NORM_GRAD = 'WarmupRmsNormGrad'; // {dy, x, w[, ds]} -> [dx (+ ds), dw]
const SWIGLU = 'WarmupSwiGlu'; // {gu [N, 2I]} -> silu(gu[:, :I]) * gu[:, I:]
const SWIGLU_GRAD = 'WarmupSwiGluGrad'; // {dy, gu} -> dgu

let normMlpOn = true;

/** Switch only these ops off (the other fused ops stay as setFusedOps left them): for measuring them alone. */
export function setFusedNormMlp(on: boolean): void {
  normMlpOn = on;
}

/** Whether RMSNorm and SwiGLU take the host kernels on `backend` (default: the active one). */
export function fusedNormMlpActive(backend: string = tf.getBackend()): boolean {
  return normMlpOn && fusedOpsOn(backend);
}

/** What the host kernels need of the wasm and cpu backends: views of inputs without a copy where
 *  the backend allows it, and outputs written in place (on wasm straight into the heap). */
interface HostBackend {
  readSync(dataId: tf.DataId): unknown;
  makeOutput?(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap?(info: tf.TensorInfo): Float32Array;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/** Allocate the outputs, then view the inputs: on wasm an allocation can grow (and detach) the heap,
 *  so no view may be taken before the last one. */
function hostIO(
  backend: unknown,
  ins: (tf.TensorInfo | undefined)[],
  outShapes: number[][],
): { ins: Float32Array[]; outs: Float32Array[]; infos: tf.TensorInfo[] } {
  const b = backend as HostBackend;
  const infos: tf.TensorInfo[] = [];
  const outs: Float32Array[] = [];
  if (b.makeOutput && b.typedArrayFromHeap) {
    for (const s of outShapes) infos.push(b.makeOutput(s, 'float32'));
    for (const i of infos) outs.push(b.typedArrayFromHeap(i));
    const view = (t: tf.TensorInfo) => b.typedArrayFromHeap!(t);
    return { ins: ins.map((t) => (t ? view(t) : new Float32Array(0))), outs, infos };
  }
  for (const s of outShapes) {
    const a = new Float32Array(s.reduce((x, y) => x * y, 1));
    outs.push(a);
    infos.push(b.makeTensorInfo(s, 'float32', a));
  }
  const read = (t: tf.TensorInfo) => b.readSync(t.dataId) as Float32Array;
  return { ins: ins.map((t) => (t ? read(t) : new Float32Array(0))), outs, infos };
}

// One float64 row accumulator for dw, reused across calls (grown as needed).
let dwAcc = new Float64Array(0);

/** y = x * rsqrt(mean(x^2) + eps) * w per row of D; `d` (when given) is added to x first and the sum written to `s`. */
function normForward(
  x: Float32Array,
  d: Float32Array | undefined,
  w: Float32Array,
  eps: number,
  y: Float32Array,
  s: Float32Array | undefined,
): void {
  const D = w.length;
  const rows = x.length / D;
  const src = s ?? x;
  for (let r = 0; r < rows; r++) {
    const o = r * D;
    let ss = 0;
    if (d && s) {
      for (let j = 0; j < D; j++) {
        const v = Math.fround(x[o + j] + d[o + j]); // as a float32 Add would round it
        s[o + j] = v;
        ss += v * v;
      }
    } else for (let j = 0; j < D; j++) ss += src[o + j] * src[o + j];
    const rstd = 1 / Math.sqrt(ss / D + eps);
    for (let j = 0; j < D; j++) y[o + j] = src[o + j] * rstd * w[j];
  }
}

/** dx = rstd * dy*w - x * rstd^3 * <dy*w, x> / D (+ ds), dw = sum over rows of dy * x * rstd. */
function normBackward(
  dy: Float32Array,
  x: Float32Array,
  w: Float32Array,
  ds: Float32Array | undefined,
  eps: number,
  dx: Float32Array,
  dw: Float32Array,
): void {
  const D = w.length;
  const rows = x.length / D;
  if (dwAcc.length < D) dwAcc = new Float64Array(D);
  const acc = dwAcc;
  acc.fill(0, 0, D);
  for (let r = 0; r < rows; r++) {
    const o = r * D;
    let ss = 0;
    let dot = 0;
    for (let j = 0; j < D; j++) {
      const v = x[o + j];
      ss += v * v;
      dot += dy[o + j] * w[j] * v;
    }
    const rstd = 1 / Math.sqrt(ss / D + eps);
    const k = (rstd * rstd * rstd * dot) / D;
    for (let j = 0; j < D; j++) {
      const v = x[o + j];
      const g = dy[o + j];
      dx[o + j] = rstd * g * w[j] - v * k + (ds ? ds[o + j] : 0);
      acc[j] += g * v * rstd;
    }
  }
  for (let j = 0; j < D; j++) dw[j] = acc[j];
}

type Inputs = Record<string, tf.TensorInfo | undefined>;

function register(): void {
  for (const backendName of ['cpu', 'wasm']) {
    if (tf.getKernel(NORM, backendName)) continue; // a second copy of this module
    tf.registerKernel({
      kernelName: NORM,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, w } = inputs as Inputs;
        const io = hostIO(backend, [x, w], [x!.shape]);
        normForward(io.ins[0], undefined, io.ins[1], (attrs as { eps: number }).eps, io.outs[0], undefined);
        return io.infos[0];
      },
    });
    tf.registerKernel({
      kernelName: ADD_NORM,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, d, w } = inputs as Inputs;
        const io = hostIO(backend, [x, d, w], [x!.shape, x!.shape]);
        const [s, y] = io.outs;
        normForward(io.ins[0], io.ins[1], io.ins[2], (attrs as { eps: number }).eps, y, s);
        return io.infos;
      },
    });
    tf.registerKernel({
      kernelName: NORM_GRAD,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { dy, x, w, ds } = inputs as Inputs;
        const io = hostIO(backend, [dy, x, w, ds], [x!.shape, w!.shape]);
        const [dyv, xv, wv, dsv] = io.ins;
        normBackward(dyv, xv, wv, ds ? dsv : undefined, (attrs as { eps: number }).eps, io.outs[0], io.outs[1]);
        return io.infos;
      },
    });
    tf.registerKernel({
      kernelName: SWIGLU,
      backendName,
      kernelFunc: ({ inputs, backend }) => {
        const { gu } = inputs as Inputs;
        const [N, I2] = gu!.shape;
        const I = I2 / 2;
        const io = hostIO(backend, [gu], [[N, I]]);
        const g = io.ins[0];
        const a = io.outs[0];
        for (let r = 0; r < N; r++) {
          const o = r * I2;
          const p = r * I;
          for (let j = 0; j < I; j++) {
            const z = g[o + j];
            a[p + j] = (z / (1 + Math.exp(-z))) * g[o + I + j];
          }
        }
        return io.infos[0];
      },
    });
    tf.registerKernel({
      kernelName: SWIGLU_GRAD,
      backendName,
      kernelFunc: ({ inputs, backend }) => {
        const { dy, gu } = inputs as Inputs;
        const [N, I2] = gu!.shape;
        const I = I2 / 2;
        const io = hostIO(backend, [dy, gu], [[N, I2]]);
        const [dyv, g] = io.ins;
        const dg = io.outs[0];
        for (let r = 0; r < N; r++) {
          const o = r * I2;
          const p = r * I;
          for (let j = 0; j < I; j++) {
            const z = g[o + j];
            const u = g[o + I + j];
            const sig = 1 / (1 + Math.exp(-z));
            const e = dyv[p + j];
            dg[o + j] = e * u * sig * (1 + z * (1 - sig)); // d silu(z) / dz = sig * (1 + z * (1 - sig))
            dg[o + I + j] = e * z * sig;
          }
        }
        return io.infos[0];
      },
    });
  }
  const run = (name: string, inputs: Record<string, tf.Tensor>, attrs?: Record<string, number>) =>
    tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap);
  tf.registerGradient({
    kernelName: NORM,
    inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved, attrs) => {
      const [x, w] = saved;
      const [dx, dw] = run(NORM_GRAD, { dy: dy as tf.Tensor, x, w }, attrs as Record<string, number>) as tf.Tensor[];
      return { x: () => dx, w: () => dw };
    },
  });
  tf.registerGradient({
    kernelName: ADD_NORM,
    inputsToSave: ['w'],
    outputsToSave: [true, false],
    gradFunc: (dys, saved, attrs) => {
      const [ds, dy] = dys as tf.Tensor[];
      const [w, s] = saved;
      // Computed here, once, for all three inputs: x and d get the same gradient.
      const [dx, dw] = run(NORM_GRAD, { dy, x: s, w, ds }, attrs as Record<string, number>) as tf.Tensor[];
      // d gets its own reference: the tape disposes an input's gradient once it is summed.
      return { x: () => dx, d: () => tf.clone(dx), w: () => dw };
    },
  });
  tf.registerGradient({
    kernelName: SWIGLU,
    inputsToSave: ['gu'],
    gradFunc: (dy, saved) => ({ gu: () => run(SWIGLU_GRAD, { dy: dy as tf.Tensor, gu: saved[0] }) as tf.Tensor }),
  });
}
register();

/** The op-by-op RMSNorm: the path for WebGPU and with the fused ops off, and the tests' reference. */
export function rmsNormUnfused(x: tf.Tensor2D, w: tf.Tensor, eps: number): tf.Tensor2D {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), w) as tf.Tensor2D;
}

/** rmsNorm(x) * w over the last axis of x [N, D]. */
export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor, eps: number): tf.Tensor2D {
  if (!fusedNormMlpActive() || x.dtype !== 'float32') return rmsNormUnfused(x, w, eps);
  return tf.engine().runKernel(NORM, { x, w } as unknown as tf.NamedTensorMap, { eps }) as tf.Tensor2D;
}

/** The residual add and the norm after it: sum = x + d, normed = rmsNorm(sum) * w. */
export function addRmsNorm(
  x: tf.Tensor2D,
  d: tf.Tensor2D,
  w: tf.Tensor,
  eps: number,
): { sum: tf.Tensor2D; normed: tf.Tensor2D } {
  if (!fusedNormMlpActive() || x.dtype !== 'float32' || d.dtype !== 'float32') {
    const sum = tf.add(x, d) as tf.Tensor2D;
    return { sum, normed: rmsNormUnfused(sum, w, eps) };
  }
  const [sum, normed] = tf.engine().runKernel(ADD_NORM, { x, d, w } as unknown as tf.NamedTensorMap, {
    eps,
  }) as tf.Tensor2D[];
  return { sum, normed };
}

/** The op-by-op SwiGLU of a fused gate_up activation [N, 2I] (gate columns first): silu(g) * u. */
export function swigluUnfused(gu: tf.Tensor2D): tf.Tensor2D {
  const I = gu.shape[1] / 2;
  const g = tf.slice(gu, [0, 0], [-1, I]);
  const u = tf.slice(gu, [0, I], [-1, I]);
  return tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D;
}

/** silu(gu[:, :I]) * gu[:, I:] for gu [N, 2I] -> [N, I]. */
export function swiglu(gu: tf.Tensor2D): tf.Tensor2D {
  if (!fusedNormMlpActive() || gu.dtype !== 'float32') return swigluUnfused(gu);
  return tf.engine().runKernel(SWIGLU, { gu } as unknown as tf.NamedTensorMap) as tf.Tensor2D;
}
