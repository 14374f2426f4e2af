// A naive float64 Qwen2 forward pass written straight from the fixture README, sharing no code
// with model.ts, so the TF.js model can be checked on configs the fixture does not cover.

/** The config.json keys the forward pass needs, read from the raw JSON with HF defaults. */
export interface RefConfig {
  vocab: number;
  hidden: number;
  inter: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  theta: number;
  eps: number;
  tied: boolean;
}

export function refConfig(raw: Record<string, unknown>): RefConfig {
  const n = (k: string, d?: number): number => {
    const v = raw[k] ?? d;
    if (typeof v !== 'number') throw new Error(`reference: config key ${k} missing`);
    return v;
  };
  const heads = n('num_attention_heads');
  return {
    vocab: n('vocab_size'),
    hidden: n('hidden_size'),
    inter: n('intermediate_size'),
    layers: n('num_hidden_layers'),
    heads,
    kvHeads: n('num_key_value_heads', heads),
    headDim: n('head_dim', n('hidden_size') / heads),
    theta: n('rope_theta', 10000),
    eps: n('rms_norm_eps', 1e-6),
    tied: raw.tie_word_embeddings === true,
  };
}

export type RefWeights = Map<string, Float64Array>;

function get(w: RefWeights, name: string): Float64Array {
  const t = w.get(name);
  if (!t) throw new Error(`reference: no tensor ${name}`);
  return t;
}

/** y = x W^T (+ b) with W stored [out, in] row-major. */
function linear(x: Float64Array, W: Float64Array, out: number, b?: Float64Array): Float64Array {
  const inn = x.length;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b[o] : 0;
    for (let i = 0; i < inn; i++) s += W[o * inn + i] * x[i];
    y[o] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float64Array, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  const r = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => w[i] * v * r);
}

/** Rotate-half RoPE on one head vector (in place). */
function rope(v: Float64Array, off: number, d: number, pos: number, theta: number): void {
  const half = d / 2;
  for (let j = 0; j < half; j++) {
    const a = pos * theta ** ((-2 * j) / d);
    const c = Math.cos(a);
    const s = Math.sin(a);
    const x1 = v[off + j];
    const x2 = v[off + j + half];
    v[off + j] = x1 * c - x2 * s;
    v[off + j + half] = x2 * c + x1 * s;
  }
}

/** Logits [T][vocab] for one unpadded sequence at positions 0..T-1. */
export function refForward(cfg: RefConfig, w: RefWeights, ids: number[]): Float64Array[] {
  const T = ids.length;
  const D = cfg.hidden;
  const hd = cfg.headDim;
  const emb = get(w, 'model.embed_tokens.weight');
  let xs: Float64Array[] = ids.map((id) => emb.slice(id * D, (id + 1) * D));
  for (let l = 0; l < cfg.layers; l++) {
    const p = `model.layers.${l}`;
    const g = (n: string): Float64Array => get(w, `${p}.${n}`);
    const qs: Float64Array[] = [];
    const ks: Float64Array[] = [];
    const vs: Float64Array[] = [];
    for (let t = 0; t < T; t++) {
      const h = rmsNorm(xs[t], g('input_layernorm.weight'), cfg.eps);
      const q = linear(h, g('self_attn.q_proj.weight'), cfg.heads * hd, g('self_attn.q_proj.bias'));
      const k = linear(h, g('self_attn.k_proj.weight'), cfg.kvHeads * hd, g('self_attn.k_proj.bias'));
      const v = linear(h, g('self_attn.v_proj.weight'), cfg.kvHeads * hd, g('self_attn.v_proj.bias'));
      for (let hh = 0; hh < cfg.heads; hh++) rope(q, hh * hd, hd, t, cfg.theta);
      for (let hh = 0; hh < cfg.kvHeads; hh++) rope(k, hh * hd, hd, t, cfg.theta);
      qs.push(q);
      ks.push(k);
      vs.push(v);
    }
    const group = cfg.heads / cfg.kvHeads;
    const next: Float64Array[] = [];
    for (let t = 0; t < T; t++) {
      const ctx = new Float64Array(cfg.heads * hd);
      for (let hh = 0; hh < cfg.heads; hh++) {
        const kv = Math.floor(hh / group);
        const scores = new Float64Array(t + 1);
        let mx = -Infinity;
        for (let s = 0; s <= t; s++) {
          let d = 0;
          for (let j = 0; j < hd; j++) d += qs[t][hh * hd + j] * ks[s][kv * hd + j];
          scores[s] = d / Math.sqrt(hd);
          mx = Math.max(mx, scores[s]);
        }
        let z = 0;
        for (let s = 0; s <= t; s++) z += scores[s] = Math.exp(scores[s] - mx);
        for (let s = 0; s <= t; s++) {
          for (let j = 0; j < hd; j++) ctx[hh * hd + j] += (scores[s] / z) * vs[s][kv * hd + j];
        }
      }
      const attn = linear(ctx, g('self_attn.o_proj.weight'), D);
      const hres = xs[t].map((v, i) => v + attn[i]);
      const n = rmsNorm(hres, g('post_attention_layernorm.weight'), cfg.eps);
      const gate = linear(n, g('mlp.gate_proj.weight'), cfg.inter);
      const up = linear(n, g('mlp.up_proj.weight'), cfg.inter);
      const act = gate.map((a, i) => (a / (1 + Math.exp(-a))) * up[i]);
      const down = linear(act, g('mlp.down_proj.weight'), D);
      next.push(hres.map((v, i) => v + down[i]));
    }
    xs = next;
  }
  const head = cfg.tied ? emb : get(w, 'lm_head.weight');
  return xs.map((x) => linear(rmsNorm(x, get(w, 'model.norm.weight'), cfg.eps), head, cfg.vocab));
}
