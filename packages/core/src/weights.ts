// Creating a model: from a checkpoint (streamed tensor by tensor from a ModelSource, validated
// against config.json) or from scratch with seeded initialisation; and saving back to HF format.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, parseConfig, expectedShapes, type Qwen2Config } from './config.ts';
import { maxBindingBytes } from './binding.ts';
import {
  joinedValues,
  type ParamSpec,
  paramSpecs,
  paramSplit,
  pieceName,
  rowSize,
  splitData,
  toHfLayout,
  transpose2d,
} from './layout.ts';
import { Qwen2Model } from './model.ts';
import { Rng } from './rng.ts';
import {
  CheckpointError,
  decodeToFloat32,
  encodeHeader,
  headerLength,
  parseHeader,
  type StEntry,
} from './safetensors.ts';
import { readJson, type ByteFile, type ModelSink, type ModelSource } from './sources.ts';

/** Read config.json from a source. */
export async function loadConfig(src: ModelSource): Promise<Qwen2Config> {
  if (!(await src.has('config.json'))) throw new CheckpointError(`${src.location}: no config.json`);
  const where = `${src.location}/config.json`;
  let json: unknown;
  try {
    json = JSON.parse(await src.readText('config.json'));
  } catch (e) {
    // A broken config.json is a config problem (ConfigError), like a bad key inside it.
    if (e instanceof SyntaxError) throw new ConfigError(`${where}: not valid JSON (${e.message})`);
    throw e;
  }
  return parseConfig(json, where);
}

interface Located {
  file: ByteFile;
  entry: StEntry;
}

/** Index every tensor of a checkpoint (single file or sharded via model.safetensors.index.json). */
async function indexTensors(src: ModelSource, weightsFile?: string): Promise<Map<string, Located>> {
  let files: string[];
  if (weightsFile) files = [weightsFile];
  else if (await src.has('model.safetensors')) files = ['model.safetensors'];
  else if (await src.has('model.safetensors.index.json')) {
    const where = `${src.location}/model.safetensors.index.json`;
    const idx = (await readJson(src, 'model.safetensors.index.json')) as { weight_map?: unknown } | null;
    const map = idx?.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map))
      throw new CheckpointError(`${where}: no weight_map object`);
    files = [];
    for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
      // Shards are plain file names next to the index; anything else could escape the folder.
      if (typeof shard !== 'string' || shard === '' || /[\\/]/.test(shard) || shard === '..') {
        throw new CheckpointError(
          `${where}: tensor "${tensor}" maps to ${JSON.stringify(shard)}, not a shard file name`,
        );
      }
      if (files.includes(shard)) continue;
      if (!(await src.has(shard)))
        throw new CheckpointError(`${where}: shard ${shard} (holding "${tensor}") is missing`);
      files.push(shard);
    }
  } else throw new CheckpointError(`${src.location}: no model.safetensors or model.safetensors.index.json`);
  const out = new Map<string, Located>();
  for (const name of files) {
    const file = await src.open(name);
    const where = `${src.location}/${name}`;
    const n = headerLength(await file.read(0, Math.min(8, file.size)), file.size, where);
    const header = parseHeader(await file.read(8, n), file.size, where);
    for (const [t, entry] of header.entries) out.set(t, { file, entry });
  }
  return out;
}

/** A trainable variable from host data (variable names are left to TF.js: they must be unique
 *  across every model alive in the process). */
