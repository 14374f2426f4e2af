// Maps Hugging Face tensor names onto the model's parameters. q/k/v and gate/up are stored fused
// (one matmul instead of three or two) and split back into HF names for checkpoints and reports.
import { splitRows } from './binding.ts';
import type { Qwen2Config } from './config.ts';
import { expectedShapes } from './config.ts';

export interface ParamSpec {
  /** Internal parameter name (HF name, or a fused name like `...qkv_proj.weight`). */
  name: string;
  shape: number[];
  /** HF tensors stored in this parameter, stacked along the first axis, in order. */
  parts: { hfName: string; rows: number; rowStart: number }[];
  /** Norm weights start at 1, everything else random. */
  kind: 'matrix' | 'bias' | 'norm' | 'embedding';
  /** Stored transposed, [in, out] (HF stores [out, in]); `shape` is the stored shape and each
   *  part's rows are columns of the stored matrix. */
  transposed: boolean;
}

export function paramSpecs(c: Qwen2Config): ParamSpec[] {
  const hf = expectedShapes(c);
  const single = (name: string, kind: ParamSpec['kind']): ParamSpec => {
    const shape = hf.get(name)!;
    const transposed = kind === 'matrix';
    return {
      name,
      shape: transposed ? [shape[1], shape[0]] : shape,
      parts: [{ hfName: name, rows: shape[0], rowStart: 0 }],
      kind,
      transposed,
    };
  };
  const fused = (name: string, hfNames: string[], kind: ParamSpec['kind']): ParamSpec => {
    let rowStart = 0;
    const parts = hfNames.map((hfName) => {
      const rows = hf.get(hfName)![0];
      const p = { hfName, rows, rowStart };
      rowStart += rows;
      return p;
    });
    const rest = hf.get(hfNames[0])!.slice(1);
    const transposed = kind === 'matrix';
    return { name, shape: transposed ? [...rest, rowStart] : [rowStart, ...rest], parts, kind, transposed };
  };
  const specs: ParamSpec[] = [single('model.embed_tokens.weight', 'embedding')];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    const a = `${p}.self_attn`;
    specs.push(
      single(`${p}.input_layernorm.weight`, 'norm'),
      fused(`${a}.qkv_proj.weight`, [`${a}.q_proj.weight`, `${a}.k_proj.weight`, `${a}.v_proj.weight`], 'matrix'),
      fused(`${a}.qkv_proj.bias`, [`${a}.q_proj.bias`, `${a}.k_proj.bias`, `${a}.v_proj.bias`], 'bias'),
      single(`${a}.o_proj.weight`, 'matrix'),
      single(`${p}.post_attention_layernorm.weight`, 'norm'),
      fused(`${p}.mlp.gate_up_proj.weight`, [`${p}.mlp.gate_proj.weight`, `${p}.mlp.up_proj.weight`], 'matrix'),
      single(`${p}.mlp.down_proj.weight`, 'matrix'),
    );
  }
  specs.push(single('model.norm.weight', 'norm'));
  // The LM head keeps HF's [vocab, hidden] layout, like the embedding it may be tied to.
  if (!c.tieWordEmbeddings) specs.push(single('lm_head.weight', 'embedding'));
  return specs;
}

/** Elements per row of a parameter (product of all but the first dimension). */
export function rowSize(shape: number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Transpose a row-major [rows, cols] matrix on the host. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[o + c];
  }
  return out;
}

/** A parameter's values in HF layout (rows = output features), from its stored layout. */
export function toHfLayout(spec: ParamSpec, stored: Float32Array): Float32Array {
  return spec.transposed ? transpose2d(stored, spec.shape[0], spec.shape[1]) : stored;
}

/** A parameter kept in pieces so no tensor exceeds the backend's binding limit: embeddings [V, D]
 *  by rows (vocabulary ranges), [in, out] matrices by columns (output features). */
export interface ParamSplit {
  axis: 0 | 1;
  sizes: number[];
}

/** How to split a parameter for a binding limit in bytes (float32); undefined when it fits. */
export function paramSplit(spec: ParamSpec, limitBytes: number): ParamSplit | undefined {
  if (spec.shape.length !== 2 || (spec.kind !== 'embedding' && spec.kind !== 'matrix')) return undefined;
  const [rows, cols] = spec.shape;
  const axis = spec.kind === 'embedding' ? 0 : 1;
  const sizes = axis === 0 ? splitRows(rows, cols * 4, limitBytes) : splitRows(cols, rows * 4, limitBytes);
  return sizes.length > 1 ? { axis, sizes } : undefined;
}

/** Name of piece k of a split parameter. */
export function pieceName(name: string, k: number): string {
  return `${name}#${k}`;
}

/** Cut a row-major 2-D array [rows, cols] into the pieces of a split. */
export function splitData(data: Float32Array, shape: number[], split: ParamSplit): Float32Array[] {
  const [rows, cols] = shape;
  const out: Float32Array[] = [];
  let start = 0;
  for (const n of split.sizes) {
    if (split.axis === 0) out.push(data.slice(start * cols, (start + n) * cols));
    else {
      const piece = new Float32Array(rows * n);
      for (let r = 0; r < rows; r++) piece.set(data.subarray(r * cols + start, r * cols + start + n), r * n);
      out.push(piece);
    }
    start += n;
  }
  return out;
}

/** Inverse of splitData. */
export function joinData(pieces: Float32Array[], shape: number[], split: ParamSplit): Float32Array {
  const [rows, cols] = shape;
  const out = new Float32Array(rows * cols);
  let start = 0;
  split.sizes.forEach((n, k) => {
    if (split.axis === 0) out.set(pieces[k], start * cols);
    else for (let r = 0; r < rows; r++) out.set(pieces[k].subarray(r * n, (r + 1) * n), r * cols + start);
    start += n;
  });
  return out;
}

/** The values of a parameter (or of its gradient) stored whole or in pieces, joined; undefined
 *  when `get` has neither. */
export async function joinedValues(
  spec: ParamSpec,
  get: (name: string) => { data(): Promise<unknown>; shape: number[] } | undefined,
): Promise<Float32Array | undefined> {
  const whole = get(spec.name);
  if (whole) return (await whole.data()) as Float32Array;
  const pieces: { data(): Promise<unknown>; shape: number[] }[] = [];
  for (let k = 0; get(pieceName(spec.name, k)); k++) pieces.push(get(pieceName(spec.name, k))!);
  if (!pieces.length) return undefined;
  const axis = spec.kind === 'embedding' ? 0 : 1;
  const split: ParamSplit = { axis, sizes: pieces.map((p) => p.shape[axis]) };
  const data = await Promise.all(pieces.map(async (p) => (await p.data()) as Float32Array));
  return joinData(data, spec.shape, split);
}

/** L2 norm of each HF tensor's slice of the (possibly fused) parameter gradients. */
export async function hfGradNorms(
  specs: ParamSpec[],
  grads: Map<string, { data(): Promise<unknown>; shape: number[] }>,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const spec of specs) {
    const values = await joinedValues(spec, (n) => grads.get(n));
    if (!values) continue;
    const all = toHfLayout(spec, values);
    const row = spec.transposed ? spec.shape[0] : rowSize(spec.shape);
    for (const part of spec.parts) {
      let s = 0;
      for (let i = part.rowStart * row; i < (part.rowStart + part.rows) * row; i++) s += all[i] * all[i];
      out[part.hfName] = Math.sqrt(s);
    }
  }
  return out;
}
