// A random-weight checkpoint in Hugging Face layout (config.json, safetensors shards + index),
// streamed into a ModelSink a slice of a tensor at a time, so real sizes (0.5B–3B) never sit in memory.
import type { Qwen2Config } from './config.ts';
import { expectedShapes } from './config.ts';
import { Rng } from './rng.ts';
import { encodeFromFloat32, encodeHeader, type StDtype } from './safetensors.ts';
import type { ModelSink } from './sources.ts';

export const TORCH_DTYPES: Record<StDtype, string> = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' };
const BYTES: Record<StDtype, number> = { F32: 4, BF16: 2, F16: 2 };
/** Elements generated and encoded per chunk: 4 MiB of float32 at a time. */
const CHUNK = 1 << 20;

export interface RandomCheckpointOptions {
  dtype?: StDtype;
  seed?: number;
  /** Standard deviation of matrices and the embedding (norm weights are 1, biases 0). */
  std?: number;
  /** Start a new shard when the next tensor would push the current one past this (default 2 GiB). */
  maxShardBytes?: number;
  /** Called after each tensor with bytes written so far and in all. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface RandomCheckpointResult {
  parameters: number;
  /** Tensor bytes over all shards. */
  bytes: number;
  /** Safetensors files written, in order. */
  shards: string[];
}

interface Tensor {
  name: string;
  shape: number[];
  numel: number;
}

/** Group tensors into shards of at most maxBytes (a bigger tensor gets a shard of its own). */
function planShards(tensors: Tensor[], bytesPer: number, maxBytes: number): Tensor[][] {
  const shards: Tensor[][] = [[]];
  let size = 0;
  for (const t of tensors) {
    const b = t.numel * bytesPer;
    if (size > 0 && size + b > maxBytes) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1].push(t);
    size += b;
  }
  return shards;
}

/** Write config.json, generation_config.json and the weights (model.safetensors, or shards plus
 *  model.safetensors.index.json). Values: norms 1, biases 0, the rest normal(0, std). */
export async function writeRandomCheckpoint(
  config: Qwen2Config,
  sink: ModelSink,
  opts: RandomCheckpointOptions = {},
): Promise<RandomCheckpointResult> {
  const dtype = opts.dtype ?? 'BF16';
  const std = opts.std ?? 0.02;
  const rng = new Rng(opts.seed ?? 0);
  const tensors: Tensor[] = [...expectedShapes(config)].map(([name, shape]) => ({
    name,
    shape,
    numel: shape.reduce((a, b) => a * b, 1),
  }));
  const parameters = tensors.reduce((a, t) => a + t.numel, 0);
  const total = parameters * BYTES[dtype];
  const shards = planShards(tensors, BYTES[dtype], opts.maxShardBytes ?? 2 ** 31);
  const names =
    shards.length === 1
      ? ['model.safetensors']
      : shards.map(
          (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`,
        );
  let done = 0;
  // Box–Muller gives two normals per pair of uniforms; using both halves the cost of a 3B init.
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const a = 2 * Math.PI * rng.next();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
  async function* chunks(shard: Tensor[]): AsyncGenerator<Uint8Array> {
    yield encodeHeader(
      shard.map((t) => ({ name: t.name, shape: t.shape, dtype })),
      { format: 'pt' },
    );
    for (const t of shard) {
      const kind = t.name.endsWith('norm.weight') ? 'norm' : t.name.endsWith('.bias') ? 'bias' : 'matrix';
      for (let start = 0; start < t.numel; start += CHUNK) {
        // A fresh buffer per chunk: a sink may keep chunks (memorySink) rather than write them.
        const view = new Float32Array(Math.min(CHUNK, t.numel - start));
        if (kind === 'norm') view.fill(1);
        else if (kind === 'bias') view.fill(0);
        else for (let i = 0; i < view.length; i++) view[i] = normal() * std;
        yield encodeFromFloat32(view, dtype);
      }
      done += t.numel * BYTES[dtype];
      opts.onProgress?.(done, total);
    }
  }
  for (let i = 0; i < shards.length; i++) await sink.writeChunks(names[i], chunks(shards[i]));
  if (shards.length > 1) {
    const weightMap: Record<string, string> = {};
    shards.forEach((s, i) => {
      for (const t of s) weightMap[t.name] = names[i];
    });
    await sink.writeText(
      'model.safetensors.index.json',
      `${JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2)}\n`,
    );
  }
  await sink.writeText(
    'config.json',
    `${JSON.stringify({ ...config.raw, torch_dtype: TORCH_DTYPES[dtype] }, null, 2)}\n`,
  );
  const eos = config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : config.eosTokenIds;
  await sink.writeText(
    'generation_config.json',
    `${JSON.stringify({ bos_token_id: config.bosTokenId ?? null, eos_token_id: eos, do_sample: false, max_new_tokens: 2048 }, null, 2)}\n`,
  );
  return { parameters, bytes: total, shards: names };
}
