// warmup init's writer: a random checkpoint loads back with the right shapes and values (norms 1,
// biases 0, matrices normal(0, std)); BF16/F16 encoding rounds correctly; shards get an index.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeToFloat32,
  encodeFromFloat32,
  loadModel,
  memorySink,
  memorySource,
  parseConfig,
  withLoadProgress,
  writeRandomCheckpoint,
} from '@warmup/core';
import { backend } from './helpers.ts';
import { rawConfig } from './ckpt.ts';

const CONFIG = parseConfig(
  rawConfig({ vocab: 64, hidden: 16, inter: 24, layers: 2, heads: 4, kvHeads: 2, theta: 1e4, eps: 1e-6, tied: true }),
);

describe('random checkpoint', () => {
  beforeAll(() => backend('cpu'));

  it('rounds float32 to BF16 (nearest, ties to even) and F16, decoding back exactly', () => {
    const x = new Float32Array([1, -2.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 65504, 2 ** -24, 0.1, Number.NaN]);
    const bf = decodeToFloat32(encodeFromFloat32(x, 'BF16'), 'BF16');
    // 1 + 2^-8 is a tie between 1 and 1 + 2^-7: even mantissa -> 1; 1 + 3·2^-8 -> 1 + 2^-6.
    expect(Array.from(bf.slice(0, 4))).toEqual([1, -2.5, 1, 1 + 2 ** -6]);
    expect(Number.isNaN(bf[7])).toBe(true);
    const h = decodeToFloat32(encodeFromFloat32(x, 'F16'), 'F16');
    expect(Array.from(h.slice(0, 2))).toEqual([1, -2.5]);
    expect(h[4]).toBe(65504); // largest half
    expect(h[5]).toBe(2 ** -24); // smallest subnormal half
    expect(Math.abs(h[6] - 0.1)).toBeLessThan(1e-4);
  });

  it('writes a checkpoint that loads, with norms 1, biases 0 and matrices of the given std', async () => {
    const sink = memorySink();
    const r = await writeRandomCheckpoint(CONFIG, sink, { dtype: 'F32', seed: 3, std: 0.5 });
    expect(r.shards).toEqual(['model.safetensors']);
    expect(JSON.parse(sink.files.get('config.json') as string).torch_dtype).toBe('float32');
    expect(JSON.parse(sink.files.get('generation_config.json') as string)).toHaveProperty('eos_token_id');
    const model = await loadModel(memorySource(sink.files));
    try {
      const norm = model.p('model.norm.weight').dataSync();
      expect(Array.from(norm).every((v) => v === 1)).toBe(true);
      const bias = model.p('model.layers.0.self_attn.qkv_proj.bias').dataSync();
      expect(Array.from(bias).every((v) => v === 0)).toBe(true);
      const emb = model.p('model.embed_tokens.weight').dataSync() as Float32Array;
      const mean = emb.reduce((a, b) => a + b, 0) / emb.length;
      const std = Math.sqrt(emb.reduce((a, b) => a + (b - mean) ** 2, 0) / emb.length);
      expect(Math.abs(mean)).toBeLessThan(0.05);
      expect(std).toBeGreaterThan(0.45);
      expect(std).toBeLessThan(0.55);
    } finally {
      model.dispose();
    }
  });

  it('shards with an index when a shard would exceed the limit; BF16 holds the F32 values rounded', async () => {
    const f32 = memorySink();
    await writeRandomCheckpoint(CONFIG, f32, { dtype: 'F32', seed: 7 });
    const bf = memorySink();
    const progress: number[] = [];
    const r = await writeRandomCheckpoint(CONFIG, bf, {
      dtype: 'BF16',
      seed: 7,
      maxShardBytes: 4096,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(r.shards.length).toBeGreaterThan(1);
    expect(r.shards[0]).toBe(`model-00001-of-${String(r.shards.length).padStart(5, '0')}.safetensors`);
    expect(progress.at(-1)).toBe(1);
    const index = JSON.parse(bf.files.get('model.safetensors.index.json') as string);
    expect(index.metadata.total_size).toBe(r.bytes);
    expect(new Set(Object.values(index.weight_map))).toEqual(new Set(r.shards));
    const a = await loadModel(memorySource(f32.files));
    const b = await loadModel(memorySource(bf.files));
    try {
      const wa = a.p('model.layers.1.mlp.down_proj.weight').dataSync() as Float32Array;
      const wb = b.p('model.layers.1.mlp.down_proj.weight').dataSync();
      const rounded = decodeToFloat32(encodeFromFloat32(wa.slice(), 'BF16'), 'BF16');
      expect(Array.from(wb)).toEqual(Array.from(rounded));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('reports loading progress in bytes of the weight files, ending at the total', async () => {
    const sink = memorySink();
    const r = await writeRandomCheckpoint(CONFIG, sink, { dtype: 'BF16', maxShardBytes: 8192 });
    const sizes = r.shards.map((n) => (sink.files.get(n) as Uint8Array).length);
    const seen: [number, number][] = [];
    const model = await loadModel(withLoadProgress(memorySource(sink.files), (d, t) => seen.push([d, t])));
    model.dispose();
    const total = sizes.reduce((a, b) => a + b, 0);
    const last = seen.at(-1)!;
    expect(last[1]).toBe(total);
    // Every tensor byte is read once; headers make up the rest.
    expect(last[0]).toBeGreaterThanOrEqual(r.bytes);
    expect(last[0]).toBeLessThanOrEqual(total);
    expect(seen.every(([d], i) => i === 0 || d >= seen[i - 1][0])).toBe(true);
  });
});
