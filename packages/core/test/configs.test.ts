// Other Qwen2 configs than the fixture (untied head, MHA/GQA/MQA, explicit head_dim, rope_theta,
// eps) stored as float32, sharded float16 and bfloat16, checked against the float64 reference;
// plus the save -> load round trip.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, memorySink, memorySource, readTensors, saveModel, type Qwen2Model } from '@warmup/core';
import { folderSource } from '@warmup/node';
import { FIXTURE, expected, backend, maxAbsDiff } from './helpers.ts';
import { refConfig, refForward } from './reference.ts';
import {
  bf16Bits,
  bf16Value,
  f16Bits,
  f16Value,
  hfShapes,
  leftPadded,
  randomWeights,
  rawConfig,
  readHeader,
  writeCheckpoint,
  type ConfigSpec,
  type Dtype,
} from './ckpt.ts';

const SPECS: (ConfigSpec & { label: string })[] = [
  {
    label: 'tied, MHA, 1 layer',
    vocab: 64,
    hidden: 32,
    inter: 48,
    layers: 1,
    heads: 4,
    kvHeads: 4,
    theta: 10000,
    eps: 1e-6,
    tied: true,
  },
  {
    label: 'untied, GQA 2:1, head_dim 16 != hidden/heads, theta 1e6, eps 1e-5',
    vocab: 300,
    hidden: 48,
    inter: 80,
    layers: 2,
    heads: 6,
    kvHeads: 3,
    headDim: 16,
    theta: 1e6,
    eps: 1e-5,
    tied: false,
  },
  {
    label: 'tied, MQA, explicit head_dim = hidden/heads, 3 layers',
    vocab: 150,
    hidden: 32,
    inter: 64,
    layers: 3,
    heads: 4,
    kvHeads: 1,
    headDim: 8,
    theta: 1e6,
    eps: 1e-6,
    tied: true,
  },
  {
    label: 'untied, MQA 8:1',
    vocab: 97,
    hidden: 64,
    inter: 96,
    layers: 2,
    heads: 8,
    kvHeads: 1,
    theta: 10000,
    eps: 1e-5,
    tied: false,
  },
];
const FORMATS: { label: string; dtype: Dtype; shards: number }[] = [
  { label: 'float32, one file', dtype: 'F32', shards: 1 },
  { label: 'float16, 3 shards + index.json', dtype: 'F16', shards: 3 },
  { label: 'bfloat16, one file', dtype: 'BF16', shards: 1 },
];
const LENGTHS = [8, 5, 1];

const cases = SPECS.map((spec, i) => {
  const raw = rawConfig(spec);
  const weights = randomWeights(raw, 100 + i);
  const batch = leftPadded(spec.vocab, LENGTHS, 200 + i);
  return { spec, raw, weights, batch };
});

/** Logits [B][T][V] of a left-padded batch, positions derived from the mask. */
async function batchLogits(m: Qwen2Model, ids: number[][], mask: number[][]): Promise<number[][][]> {
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => m.logits(m.forward({ inputIds: ids, attentionMask: mask }).hidden));
  const data = (await out.array()) as number[][][];
  out.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

/** Worst |model - reference| over every real position of the batch. */
function worstError(logits: number[][][], ref: Float64Array[][], lengths: number[]): number {
  const L = Math.max(...lengths);
  let worst = 0;
  lengths.forEach((n, b) => {
    for (let k = 0; k < n; k++) worst = Math.max(worst, maxAbsDiff(logits[b][L - n + k], ref[b][k]));
  });
  return worst;
}

describe('float64 reference and test encoders', () => {
  it('the reference reproduces the fixture golden logits', async () => {
    const raw = JSON.parse((await folderSource(FIXTURE).readText('config.json')) as string);
    const t = await readTensors(folderSource(FIXTURE), 'model.safetensors');
    const w = new Map([...t].map(([n, v]) => [n, Float64Array.from(v.data)]));
    const c = expected.forward.left_padded;
    c.real_positions.forEach((cols: number[], b: number) => {
      const ids = cols.map((col) => c.input_ids[b][col] as number);
      const ref = refForward(refConfig(raw), w, ids);
      // Golden logits are rounded to 6 significant digits.
      ref.forEach((row, k) => expect(maxAbsDiff(row, c.logits[b][k])).toBeLessThan(2e-5));
    });
  });

  it('f16 and bf16 encoders round to nearest even and invert the decoders', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const v = f16Value(h);
      if (!Number.isNaN(v) && f16Bits(v) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
    expect(f16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even mantissa 0
    expect(f16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even mantissa 2
    expect(f16Bits(65520)).toBe(0x7c00); // rounds past the largest half to infinity
    expect(f16Bits(2 ** -25 * 3)).toBe(0x0002); // subnormal tie 1.5 -> 2
    expect(bf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(bf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(bf16Value(bf16Bits(-2.5))).toBe(-2.5);
  });
});

for (const be of ['cpu', 'wasm'] as const) {
  describe(`other configs on ${be}`, () => {
    beforeAll(async () => {
      await backend(be);
    });

    for (const { spec, raw, weights, batch } of cases) {
      it(`${spec.label}: every storage format matches the float64 reference to 1e-4`, async () => {
        for (const fmt of FORMATS) {
          const ck = writeCheckpoint(raw, weights, fmt.dtype, fmt.shards);
          const ref = batch.real.map((ids) => refForward(refConfig(raw), ck.stored, ids));
          const m = await loadModel(memorySource(ck.files, `mem-${fmt.dtype}`));
          try {
            const err = worstError(await batchLogits(m, batch.ids, batch.mask), ref, LENGTHS);
            expect(err, `${fmt.label}`).toBeLessThanOrEqual(1e-4);
          } finally {
            m.dispose();
          }
        }
      });
    }

    it('save -> load round trip gives HF float32 tensors and identical logits', async () => {
      for (const { raw, weights, batch } of [cases[1], cases[2]]) {
        const ck = writeCheckpoint(raw, weights, 'F32');
        const m = await loadModel(memorySource(ck.files));
        const sink = memorySink();
        await saveModel(m, sink);
        const file = sink.files.get('model.safetensors');
        expect(file).toBeInstanceOf(Uint8Array);
        const { header, data } = readHeader(file as Uint8Array);
        const names = Object.keys(header).filter((n) => n !== '__metadata__');
        expect(names.sort()).toEqual(
          hfShapes(raw)
            .map(([n]) => n)
            .sort(),
        );
        for (const [name, shape] of hfShapes(raw)) {
          const e = header[name];
          expect(e.dtype).toBe('F32');
          expect(e.shape).toEqual(shape);
          const bytes = data.slice(e.data_offsets[0], e.data_offsets[1]);
          expect(Float64Array.from(new Float32Array(bytes.buffer))).toEqual(ck.stored.get(name));
        }
        const savedCfg = JSON.parse(sink.files.get('config.json') as string);
        for (const k of ['head_dim', 'num_key_value_heads', 'rope_theta', 'rms_norm_eps', 'tie_word_embeddings'])
          expect(savedCfg[k]).toEqual(raw[k]);

        const m2 = await loadModel(memorySource(sink.files));
        const a = await batchLogits(m, batch.ids, batch.mask);
        const b = await batchLogits(m2, batch.ids, batch.mask);
        expect(b).toEqual(a);
        m.dispose();
        m2.dispose();
      }
    });
  });
}
