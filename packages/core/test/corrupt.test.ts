// Corrupt or mismatched checkpoints: each must fail with a CheckpointError or ConfigError whose
// message names the file and the tensor or key at fault, never a crash deep inside the loader.
import { describe, it, expect, beforeAll } from 'vitest';
import { CheckpointError, ConfigError, Rng, loadModel, memorySource } from '@warmup/core';
import { backend } from './helpers.ts';
import { hfShapes, randomWeights, rawConfig, safetensorsFile, writeCheckpoint, type FileTensor } from './ckpt.ts';

const RAW = rawConfig({
  vocab: 32,
  hidden: 16,
  inter: 24,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  theta: 10000,
  eps: 1e-6,
  tied: true,
});
const WEIGHTS = randomWeights(RAW, 7);
const LOC = 'mem';

/** The tensors of the base checkpoint in file order (HF order, float32). */
function tensors(): FileTensor[] {
  return hfShapes(RAW).map(([name, shape]) => ({
    name,
    dtype: 'F32',
    shape,
    bytes: new Uint8Array(Float32Array.from(WEIGHTS.get(name)!).buffer),
  }));
}

type Files = Map<string, Uint8Array | string>;
function files(weights: Uint8Array, config: unknown = RAW): Files {
  return new Map<string, Uint8Array | string>([
    ['config.json', typeof config === 'string' ? config : JSON.stringify(config)],
    ['model.safetensors', weights],
  ]);
}

type HeaderEntry = { dtype: string; shape: number[]; data_offsets: [number, number] };
function editEntry(name: string, f: (e: HeaderEntry) => void): (h: Record<string, unknown>) => unknown {
  return (h) => {
    f(h[name] as HeaderEntry);
    return h;
  };
}

/** The error loadModel rejects with (fails the test if it resolves). */
async function loadError(fs: Files): Promise<Error> {
  try {
    const m = await loadModel(memorySource(fs, LOC));
    m.dispose();
  } catch (e) {
    return e as Error;
  }
  throw new Error('loadModel succeeded on a corrupt checkpoint');
}

async function expectCheckpointError(fs: Files, ...parts: (string | RegExp)[]): Promise<void> {
  const e = await loadError(fs);
  expect(e, e.stack).toBeInstanceOf(CheckpointError);
  for (const p of parts) expect(e.message).toMatch(p);
}

async function expectConfigError(fs: Files, ...parts: (string | RegExp)[]): Promise<void> {
  const e = await loadError(fs);
  expect(e, e.stack).toBeInstanceOf(ConfigError);
  expect(e.message).toContain(`${LOC}/config.json`);
  for (const p of parts) expect(e.message).toMatch(p);
}

const FILE = `${LOC}/model.safetensors`;
const LAST = hfShapes(RAW).at(-1)![0]; // last tensor in the data section

