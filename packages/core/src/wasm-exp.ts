// Row kernels for softmax over a vocabulary in WebAssembly SIMD, assembled here byte by byte (as
// wasm-gemm.ts does): JavaScript's Math.exp costs ~15 ns per element, and a 151,936-token row needs
// an exponential per element in each direction. exp is a degree-6 polynomial on 4 lanes (~2e-7 relative).
import {
  F32,
  F64,
  get,
  I32,
  i32,
  loopUntil,
  section,
  set,
  simd,
  str,
  uleb,
  V128,
  vec,
  WASM_HEADER,
} from './wasm-asm.ts';

const f32c = (x: number): number[] => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)];
const load = [...simd(0x00), 4, 0];
const store = [...simd(0x0b), 4, 0];
const [fSplat, fAdd, fSub, fMul, fMax, fNearest] = [0x13, 0xe4, 0xe5, 0xe6, 0xe9, 0x6a].map(simd);
const [iSplat, iAdd, iShl, iTrunc] = [0x11, 0xae, 0xab, 0xf8].map(simd);
const [dAdd, promoteLow] = [0xf0, 0x5f].map(simd);
const lane = (op: number, i: number): number[] => [...simd(op), i];
/** The upper two f32 lanes moved to the bottom (for promote_low). */
const highHalf = [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
/** while (p < end) { body; p += 16 } */
const loop16 = (p: number, end: number, body: number[]): number[] =>
  loopUntil(p, end, [...body, ...get(p), ...i32(16), 0x6a, ...set(p)]);

// exp(y) = 2^k e^r, k = nearest(y log2 e), r = y - k ln 2 (in two parts, Cody-Waite), e^r by Taylor
// to degree 6 (|r| <= 0.35: error 1.2e-7). y is clamped at -87 so 2^k stays a normal float.
const EXP_CONSTS = [-87, Math.LOG2E, 0.693359375, -2.1219444e-4, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1];
/** Code that leaves exp(v128 on the stack) on the stack; `c0` is the first of the splatted
 *  EXP_CONSTS locals, `y`, `k` and `r` scratch v128 locals. */
function expCode(c0: number, y: number, k: number, r: number): number[] {
  const c = (i: number): number[] => get(c0 + i);
  const horner: number[] = [...c(4)];
  for (let i = 5; i < 11; i++) horner.push(...get(r), ...fMul, ...c(i), ...fAdd);
  return [
    ...c(0),
    ...fMax,
    ...set(y),
    ...get(y),
    ...c(1),
    ...fMul,
    ...fNearest,
    ...set(k),
    ...get(y),
    ...get(k),
    ...c(2),
    ...fMul,
    ...fSub,
    ...get(k),
    ...c(3),
    ...fMul,
    ...fSub,
    ...set(r),
    ...horner,
    ...get(k),
    ...iTrunc,
    ...i32(127),
    ...iSplat,
    ...iAdd,
    ...i32(23),
    ...iShl,
    ...fMul,
  ];
}
const splatConsts = (c0: number): number[] => EXP_CONSTS.flatMap((x, i) => [...f32c(x), ...fSplat, ...set(c0 + i)]);

/** rowMax(p, n) -> f32; expSum(p, n, a, b) -> f64 = sum exp(x a + b); expScale(p, n, a, b, s): x =
 *  s exp(x a + b) in place. p is a byte offset, n a multiple of 4 (the host pads). */
function expModule(): Uint8Array<ArrayBuffer> {
  // rowMax: params p n; locals end(2) acc(3).
  const maxBody = [
    ...vec([
      [1, I32],
      [1, V128],
    ]),
    ...get(0),
    ...get(1),
    ...i32(4),
    0x6c,
    0x6a,
    ...set(2),
    ...f32c(-Infinity),
    ...fSplat,
    ...set(3),
    ...loop16(0, 2, [...get(3), ...get(0), ...load, ...fMax, ...set(3)]),
    ...get(3),
    ...lane(0x1f, 0),
    ...[1, 2, 3].flatMap((i) => [...get(3), ...lane(0x1f, i), 0x97]), // f32.max of the lanes
    0x0b,
  ];
  // expSum / expScale share a layout: params p n a b [s]; locals end, va, vb, y, k, r, acc, consts.
  const expBody = (scale: boolean): number[] => {
    const P = scale ? 5 : 4;
    const [end, va, vb, y, k, r, acc, vs] = [P, P + 1, P + 2, P + 3, P + 4, P + 5, P + 6, P + 7];
    const c0 = P + 8;
    // exp(a * x[p..p+4] + b) on the stack
    const expAt = [...get(0), ...load, ...get(va), ...fMul, ...get(vb), ...fAdd, ...expCode(c0, y, k, r)];
    const step = scale
      ? [...get(0), ...get(vs), ...expAt, ...fMul, ...store]
      : [
          ...expAt,
          ...set(y),
          ...get(acc),
          ...get(y),
          ...promoteLow,
          ...dAdd,
          ...get(y),
          ...get(y),
          ...highHalf,
          ...promoteLow,
          ...dAdd,
          ...set(acc),
        ];
    return [
      ...vec([
        [1, I32],
        [7 + EXP_CONSTS.length, V128],
      ]),
      ...get(0),
      ...get(1),
      ...i32(4),
      0x6c,
      0x6a,
      ...set(end),
      ...get(2),
      ...fSplat,
      ...set(va),
      ...get(3),
      ...fSplat,
      ...set(vb),
      ...(scale ? [...get(4), ...fSplat, ...set(vs)] : []),
      ...splatConsts(c0),
      ...loop16(0, end, step),
      ...(scale ? [] : [...get(acc), ...lane(0x21, 0), ...get(acc), ...lane(0x21, 1), 0xa0]),
      0x0b,
    ];
  };
  const bodies = [maxBody, expBody(false), expBody(true)];
  return new Uint8Array([
    ...WASM_HEADER,
    ...section(
      1,
      vec([
        [0x60, ...vec([[I32], [I32]]), ...vec([[F32]])],
        [0x60, ...vec([[I32], [I32], [F32], [F32]]), ...vec([[F64]])],
        [0x60, ...vec([[I32], [I32], [F32], [F32], [F32]]), 0],
      ]),
    ),
    ...section(3, vec([[0], [1], [2]])),
    ...section(5, vec([[0x00, 1]])), // one memory, 1 page to start
    ...section(
      7,
      vec([
        [...str('mem'), 0x02, 0],
        [...str('rowMax'), 0x00, 0],
        [...str('expSum'), 0x00, 1],
        [...str('expScale'), 0x00, 2],
      ]),
    ),
    ...section(10, vec(bodies.map((b) => [...uleb(b.length), ...b]))),
  ]);
}

interface Kernels {
  mem: WebAssembly.Memory;
  rowMax(p: number, n: number): number;
  expSum(p: number, n: number, a: number, b: number): number;
  expScale(p: number, n: number, a: number, b: number, s: number): void;
}
let kernels: Kernels | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is unavailable. */
export function simdExpKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    kernels = new WebAssembly.Instance(new WebAssembly.Module(expModule())).exports as unknown as Kernels;
  } catch {
    kernels = null;
  }
  return kernels;
}

/** The kernels' memory as floats, grown to hold at least `n` (rounded up to 4). */
export function rowBuffer(k: Kernels, n: number): Float32Array {
  const bytes = Math.ceil(n / 4) * 16;
  const have = k.mem.buffer.byteLength;
  if (bytes > have) k.mem.grow(Math.ceil((bytes - have) / 65536));
  return new Float32Array(k.mem.buffer, 0, Math.ceil(n / 4) * 4);
}
