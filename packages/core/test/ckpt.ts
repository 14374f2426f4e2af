// Test-side checkpoint writer: random Qwen2 configs and weights, safetensors files in F32, F16 or
// BF16 (encoders written here, independently of core), sharded with an index.json, and a
// minimal header reader for checking what saveModel wrote.
import { Rng } from '@warmup/core';

export type RawConfig = Record<string, unknown>;
export type Dtype = 'F32' | 'F16' | 'BF16';

export interface ConfigSpec {
  vocab: number;
  hidden: number;
  inter: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim?: number;
  theta: number;
  eps: number;
  tied: boolean;
}

export function rawConfig(s: ConfigSpec): RawConfig {
  const c: RawConfig = {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: s.vocab,
    hidden_size: s.hidden,
    intermediate_size: s.inter,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    max_position_embeddings: 512,
    rms_norm_eps: s.eps,
    rope_theta: s.theta,
    tie_word_embeddings: s.tied,
    hidden_act: 'silu',
    torch_dtype: 'float32',
  };
  if (s.headDim !== undefined) c.head_dim = s.headDim;
  return c;
}

/** HF tensor names and shapes for a raw config (written here, not taken from core). */
export function hfShapes(c: RawConfig): [string, number[]][] {
  const D = c.hidden_size as number;
  const H = c.num_attention_heads as number;
  const KV = c.num_key_value_heads as number;
  const hd = (c.head_dim as number | undefined) ?? D / H;
  const I = c.intermediate_size as number;
  const V = c.vocab_size as number;
  const out: [string, number[]][] = [['model.embed_tokens.weight', [V, D]]];
  for (let l = 0; l < (c.num_hidden_layers as number); l++) {
    const p = `model.layers.${l}`;
    out.push(
      [`${p}.input_layernorm.weight`, [D]],
      [`${p}.self_attn.q_proj.weight`, [H * hd, D]],
      [`${p}.self_attn.q_proj.bias`, [H * hd]],
      [`${p}.self_attn.k_proj.weight`, [KV * hd, D]],
      [`${p}.self_attn.k_proj.bias`, [KV * hd]],
      [`${p}.self_attn.v_proj.weight`, [KV * hd, D]],
      [`${p}.self_attn.v_proj.bias`, [KV * hd]],
      [`${p}.self_attn.o_proj.weight`, [D, H * hd]],
      [`${p}.post_attention_layernorm.weight`, [D]],
      [`${p}.mlp.gate_proj.weight`, [I, D]],
      [`${p}.mlp.up_proj.weight`, [I, D]],
      [`${p}.mlp.down_proj.weight`, [D, I]],
    );
  }
  out.push(['model.norm.weight', [D]]);
  if (c.tie_word_embeddings !== true) out.push(['lm_head.weight', [V, D]]);
  return out;
}

/** Random weights scaled so attention is far from uniform and logits are O(1). */
export function randomWeights(c: RawConfig, seed: number): Map<string, Float64Array> {
  const rng = new Rng(seed);
  const w = new Map<string, Float64Array>();
  for (const [name, shape] of hfShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const a = new Float64Array(n);
    let std: number;
    let mean = 0;
    if (name.endsWith('norm.weight')) (mean = 1), (std = 0.2);
    else if (name.endsWith('.bias')) std = 0.1;
    else if (name.includes('embed_tokens') || name === 'lm_head.weight') std = 0.4;
    else std = (name.includes('q_proj') || name.includes('k_proj') ? 1.5 : 1) / Math.sqrt(shape[1]);
    for (let i = 0; i < n; i++) a[i] = mean + std * rng.normal();
    w.set(name, a);
  }
  return w;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** IEEE half bits of a double, round to nearest even (no double rounding through float32). */
export function f16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a < 2 ** -14) return sign | roundHalfEven(a / 2 ** -24); // 1024 carries into exponent 1
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) (m = 0), e++;
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

export function f16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

/** bfloat16 bits of a float32 value (round to nearest even on the dropped 16 bits). */
export function bf16Bits(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0];
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16Value(h: number): number {
  return new Float32Array(new Uint32Array([h << 16]).buffer)[0];
}

