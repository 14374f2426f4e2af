// Model presets the demo can create from scratch: tiny byte-vocabulary Qwen2 configs (config.json
// objects) that run quickly even on a software WebGPU adapter, plus the presets found in models/.

export interface Preset {
  name: string;
  description: string;
  config: Record<string, unknown>;
  /** Folder under models/ with the preset's tokenizer.json; none: bytes (vocab 256) or ids. */
  tokenizerFolder?: string;
}

function qwen2Config(p: {
  vocab: number;
  hidden: number;
  inter: number;
  layers: number;
  heads: number;
  kvHeads: number;
}): Record<string, unknown> {
  return {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: p.vocab,
    hidden_size: p.hidden,
    intermediate_size: p.inter,
    num_hidden_layers: p.layers,
    num_attention_heads: p.heads,
    num_key_value_heads: p.kvHeads,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    hidden_act: 'silu',
    torch_dtype: 'float32',
    bos_token_id: 1,
    eos_token_id: 2,
  };
}

const BUILT_IN: Preset[] = [
  {
    name: 'tiny-bytes',
    description: 'vocab 256 (bytes), hidden 64, 2 layers, 4 heads / 2 kv: 0.1 M parameters',
    config: qwen2Config({ vocab: 256, hidden: 64, inter: 176, layers: 2, heads: 4, kvHeads: 2 }),
  },
  {
    name: 'small-bytes',
    description: 'vocab 256 (bytes), hidden 128, 4 layers, 4 heads / 2 kv: 0.8 M parameters',
    config: qwen2Config({ vocab: 256, hidden: 128, inter: 352, layers: 4, heads: 4, kvHeads: 2 }),
  },
];

// Presets the project keeps at the repository root (models/*.json), bundled at build time: either
// a bare Qwen2 config.json or the CLI's {description, tokenizer, config} file. A preset whose
// tokenizer is a folder under models/ (e.g. kk-tokenizer, the Qwen BPE shrunk to K&K text) gets
// that tokenizer, fetched only when the preset is created; 'qwen' presets need the full 151k-token
// Qwen tokenizer, which the web app does not ship, so they are left out.
const fromRepo = import.meta.glob<Record<string, unknown>>('../../../models/*.json', {
  eager: true,
  import: 'default',
});
const tokenizerFiles = import.meta.glob<string>(
  ['../../../models/*/tokenizer.json', '../../../models/*/tokenizer_config.json'],
  { query: '?raw', import: 'default' },
);

const folderFile = (folder: string, name: string): string => `../../../models/${folder}/${name}`;

function repoPresets(): Preset[] {
  const out: Preset[] = [];
  for (const [file, json] of Object.entries(fromRepo)) {
    if (!json || typeof json !== 'object') continue;
    const wrapped = typeof json.config === 'object' && json.config !== null;
    const config = (wrapped ? json.config : json) as Record<string, unknown>;
    if (config.model_type !== 'qwen2') continue;
    const tokenizer = wrapped && typeof json.tokenizer === 'string' ? json.tokenizer : 'none';
    if (tokenizer === 'qwen') continue;
    const folder = tokenizer === 'none' ? undefined : tokenizer;
    if (folder && !(folderFile(folder, 'tokenizer.json') in tokenizerFiles)) continue;
    const name = file.replace(/^.*\//, '').replace(/\.json$/, '');
    const shape = `vocab ${String(config.vocab_size)}, hidden ${String(config.hidden_size)}, ${String(config.num_hidden_layers)} layers`;
    const description =
      wrapped && typeof json.description === 'string'
        ? `models/${name}.json: ${json.description}`
        : `models/${name}.json (${shape})`;
    out.push({ name, description, config, tokenizerFolder: folder });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export const PRESETS: readonly Preset[] = [...BUILT_IN, ...repoPresets()];

/** The preset selected when the page opens: the smallest K&K-tokenizer model when there is one. */
export const DEFAULT_PRESET = PRESETS.find((p) => p.name === 'kk-tiny')?.name ?? PRESETS[0].name;

export function presetByName(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** tokenizer.json (+ tokenizer_config.json) of a preset with a tokenizer folder, as text. */
export async function presetTokenizerFiles(p: Preset): Promise<Record<string, string> | undefined> {
  if (!p.tokenizerFolder) return undefined;
  const files: Record<string, string> = {};
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
    const load = tokenizerFiles[folderFile(p.tokenizerFolder, name)];
    if (load) files[name] = await load();
  }
  return files;
}
