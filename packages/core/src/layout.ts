// Maps Hugging Face tensor names onto the model's parameters. q/k/v and gate/up are stored fused
// (one matmul instead of three or two) and split back into HF names for checkpoints and reports.
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

/** L2 norm of each HF tensor's slice of the (possibly fused) parameter gradients. */
export async function hfGradNorms(
  specs: ParamSpec[],
  grads: Map<string, { data(): Promise<unknown> }>,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const spec of specs) {
    const g = grads.get(spec.name);
    if (!g) continue;
    const all = toHfLayout(spec, (await g.data()) as Float32Array);
    const row = spec.transposed ? spec.shape[0] : rowSize(spec.shape);
    for (const part of spec.parts) {
      let s = 0;
      for (let i = part.rowStart * row; i < (part.rowStart + part.rows) * row; i++) s += all[i] * all[i];
      out[part.hfName] = Math.sqrt(s);
    }
  }
  return out;
}