export function toVariable(data: Float32Array, shape: number[]): tf.Variable {
  const t = tf.tensor(data, shape, 'float32');
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** Store a parameter's values (stored layout) as one variable, or as pieces `name#k` when it is
 *  larger than the binding limit (see ParamSplit). */
function setParam(params: Map<string, tf.Variable>, spec: ParamSpec, data: Float32Array, limitBytes: number): void {
  const split = paramSplit(spec, limitBytes);
  if (!split) {
    params.set(spec.name, toVariable(data, spec.shape));
    return;
  }
  splitData(data, spec.shape, split).forEach((piece, k) => {
    const shape = split.axis === 0 ? [split.sizes[k], spec.shape[1]] : [spec.shape[0], split.sizes[k]];
    params.set(pieceName(spec.name, k), toVariable(piece, shape));
  });
}

export interface LoadOptions {
  weightsFile?: string;
  config?: Qwen2Config;
  /** Split parameters larger than this many bytes; defaults to the active backend's binding limit. */
  maxBindingBytes?: number;
}

/** Load a Qwen2 model from a checkpoint folder/URL/file set. Each tensor is read, converted to
 *  float32 and uploaded before the next is read. */
export async function loadModel(src: ModelSource, opts: LoadOptions = {}): Promise<Qwen2Model> {
  const limit = opts.maxBindingBytes ?? maxBindingBytes();
  const config = opts.config ?? (await loadConfig(src));
  const tensors = await indexTensors(src, opts.weightsFile);
  const shapes = expectedShapes(config);
  const missing = [...shapes.keys()].filter((n) => !tensors.has(n));
  if (missing.length) {
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    throw new CheckpointError(`${src.location}: missing tensors: ${missing.slice(0, 5).join(', ')}${more}`);
  }
  for (const [name, shape] of shapes) {
    const got = tensors.get(name)!.entry.shape;
    if (got.join(',') !== shape.join(',')) {
      throw new CheckpointError(
        `${src.location}: tensor ${name} has shape [${got}] but config.json implies [${shape}]`,
      );
    }
  }
  const params = new Map<string, tf.Variable>();
  try {
    for (const spec of paramSpecs(config)) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const row = spec.transposed ? spec.shape[0] : rowSize(spec.shape); // HF row length
      const buf = spec.parts.length === 1 ? undefined : new Float32Array(size);
      let data: Float32Array | undefined;
      for (const part of spec.parts) {
        const { file, entry } = tensors.get(part.hfName)!;
        const values = decodeToFloat32(await file.read(entry.begin, entry.end - entry.begin), entry.dtype);
        if (buf) buf.set(values, part.rowStart * row);
        else data = values;
      }
      const hfData = buf ?? data!;
      // HF stores [out, in]; linear layers run on [in, out] (see ops.ts).
      const stored = spec.transposed ? transpose2d(hfData, spec.shape[1], spec.shape[0]) : hfData;
      setParam(params, spec, stored, limit);
    }
  } catch (e) {
    for (const v of params.values()) v.dispose();
    throw e;
  }
  return new Qwen2Model(config, params);
}

/** A fresh model with the usual initialisation (normal(0, 0.02) matrices, zero biases, unit
 *  norms), drawn from a seeded JS generator so every backend gets the same weights. */
export function initModel(
  config: Qwen2Config,
  seed = 0,
  std = 0.02,
  limitBytes: number = maxBindingBytes(),
): Qwen2Model {
  const rng = new Rng(seed);
  const params = new Map<string, tf.Variable>();
  for (const spec of paramSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (spec.kind === 'norm') data.fill(1);
    else if (spec.kind !== 'bias') for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
    setParam(params, spec, data, limitBytes);
  }
  return new Qwen2Model(config, params);
}

/** HF tensor name -> float32 values of that tensor (read back from the fused parameters). */
export async function* hfTensors(
  model: Qwen2Model,
): AsyncGenerator<{ name: string; shape: number[]; data: Float32Array }> {
  for (const spec of paramSpecs(model.config)) {
    const all = toHfLayout(spec, (await joinedValues(spec, (n) => model.params.get(n)))!);
    const row = spec.transposed ? spec.shape[0] : rowSize(spec.shape);
    const rest = spec.transposed ? [spec.shape[0]] : spec.shape.slice(1);
    for (const part of spec.parts) {
      const data = all.subarray(part.rowStart * row, (part.rowStart + part.rows) * row);
      yield { name: part.hfName, shape: [part.rows, ...rest], data };
    }
  }
}

