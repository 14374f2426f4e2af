// Packing changes the layout, not the maths: a packed batch gives the unpacked batch's loss and
// gradients, because attention stays inside each example and positions restart per example.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, Rng, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';
import { accumulateGrads, makePackedSftBatch, makeSftBatch, sftLoss, type SftExample } from '@warmup/train';

const FIXTURE = path.resolve(process.cwd(), 'fixtures/qwen2-tiny');

function examples(n: number, seed: number): SftExample[] {
  const rng = new Rng(seed);
  const ids = (k: number): number[] => Array.from({ length: k }, () => 3 + Math.floor(rng.next() * 250));
  return Array.from({ length: n }, () => ({
    promptIds: ids(2 + Math.floor(rng.next() * 6)),
    completionIds: [...ids(1 + Math.floor(rng.next() * 6)), 2],
  }));
}

describe('packed SFT batches', () => {
  let model: Qwen2Model;
  beforeAll(async () => {
    await useNodeBackend('cpu');
    model = await loadModel(folderSource(FIXTURE));
  });

  it('packs into fewer rows with every token kept once', () => {
    const ex = examples(7, 1);
    const packed = makePackedSftBatch(ex, 0, 24);
    const plain = makeSftBatch(ex, 0);
    expect(packed.inputIds.length).toBeLessThan(plain.inputIds.length);
    const count = (b: { attentionMask: number[][] }): number => b.attentionMask.flat().reduce((a, x) => a + x, 0);
    expect(count(packed)).toBe(count(plain));
    for (const row of packed.attentionMask) expect(row.reduce((a, x) => a + x, 0)).toBeLessThanOrEqual(24);
  });

  it('gives the same loss and gradients as the unpacked batch', async () => {
    const ex = examples(6, 2);
    const grads = async (b: ReturnType<typeof makeSftBatch>) => {
      const g = await accumulateGrads(model, () => sftLoss(model, b), 1);
      const out = new Map<string, Float32Array>();
      for (const [k, t] of g.grads) out.set(k, (await t.data()) as Float32Array);
      for (const t of g.grads.values()) t.dispose();
      return { loss: g.loss, grads: out };
    };
    const a = await grads(makeSftBatch(ex, 0));
    const b = await grads(makePackedSftBatch(ex, 0, 30));
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
    let worst = 0;
    for (const [k, ga] of a.grads) {
      const gb = b.grads.get(k)!;
      for (let i = 0; i < ga.length; i++) worst = Math.max(worst, Math.abs(ga[i] - gb[i]));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('differs from naive concatenation without segment ids (the mask matters)', () => {
    const ex = examples(4, 3);
    const packed = makePackedSftBatch(ex, 0, 40);
    const naive = { ...packed, segmentIds: undefined };
    const [l1, l2] = [packed, naive].map((b) => tf.tidy(() => sftLoss(model, b).dataSync()[0]));
    expect(Math.abs(l1 - l2)).toBeGreaterThan(1e-3);
  });
});
