// The safetensors format: parse and validate a header, decode tensor bytes (F32/BF16/F16 → float32)
// and encode float32 tensors. Pure byte handling, no I/O: sources.ts supplies the bytes.

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export type StDtype = 'F32' | 'BF16' | 'F16';
const BYTES: Record<StDtype, number> = { F32: 4, BF16: 2, F16: 2 };

export interface StEntry {
  name: string;
  dtype: StDtype;
  shape: number[];
  /** Absolute byte range in the file: [begin, end). */
  begin: number;
  end: number;
}

export interface StHeader {
  /** Bytes before the tensor data: 8 + header length. */
  dataStart: number;
  entries: Map<string, StEntry>;
  metadata: Record<string, string>;
}

/** Header length from the first 8 bytes (little-endian u64), checked against the file size. */
export function headerLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.length < 8)
    throw new CheckpointError(`${file}: truncated: shorter than the 8-byte header length`);
  const dv = new DataView(first8.buffer, first8.byteOffset, 8);
  const n = Number(dv.getBigUint64(0, true));
  if (n > fileSize - 8)
    throw new CheckpointError(`${file}: header length ${n} is beyond the end of the file (${fileSize} bytes)`);
  if (n > 100_000_000) throw new CheckpointError(`${file}: header length ${n} is implausibly large`);
  return n;
}

/** Parse and validate the JSON header: dtypes known, shapes match byte sizes, ranges inside the
 *  file and not overlapping. */
export function parseHeader(headerBytes: Uint8Array, fileSize: number, file: string): StHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (e) {
    throw new CheckpointError(`${file}: header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new CheckpointError(`${file}: header is not a JSON object`);
  const dataStart = 8 + headerBytes.length;
  const dataLen = fileSize - dataStart;
  const entries = new Map<string, StEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (v ?? {}) as Record<string, string>;
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null)
      throw new CheckpointError(`${file}: tensor "${name}": entry is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES)) {
      throw new CheckpointError(
        `${file}: tensor "${name}": unsupported dtype ${JSON.stringify(e.dtype)} (supported: F32, BF16, F16)`,
      );
    }
    const dtype = e.dtype as StDtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new CheckpointError(`${file}: tensor "${name}": bad shape ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((d) => Number.isInteger(d) && d >= 0) ||
      off[0] > off[1]
    ) {
      throw new CheckpointError(`${file}: tensor "${name}": bad data_offsets ${JSON.stringify(off)}`);
    }
    const shape = e.shape as number[];
    const [b, en] = off as [number, number];
    if (en > dataLen) {
      throw new CheckpointError(
        `${file}: tensor "${name}": data_offsets [${b}, ${en}] out of range (data section is ${dataLen} bytes; file truncated?)`,
      );
    }
    const numel = shape.reduce((a, c) => a * c, 1);
    if (en - b !== numel * BYTES[dtype]) {
      throw new CheckpointError(`${file}: tensor "${name}": ${en - b} bytes do not match shape [${shape}] of ${dtype}`);
    }
    entries.set(name, { name, dtype, shape, begin: dataStart + b, end: dataStart + en });
  }
  const sorted = [...entries.values()].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) {
      throw new CheckpointError(
        `${file}: tensors "${sorted[i - 1].name}" and "${sorted[i].name}" have overlapping data_offsets`,
      );
    }
  }
  return { dataStart, entries, metadata };
}

/** Decode raw little-endian bytes of one tensor to float32. */
export function decodeToFloat32(bytes: Uint8Array, dtype: StDtype): Float32Array {
  const n = bytes.length / BYTES[dtype];
  // Copy into an aligned buffer: byte ranges inside a file are not 4-byte aligned in general.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (dtype === 'F32')
    return new Float32Array(aligned.buffer.slice(aligned.byteOffset, aligned.byteOffset + bytes.length));
  const u16 = new Uint16Array(aligned.buffer, aligned.byteOffset, n);
  const out = new Float32Array(n);
  const u32 = new Uint32Array(out.buffer);
  if (dtype === 'BF16') {
    for (let i = 0; i < n; i++) u32[i] = u16[i] << 16;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = halfToFloat(u16[i]);
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

export interface StTensorSpec {
  name: string;
  shape: number[];
  /** Stored dtype (default F32). */
  dtype?: StDtype;
}

/** Build the header (length prefix + JSON padded to 8 bytes) for tensors in the given order; the
 *  data section is then each tensor's bytes (float32 unless the spec says otherwise) in order. */
export function encodeHeader(tensors: StTensorSpec[], metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const obj: Record<string, unknown> = { __metadata__: metadata };
  let off = 0;
  for (const t of tensors) {
    const dtype = t.dtype ?? 'F32';
    const bytes = t.shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    obj[t.name] = { dtype, shape: t.shape, data_offsets: [off, off + bytes] };
    off += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(obj));
  const padded = Math.ceil(json.length / 8) * 8; // data must start 8-byte aligned
  const out = new Uint8Array(8 + padded).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/** Encode float32 values as little-endian bytes of `dtype` (BF16 rounds to nearest even). */
export function encodeFromFloat32(values: Float32Array, dtype: StDtype): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const u32 = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  if (dtype === 'BF16') {
    for (let i = 0; i < u32.length; i++) {
      const x = u32[i];
      // NaN stays NaN (quiet bit set); finite values round to nearest, ties to even.
      out[i] = (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
    }
  } else for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]);
  return new Uint8Array(out.buffer);
}

const f32 = new Float32Array(1);
const u32view = new Uint32Array(f32.buffer);

/** float32 -> IEEE half (round to nearest even; overflow to infinity, underflow to subnormals/zero). */
function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32view[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++;
  return sign | r;
}