/** Write config.json + model.safetensors (float32) into a sink; tensors are streamed one at a time. */
export async function saveModel(
  model: Qwen2Model,
  sink: ModelSink,
  extraFiles: Record<string, string> = {},
): Promise<void> {
  const specs: { name: string; shape: number[] }[] = [];
  for (const [name, shape] of expectedShapes(model.config)) specs.push({ name, shape });
  const header = encodeHeader(specs);
  const byName = new Map<string, number>(specs.map((s, i) => [s.name, i]));
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield header;
    // expectedShapes order is the order the header lays out; collect each tensor in that order.
    const pending = new Map<string, Float32Array>();
    let next = 0;
    for await (const t of hfTensors(model)) {
      pending.set(t.name, t.data.slice());
      while (next < specs.length && pending.has(specs[next].name)) {
        const d = pending.get(specs[next].name)!;
        pending.delete(specs[next].name);
        next++;
        yield new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      }
    }
    if (next !== byName.size) throw new Error('internal: not every tensor was written');
  }
  await sink.writeChunks('model.safetensors', chunks());
  await sink.writeText('config.json', JSON.stringify({ ...model.config.raw, torch_dtype: 'float32' }, null, 2) + '\n');
  for (const [name, text] of Object.entries(extraFiles)) await sink.writeText(name, text);
}

/** Float32 values on the host with their shape. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Per-parameter tensors (optimizer moments) with the pieces of split parameters (`name#k`)
 *  joined on the host under the parameter's name, so files do not depend on the binding limit. */
export async function joinParamPieces(
  model: Qwen2Model,
  named: Map<string, tf.Tensor>,
): Promise<Map<string, tf.Tensor | HostTensor>> {
  const out = new Map<string, tf.Tensor | HostTensor>();
  const specs = new Map(paramSpecs(model.config).map((s) => [s.name, s]));
  for (const [name, t] of named) {
    const base = name.replace(/#\d+$/, '');
    if (base === name || !specs.has(base)) out.set(name, t);
    else if (!out.has(base)) {
      const spec = specs.get(base)!;
      out.set(base, { shape: spec.shape, data: (await joinedValues(spec, (n) => named.get(n)))! });
    }
  }
  return out;
}

/** The inverse for one parameter: `value` cut like the model's pieces of `name` (as is when whole). */
export function splitParamPieces(model: Qwen2Model, name: string, value: HostTensor): [string, HostTensor][] {
  if (model.params.has(name) || !model.params.has(pieceName(name, 0))) return [[name, value]];
  const pieces = model.parts(name);
  const axis = pieces[0].shape[0] === value.shape[0] ? 1 : 0;
  const data = splitData(value.data, value.shape, { axis, sizes: pieces.map((p) => p.shape[axis]!) });
  return pieces.map((p, k) => [pieceName(name, k), { shape: p.shape, data: data[k] }]);
}

/** Stream named float32 tensors into one safetensors file (optimizer moments, adapters). */
export async function writeTensors(
  sink: ModelSink,
  file: string,
  named: Map<string, tf.Tensor | HostTensor>,
): Promise<void> {
  const entries = [...named.entries()];
  const header = encodeHeader(entries.map(([name, t]) => ({ name, shape: t.shape })));
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield header;
    for (const [, t] of entries) {
      const d = t instanceof tf.Tensor ? ((await t.data()) as Float32Array) : t.data;
      yield new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    }
  }
  await sink.writeChunks(file, chunks());
}

/** Read every tensor of one safetensors file as float32. */
export async function readTensors(
  src: ModelSource,
  file: string,
): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const f = await src.open(file);
  const where = `${src.location}/${file}`;
  const n = headerLength(await f.read(0, Math.min(8, f.size)), f.size, where);
  const header = parseHeader(await f.read(8, n), f.size, where);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, e] of header.entries)
    out.set(name, { shape: e.shape, data: decodeToFloat32(await f.read(e.begin, e.end - e.begin), e.dtype) });
  return out;
}
