// Qwen2 model configuration: parsed from a Hugging Face config.json and validated with zod so a
// bad file names the bad key instead of failing deep inside the forward pass.
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const RawConfig = z
  .object({
    model_type: z.string(),
    // upper bounds far above any real Qwen2 (vocab 152k, 80 layers, hidden 8k): a typo such as
    // 1e9 layers is refused here instead of aborting the allocator
    vocab_size: z.number().int().positive().max(4_194_304),
    hidden_size: z.number().int().positive().max(65_536),
    intermediate_size: z.number().int().positive().max(262_144),
    num_hidden_layers: z.number().int().positive().max(1024),
    num_attention_heads: z.number().int().positive().max(1024),
    num_key_value_heads: z.number().int().positive().max(1024).optional(),
    head_dim: z.number().int().positive().max(4096).optional(),
    max_position_embeddings: z.number().int().positive().max(16_777_216).optional(),
    rms_norm_eps: z.number().positive().optional(),
    rope_theta: z.number().positive().optional(),
    tie_word_embeddings: z.boolean().optional(),
    hidden_act: z.string().optional(),
    bos_token_id: z.number().int().nullable().optional(),
    eos_token_id: z
      .union([z.number().int(), z.array(z.number().int())])
      .nullable()
      .optional(),
    pad_token_id: z.number().int().nullable().optional(),
    torch_dtype: z.string().optional(),
  })
  .passthrough();

export interface Qwen2Config {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  maxPositionEmbeddings: number;
  rmsNormEps: number;
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  bosTokenId?: number;
  eosTokenIds: number[];
  padTokenId?: number;
  /** Every key of the original config.json, written back on save so HF tools see what they expect. */
  raw: Record<string, unknown>;
}

/** Validate a parsed config.json (model_type must be qwen2). */
export function parseConfig(json: unknown, source = 'config.json'): Qwen2Config {
  const r = RawConfig.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`${source}: key "${issue.path.join('.')}": ${issue.message}`);
  }
  const c = r.data;
  if (c.model_type !== 'qwen2') {
    throw new ConfigError(`${source}: model_type is "${c.model_type}", only "qwen2" is supported`);
  }
  if (c.hidden_act !== undefined && c.hidden_act !== 'silu') {
    throw new ConfigError(`${source}: key "hidden_act": only "silu" is supported, got "${c.hidden_act}"`);
  }
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % numKvHeads !== 0) {
    throw new ConfigError(
      `${source}: num_attention_heads (${c.num_attention_heads}) must be a multiple of num_key_value_heads (${numKvHeads})`,
    );
  }
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new ConfigError(`${source}: head_dim ${headDim} must be an even integer`);
  }
  const eos = c.eos_token_id;
  return {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    maxPositionEmbeddings: c.max_position_embeddings ?? 32768,
    rmsNormEps: c.rms_norm_eps ?? 1e-6,
    ropeTheta: c.rope_theta ?? 10000,
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
    bosTokenId: c.bos_token_id ?? undefined,
    eosTokenIds: eos == null ? [] : Array.isArray(eos) ? eos : [eos],
    padTokenId: c.pad_token_id ?? undefined,
    raw: { ...c },
  };
}

/** Name → shape of every tensor a Qwen2ForCausalLM checkpoint holds for this config. */
export function expectedShapes(c: Qwen2Config): Map<string, number[]> {
  const m = new Map<string, number[]>();
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  m.set('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    m.set(`${p}.input_layernorm.weight`, [c.hiddenSize]);
    m.set(`${p}.self_attn.q_proj.weight`, [q, c.hiddenSize]);
    m.set(`${p}.self_attn.q_proj.bias`, [q]);
    m.set(`${p}.self_attn.k_proj.weight`, [kv, c.hiddenSize]);
    m.set(`${p}.self_attn.k_proj.bias`, [kv]);
    m.set(`${p}.self_attn.v_proj.weight`, [kv, c.hiddenSize]);
    m.set(`${p}.self_attn.v_proj.bias`, [kv]);
    m.set(`${p}.self_attn.o_proj.weight`, [c.hiddenSize, q]);
    m.set(`${p}.post_attention_layernorm.weight`, [c.hiddenSize]);
    m.set(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    m.set(`${p}.mlp.up_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    m.set(`${p}.mlp.down_proj.weight`, [c.hiddenSize, c.intermediateSize]);
  }
  m.set('model.norm.weight', [c.hiddenSize]);
  if (!c.tieWordEmbeddings) m.set('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  return m;
}

export function countParameters(c: Qwen2Config): number {
  let n = 0;
  for (const s of expectedShapes(c).values()) n += s.reduce((a, b) => a * b, 1);
  return n;
}
