// A float32 matmul in WebAssembly SIMD, assembled here byte by byte (no toolchain): TF.js-wasm runs
// batched and fresh-operand matmuls (attention's) on a scalar path at about 1 GFLOP/s; this 4x8
// register-tiled kernel does several times that on the same CPU. Host arrays in, host arrays out.
import { get, I32, i32, loopUntil, section, set, simd, str, uleb, V128, vec, WASM_HEADER } from './wasm-asm.ts';

const add = [0x6a];
const mul = [0x6c];
const v128Load = (offset: number): number[] => [...simd(0x00), 4, ...uleb(offset)];
const v128Store = (offset: number): number[] => [...simd(0x0b), 4, ...uleb(offset)];
const f32Load = [0x2a, 2, 0];
const i32Load = (offset: number): number[] => [0x28, 2, ...uleb(offset)];
const splat = simd(0x13);
const fAdd = simd(0xe4);
const fMul = simd(0xe6);
const zero = [...simd(0x0c), ...new Array(16).fill(0)];

/** gemm(a, b, c, M, N, K, lim): C[M,N] = A[M,K] @ B[K,N], row-major float32 at byte offsets a, b, c
 *  of the imported memory; M a multiple of 4 and N of 8 (the host pads). `lim` is the byte offset of
 *  three i32 per block of 4 rows, [jEnd, kStart, kEnd]: the block computes only the 8-column tiles
 *  that start below jEnd, over k in [kStart, kEnd) (the rest of A's row is known to be zero there, or
 *  those outputs are not wanted), so a causal mask's dead half of the tiles is skipped. Skipped
 *  terms are exact zeros: the sums that remain are the same, added in the same order. */