describe('corrupt checkpoints', () => {
  beforeAll(async () => {
    await backend('cpu');
  });

  it('the uncorrupted base checkpoint loads', async () => {
    const m = await loadModel(memorySource(files(safetensorsFile(tensors())), LOC));
    m.dispose();
  });

  it('truncated file: names the file and the tensor cut off', async () => {
    const whole = safetensorsFile(tensors());
    await expectCheckpointError(files(whole.slice(0, whole.length - 3)), FILE, `"${LAST}"`, /out of range.*truncated/);
  });

  it('file shorter than the 8-byte length prefix', async () => {
    await expectCheckpointError(files(new Uint8Array([1, 2, 3])), FILE, /truncated/);
  });

  it('header length beyond the end of the file', async () => {
    const f = safetensorsFile(tensors());
    new DataView(f.buffer).setBigUint64(0, BigInt(f.length), true);
    await expectCheckpointError(files(f), FILE, /header length \d+ is beyond the end of the file/);
    new DataView(f.buffer).setBigUint64(0, 2n ** 63n, true);
    await expectCheckpointError(files(f), FILE, /beyond the end/);
  });

  it('header that is not JSON, or not a JSON object', async () => {
    await expectCheckpointError(
      files(safetensorsFile(tensors(), () => new TextEncoder().encode('{"a": '))),
      FILE,
      /not valid JSON/,
    );
    for (const bad of [[1, 2], 'x', 42, null]) {
      await expectCheckpointError(files(safetensorsFile(tensors(), () => bad)), FILE, /not a JSON object/);
    }
    const entryNotObject = safetensorsFile(tensors(), (h) => ({ ...h, 'model.norm.weight': 5 }));
    await expectCheckpointError(files(entryNotObject), FILE, '"model.norm.weight"', /not an object/);
  });

  it('data_offsets out of range', async () => {
    const name = 'model.layers.0.self_attn.q_proj.bias';
    const f = safetensorsFile(
      tensors(),
      editEntry(name, (e) => (e.data_offsets = [e.data_offsets[0] + 1e6, e.data_offsets[1] + 1e6])),
    );
    await expectCheckpointError(files(f), FILE, `"${name}"`, /out of range/);
    const neg = safetensorsFile(
      tensors(),
      editEntry(name, (e) => (e.data_offsets = [-4, 60])),
    );
    await expectCheckpointError(files(neg), FILE, `"${name}"`, /bad data_offsets/);
    const reversed = safetensorsFile(
      tensors(),
      editEntry(name, (e) => (e.data_offsets = [e.data_offsets[1], e.data_offsets[0]])),
    );
    await expectCheckpointError(files(reversed), FILE, `"${name}"`, /bad data_offsets/);
  });

  it('overlapping data_offsets name both tensors', async () => {
    // With 4 heads of 4 and 2 kv heads, q bias [16] and the layer's input norm [16] have equal size.
    const a = 'model.layers.0.input_layernorm.weight';
    const b = 'model.layers.0.self_attn.q_proj.bias';
    const f = safetensorsFile(tensors(), (h) => {
      (h[b] as HeaderEntry).data_offsets = [...(h[a] as HeaderEntry).data_offsets];
      return h;
    });
    await expectCheckpointError(files(f), FILE, `"${a}"`, `"${b}"`, /overlapping/);
  });

  it('byte size that disagrees with shape and dtype', async () => {
    const name = 'model.norm.weight';
    const f = safetensorsFile(
      tensors(),
      editEntry(name, (e) => (e.shape = [17])),
    );
    await expectCheckpointError(files(f), FILE, `"${name}"`, /bytes do not match shape \[17\]/);
  });

  it('unknown dtype names the tensor and the dtype', async () => {
    const name = 'model.layers.1.mlp.up_proj.weight';
    for (const dtype of ['I64', 'F64', 'F8_E4M3']) {
      const f = safetensorsFile(
        tensors(),
        editEntry(name, (e) => (e.dtype = dtype)),
      );
      await expectCheckpointError(files(f), FILE, `"${name}"`, `"${dtype}"`, /unsupported dtype/);
    }
  });

  it('tensor shapes that disagree with config.json', async () => {
    // Same bytes, different shape: only config.json can tell.
    const q = 'model.layers.1.self_attn.q_proj.weight';
    const f = safetensorsFile(
      tensors(),
      editEntry(q, (e) => (e.shape = [8, 32])),
    );
    await expectCheckpointError(files(f), q, /shape \[8,32\].*config\.json implies \[16,16\]/);
    // A config.json from a bigger model than the weights.
    const e = await loadError(files(safetensorsFile(tensors()), { ...RAW, intermediate_size: 40 }));
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.message).toMatch(
      /model\.layers\.0\.mlp\.gate_proj\.weight has shape \[24,16\] but config\.json implies \[40,16\]/,
    );
  });

  it('missing tensors are named', async () => {
    const gone = 'model.layers.1.mlp.down_proj.weight';
    const f = safetensorsFile(tensors().filter((t) => t.name !== gone));
    await expectCheckpointError(files(f), LOC, /missing tensors/, gone);
    // An untied config needs lm_head.weight, which a tied checkpoint lacks.
    await expectCheckpointError(
      files(safetensorsFile(tensors()), { ...RAW, tie_word_embeddings: false }),
      /missing tensors: lm_head\.weight/,
    );
  });

  it('config.json of another model_type', async () => {
    await expectConfigError(
      files(safetensorsFile(tensors()), { ...RAW, model_type: 'llama' }),
      /model_type is "llama"/,
    );
  });

  it('config.json that is not valid JSON', async () => {
    await expectConfigError(files(safetensorsFile(tensors()), '{"model_type": "qwen2",'), /not valid JSON/);
  });

  it('config.json missing a required key, or with a bad value, names the key', async () => {
    const { hidden_size: _, ...noHidden } = RAW;
    await expectConfigError(files(safetensorsFile(tensors()), noHidden), /"hidden_size"/);
    await expectConfigError(
      files(safetensorsFile(tensors()), { ...RAW, num_attention_heads: '4' }),
      /"num_attention_heads"/,
    );
    await expectConfigError(
      files(safetensorsFile(tensors()), { ...RAW, num_key_value_heads: 3 }),
      /num_key_value_heads \(3\)/,
    );
  });

  it('config.json with an absurd size (1e9 layers, a 1e12 vocabulary) is refused up front', async () => {
    await expectConfigError(
      files(safetensorsFile(tensors()), { ...RAW, num_hidden_layers: 1e9 }),
      /"num_hidden_layers"/,
    );
    await expectConfigError(files(safetensorsFile(tensors()), { ...RAW, vocab_size: 1e12 }), /"vocab_size"/);
  });

  it('no weights at all', async () => {
    const fs: Files = new Map([['config.json', JSON.stringify(RAW)]]);
    await expectCheckpointError(fs, LOC, /no model\.safetensors or model\.safetensors\.index\.json/);
  });

  it('index.json pointing at a missing shard names the shard', async () => {
    const ck = writeCheckpoint(RAW, WEIGHTS, 'F16', 3);
    const shard = 'model-00002-of-00003.safetensors';
    ck.files.delete(shard);
    await expectCheckpointError(ck.files, `${LOC}/model.safetensors.index.json`, `shard ${shard}`, /missing/);
  });

  it('index.json without a weight_map object, with a bad shard name, or not JSON', async () => {
    const ck = writeCheckpoint(RAW, WEIGHTS, 'F32', 2);
    const idx = `${LOC}/model.safetensors.index.json`;
    for (const bad of [{}, { weight_map: null }, { weight_map: [] }, null, 3]) {
      ck.files.set('model.safetensors.index.json', JSON.stringify(bad));
      await expectCheckpointError(ck.files, idx, /no weight_map/);
    }
    for (const shard of [5, '../model.safetensors', '']) {
      ck.files.set('model.safetensors.index.json', JSON.stringify({ weight_map: { 'model.norm.weight': shard } }));
      await expectCheckpointError(ck.files, idx, '"model.norm.weight"', /not a shard file name/);
    }
    ck.files.set('model.safetensors.index.json', '{"weight_map": ');
    await expectCheckpointError(ck.files, idx, /not valid JSON/);
  });

  it('random damage to the header never escapes as anything but CheckpointError', async () => {
    const whole = safetensorsFile(tensors());
    const headerEnd = 8 + Number(new DataView(whole.buffer).getBigUint64(0, true));
    const rng = new Rng(11);
    let rejected = 0;
    for (let trial = 0; trial < 150; trial++) {
      const f = whole.slice();
      const flips = 1 + Math.floor(rng.next() * 3);
      for (let i = 0; i < flips; i++) f[Math.floor(rng.next() * headerEnd)] = Math.floor(rng.next() * 256);
      try {
        const m = await loadModel(memorySource(files(f), LOC));
        m.dispose(); // damage in padding or a name's digits can leave a loadable file
      } catch (e) {
        expect(e, (e as Error).stack).toBeInstanceOf(CheckpointError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });
});