/** Encode values in a dtype: the little-endian bytes and the exact values they hold. */
export function encode(values: Float64Array, dtype: Dtype): { bytes: Uint8Array; stored: Float64Array } {
  if (dtype === 'F32') {
    const f = Float32Array.from(values);
    return { bytes: new Uint8Array(f.buffer), stored: Float64Array.from(f) };
  }
  const u = new Uint16Array(values.length);
  const stored = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'F16') stored[i] = f16Value((u[i] = f16Bits(values[i])));
    else stored[i] = bf16Value((u[i] = bf16Bits(values[i])));
  }
  return { bytes: new Uint8Array(u.buffer), stored };
}

export interface FileTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** A safetensors file from tensors laid out in order; `editHeader` may rewrite the JSON header
 *  (for corrupt files) before it is serialised, or return raw header bytes. */
export function safetensorsFile(
  tensors: FileTensor[],
  editHeader?: (h: Record<string, unknown>) => unknown,
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.bytes.length] };
    off += t.bytes.length;
  }
  const edited = editHeader ? editHeader(header) : header;
  const json = edited instanceof Uint8Array ? edited : new TextEncoder().encode(JSON.stringify(edited));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + off).fill(0x20, 8, 8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let o = 8 + padded;
  for (const t of tensors) {
    out.set(t.bytes, o);
    o += t.bytes.length;
  }
  return out;
}

export interface Checkpoint {
  files: Map<string, Uint8Array | string>;
  /** The weights as stored (rounded to the dtype), for the reference. */
  stored: Map<string, Float64Array>;
}

/** Write config.json plus weights in `dtype`, as one model.safetensors or `shards` files with a
 *  model.safetensors.index.json. Tensors go in a scrambled order so nothing relies on it. */
export function writeCheckpoint(c: RawConfig, w: Map<string, Float64Array>, dtype: Dtype, shards = 1): Checkpoint {
  const stored = new Map<string, Float64Array>();
  const tensors: FileTensor[] = [];
  for (const [name, shape] of hfShapes(c)) {
    const e = encode(w.get(name)!, dtype);
    stored.set(name, e.stored);
    tensors.push({ name, dtype, shape, bytes: e.bytes });
  }
  tensors.reverse();
  const files = new Map<string, Uint8Array | string>([
    [
      'config.json',
      JSON.stringify({ ...c, torch_dtype: dtype === 'F32' ? 'float32' : dtype === 'F16' ? 'float16' : 'bfloat16' }),
    ],
  ]);
  if (shards === 1) {
    files.set('model.safetensors', safetensorsFile(tensors));
    return { files, stored };
  }
  const weightMap: Record<string, string> = {};
  const per = Math.ceil(tensors.length / shards);
  let total = 0;
  for (let s = 0; s < shards; s++) {
    const part = tensors.slice(s * per, (s + 1) * per);
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    for (const t of part) {
      weightMap[t.name] = file;
      total += t.bytes.length;
    }
    files.set(file, safetensorsFile(part));
  }
  files.set('model.safetensors.index.json', JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  return { files, stored };
}

/** Header JSON and data section of a safetensors file (for checking saved files). */
export function readHeader(file: Uint8Array): {
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  data: Uint8Array;
} {
  const n = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
  return { header, data: file.subarray(8 + n) };
}

/** Left-padded batch of random sequences with the given real lengths. */
export function leftPadded(
  vocab: number,
  lengths: number[],
  seed: number,
  pad = 0,
): { ids: number[][]; mask: number[][]; real: number[][] } {
  const rng = new Rng(seed);
  const L = Math.max(...lengths);
  const real = lengths.map((n) => Array.from({ length: n }, () => Math.floor(rng.next() * vocab)));
  return {
    real,
    ids: real.map((r) => new Array(L - r.length).fill(pad).concat(r)),
    mask: real.map((r) => new Array(L - r.length).fill(0).concat(r.map(() => 1))),
  };
}