function gemmModule(): Uint8Array<ArrayBuffer> {
  // params 0..6: a b c M N K lim; i32 locals 7..18; v128 locals 19..29.
  const [A, B, C, M, N, K, LIM] = [0, 1, 2, 3, 4, 5, 6];
  const [i, j, pa, pb, paEnd, N4, K4, pc, pl, jEnd, kS, kE] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const acc = (r: number, h: number): number => 19 + 2 * r + h; // row r (0..3), half h (0..1)
  const [b0, b1, x] = [27, 28, 29];
  const rowFma: number[] = [];
  for (let r = 0; r < 4; r++) {
    // x = splat(A[row i + r, k]); acc[r] += x * [b0 b1]
    rowFma.push(...get(pa), ...(r ? [...get(K4), ...i32(r), ...mul, ...add] : []), ...f32Load, ...splat, ...set(x));
    for (let h = 0; h < 2; h++)
      rowFma.push(...get(acc(r, h)), ...get(x), ...get(h ? b1 : b0), ...fMul, ...fAdd, ...set(acc(r, h)));
  }
  const kLoop = loopUntil(pa, paEnd, [
    ...get(pb),
    ...v128Load(0),
    ...set(b0),
    ...get(pb),
    ...v128Load(16),
    ...set(b1),
    ...rowFma,
    ...get(pa),
    ...i32(4),
    ...add,
    ...set(pa),
    ...get(pb),
    ...get(N4),
    ...add,
    ...set(pb),
  ]);
  const stores: number[] = [];
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) stores.push(...get(pc), ...get(acc(r, h)), ...v128Store(16 * h));
    stores.push(...get(pc), ...get(N4), ...add, ...set(pc));
  }
  const jBody = [
    ...Array.from({ length: 8 }, (_, t) => [...zero, ...set(acc(0, 0) + t)]).flat(),
    // pa = a + i*K*4 + kS*4; paEnd = a + i*K*4 + kE*4; pb = b + j*4 + kS*N*4
    ...get(A),
    ...get(i),
    ...get(K4),
    ...mul,
    ...add,
    ...set(pa),
    ...get(pa),
    ...get(kE),
    ...i32(4),
    ...mul,
    ...add,
    ...set(paEnd),
    ...get(pa),
    ...get(kS),
    ...i32(4),
    ...mul,
    ...add,
    ...set(pa),
    ...get(B),
    ...get(j),
    ...i32(4),
    ...mul,
    ...add,
    ...get(kS),
    ...get(N4),
    ...mul,
    ...add,
    ...set(pb),
    ...kLoop,
    // pc = c + (i*N + j)*4
    ...get(C),
    ...get(i),
    ...get(N4),
    ...mul,
    ...add,
    ...get(j),
    ...i32(4),
    ...mul,
    ...add,
    ...set(pc),
    ...stores,
    ...get(j),
    ...i32(8),
    ...add,
    ...set(j),
  ];
  const iBody = [
    ...get(pl),
    ...i32Load(0),
    ...set(jEnd),
    ...get(pl),
    ...i32Load(4),
    ...set(kS),
    ...get(pl),
    ...i32Load(8),
    ...set(kE),
    ...i32(0),
    ...set(j),
    ...loopUntil(j, jEnd, jBody),
    ...get(i),
    ...i32(4),
    ...add,
    ...set(i),
    ...get(pl),
    ...i32(12),
    ...add,
    ...set(pl),
  ];
  const body = [
    ...vec([
      [12, I32],
      [11, V128],
    ]),
    ...get(N),
    ...i32(4),
    ...mul,
    ...set(N4),
    ...get(K),
    ...i32(4),
    ...mul,
    ...set(K4),
    ...get(LIM),
    ...set(pl),
    ...i32(0),
    ...set(i),
    ...loopUntil(i, M, iBody),
    0x0b,
  ];
  return new Uint8Array([
    ...WASM_HEADER,
    ...section(1, vec([[0x60, ...vec(new Array(7).fill([I32])), 0]])),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, 1]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('gemm'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

type GemmFn = (a: number, b: number, c: number, m: number, n: number, k: number, lim: number) => void;

let kernel: { memory: WebAssembly.Memory; gemm: GemmFn } | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. */
function load(): { memory: WebAssembly.Memory; gemm: GemmFn } | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = gemmModule();
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
    kernel = { memory, gemm: inst.exports.gemm as GemmFn };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** Whether this JavaScript engine runs the SIMD kernel. */
export function hasSimdGemm(): boolean {
  return load() !== null;
}

const ceil = (n: number, m: number): number => Math.ceil(n / m) * m;

/** a [M, K] @ b [K, N] -> [M, N] (row-major Float32Arrays), on the SIMD kernel, into `out` when
 *  given (its first M*N elements). Throws where the kernel is unavailable (check hasSimdGemm).
 *  `ranges` (three per block of 4 rows of a: jEnd <= N, kStart <= kEnd <= K) limits each block to
 *  the 8-column tiles below jEnd and to k in [kStart, kEnd), for products where the rest of a's
 *  rows is zero (terms skipped) or the rest of the output is not read (it holds stale values). */
export function simdMatmul(
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  out: Float32Array = new Float32Array(M * N),
  ranges?: Int32Array,
): Float32Array {
  const kern = load();
  if (!kern) throw new Error('simdMatmul: WebAssembly SIMD is not available');
  const Mp = ceil(M, 4);
  const Np = ceil(N, 8);
  const aOff = 0;
  const bOff = aOff + Mp * K * 4;
  const cOff = bOff + K * Np * 4;
  const lOff = cOff + Mp * Np * 4;
  const need = lOff + (Mp / 4) * 12;
  const have = kern.memory.buffer.byteLength;
  if (need > have) kern.memory.grow(Math.ceil((need - have) / 65536));
  const heap = new Float32Array(kern.memory.buffer);
  heap.set(a.subarray(0, M * K), aOff / 4);
  if (Mp > M) heap.fill(0, aOff / 4 + M * K, aOff / 4 + Mp * K);
  if (Np === N) heap.set(b.subarray(0, K * N), bOff / 4);
  else {
    heap.fill(0, bOff / 4, bOff / 4 + K * Np);
    for (let r = 0; r < K; r++) heap.set(b.subarray(r * N, r * N + N), bOff / 4 + r * Np);
  }
  const lim = new Int32Array(kern.memory.buffer, lOff, (Mp / 4) * 3);
  if (ranges) {
    if (ranges.length < lim.length)
      throw new Error(`simdMatmul: ${ranges.length} ranges for ${lim.length / 3} row blocks`);
    lim.set(ranges.subarray(0, lim.length));
    // The kernel trusts these: a jEnd past the padded width would write outside C.
    for (let t = 0; t < lim.length; t += 3)
      if (!(lim[t] >= 0 && lim[t] <= Np && lim[t + 1] >= 0 && lim[t + 1] <= lim[t + 2] && lim[t + 2] <= K))
        throw new Error(`simdMatmul: bad range [${lim[t]}, ${lim[t + 1]}, ${lim[t + 2]}] for N ${N}, K ${K}`);
  } else for (let t = 0; t < lim.length; t += 3) [lim[t], lim[t + 1], lim[t + 2]] = [Np, 0, K];
  kern.gemm(aOff, bOff, cOff, Mp, Np, K, lOff);
  if (Np === N) out.set(heap.subarray(cOff / 4, cOff / 4 + M * N));
  else for (let r = 0; r < M; r++) out.set(heap.subarray(cOff / 4 + r * Np, cOff / 4 + r * Np + N), r * N);
  return out;
}
