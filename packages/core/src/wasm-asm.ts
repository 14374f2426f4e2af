// The few WebAssembly binary encodings that the hand-assembled SIMD kernels (wasm-gemm.ts,
// wasm-exp.ts) share: LEB128 integers, sections, locals, i32 constants, SIMD opcodes and a loop.

/** Unsigned LEB128. */
export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};

/** Signed LEB128 (what i32.const takes). */
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
};

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
/** "\0asm", version 1. */
export const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export const [I32, F32, F64, V128] = [0x7f, 0x7d, 0x7c, 0x7b];
export const get = (i: number): number[] => [0x20, ...uleb(i)];
export const set = (i: number): number[] => [0x21, ...uleb(i)];
export const i32 = (n: number): number[] => [0x41, ...sleb(n)];
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** while (!(get(i) >= get(limit))) { body } (unsigned compare): a block around a loop that exits
 *  when i >= limit; the body advances i. */
export const loopUntil = (i: number, limit: number, body: number[]): number[] => [
  0x02,
  0x40,
  0x03,
  0x40,
  ...get(i),
  ...get(limit),
  0x4f, // i32.ge_u
  0x0d,
  1, // br_if to the block's end
  ...body,
  0x0c,
  0, // br to the loop's start
  0x0b,
  0x0b,
];
