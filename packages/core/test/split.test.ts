// Parameters split to fit a small binding limit (embedding/LM head by vocabulary ranges, linear
// weights by output columns, logits in row and vocabulary chunks) compute what the unsplit model
// does: logits and every gradient element-wise, full fine-tuning and LoRA, on each backend; so do
// attention and MLP computed in blocks. On
// WebGPU the limit comes from the device (lowered through the backend options), elsewhere it is forced.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  attachLora,
  hfTensors,
  joinedValues,
  joinParamPieces,
  loadModel,
  maxBindingBytes,
  memorySink,
  memorySource,
  paramSpecs,
  saveModel,
  selectedLogprobs,
  setMaxBindingBytes,
  splitParamPieces,
  toHfLayout,
  useBackend,
  type Qwen2Model,
} from '@warmup/core';
import { folderSource, installNodeWebgpu } from '@warmup/node';
import { FIXTURE, expected, maxAbsDiff, PARITY_BACKENDS } from './helpers.ts';

/** Small enough to split the fixture's embedding (256 x 64 floats = 64 KiB) into 6 uneven row
 *  pieces, gate_up into 8 column pieces and qkv into 3; the logits into 11-row chunks. */
const LIMIT = 12_000;

const input = {
  inputIds: expected.forward.right_padded.input_ids as number[][],
  attentionMask: expected.forward.right_padded.attention_mask as number[][],
};
// Every real position but the last of each row, scored against the next token.
const sel = { rows: [] as number[], cols: [] as number[], targets: [] as number[] };
input.inputIds.forEach((row, b) => {
  for (let t = 0; t + 1 < row.length && input.attentionMask[b][t + 1]; t++) {
    sel.rows.push(b);
    sel.cols.push(t);
    sel.targets.push(row[t + 1]);
  }
});

async function logits(m: Qwen2Model): Promise<Float32Array> {
  const t = tf.tidy(() => m.logits(m.forward(input).hidden));
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

/** Loss and the gradient of every trainable HF tensor (pieces joined, in HF layout). */
async function lossAndGrads(m: Qwen2Model): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const vars = [...m.trainableParams().values()];
  const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(selectedLogprobs(m, input, sel))) as tf.Scalar, vars);
  const byName = new Map([...m.trainableParams()].map(([name, v]) => [name, grads[v.name]]));
  const out = new Map<string, Float32Array>();
  if (m.lora) {
    for (const [name, g] of byName) out.set(name, Float32Array.from((await g.data()) as Float32Array));
  } else {
    for (const spec of paramSpecs(m.config)) {
      const joined = await joinedValues(spec, (n) => byName.get(n));
      if (joined) out.set(spec.name, toHfLayout(spec, joined));
    }
  }
  const loss = (await value.data())[0];
  value.dispose();
  tf.dispose(Object.values(grads));
  return { loss, grads: out };
}

function worstGradDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  return Math.max(...[...a].map(([name, g]) => maxAbsDiff(g, b.get(name)!)));
}

for (const be of PARITY_BACKENDS) {
  describe(`split parameters on ${be}`, () => {
    let whole: Qwen2Model;
    let split: Qwen2Model;
    beforeAll(async () => {
      if (be === 'webgpu') {
        if (!(await installNodeWebgpu())) throw new Error('webgpu: the "webgpu" package could not start');
        await useBackend('webgpu', { maxBindingBytes: LIMIT });
      } else {
        await useBackend(be);
        setMaxBindingBytes(LIMIT);
      }
      expect(maxBindingBytes()).toBe(LIMIT);
      whole = await loadModel(folderSource(FIXTURE), { maxBindingBytes: Infinity });
      split = await loadModel(folderSource(FIXTURE)); // the backend's limit
    });
    afterAll(() => {
      whole?.dispose();
      split?.dispose();
      setMaxBindingBytes(undefined);
    });

    it('splits what exceeds the limit, and nothing stays above it', () => {
      expect(whole.params.has('model.embed_tokens.weight')).toBe(true);
      expect(split.parts('model.embed_tokens.weight').length).toBe(6);
      expect(split.parts('model.layers.0.mlp.gate_up_proj.weight').length).toBe(8);
      expect(split.parts('model.layers.1.self_attn.qkv_proj.weight').length).toBe(3);
      for (const v of split.params.values()) expect(v.size * 4).toBeLessThanOrEqual(LIMIT);
    });

    it('gives the same logits as the unsplit model', async () => {
      const a = await logits(whole);
      const b = await logits(split);
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    });

    it('gives the same loss and gradients (full fine-tuning), without leaking tensors', async () => {
      const a = await lossAndGrads(whole);
      const before = tf.memory().numTensors;
      const b = await lossAndGrads(split);
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      expect(a.grads.has('model.embed_tokens.weight')).toBe(true);
      expect(worstGradDiff(a.grads, b.grads)).toBeLessThan(1e-5);
      await lossAndGrads(split);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('computes attention scores and MLP activations in blocks when they pass the limit', async () => {
      const a = await logits(whole);
      const ga = await lossAndGrads(whole);
      // 1 KiB: one row of scores (4 heads x T x T floats) no longer fits, nor 2 rows of [2I].
      setMaxBindingBytes(1024);
      try {
        expect(maxAbsDiff(a, await logits(whole))).toBeLessThan(1e-5);
        const gb = await lossAndGrads(whole);
        expect(Math.abs(ga.loss - gb.loss)).toBeLessThan(1e-5);
        expect(worstGradDiff(ga.grads, gb.grads)).toBeLessThan(1e-5);
      } finally {
        setMaxBindingBytes(be === 'webgpu' ? undefined : LIMIT);
      }
    });

    it('gives the same LoRA gradients over a frozen split base', async () => {
      for (const m of [whole, split]) {
        attachLora(m, { rank: 2, seed: 1 });
        for (const [name, v] of m.lora!.params)
          if (name.endsWith('lora_B')) v.assign(tf.tidy(() => tf.mul(tf.ones(v.shape), 0.01)));
      }
      const a = await lossAndGrads(whole);
      const b = await lossAndGrads(split);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      expect(worstGradDiff(a.grads, b.grads)).toBeLessThan(1e-5);
    });

    it('joins per-parameter tensors (optimizer moments) by name and cuts them again', async () => {
      const joined = await joinParamPieces(split, split.params as Map<string, tf.Tensor>);
      expect([...joined.keys()].some((n) => n.includes('#'))).toBe(false);
      const emb = joined.get('model.embed_tokens.weight') as { shape: number[]; data: Float32Array };
      expect(emb.shape).toEqual([256, 64]);
      expect(maxAbsDiff(emb.data, (await whole.p('model.embed_tokens.weight').data()) as Float32Array)).toBe(0);
      const gu = 'model.layers.0.mlp.gate_up_proj.weight';
      const back = splitParamPieces(split, gu, joined.get(gu) as { shape: number[]; data: Float32Array });
      expect(back.map(([n]) => n)).toEqual(split.parts(gu).map((_, k) => `${gu}#${k}`));
      for (const [k, [, piece]] of back.entries()) {
        expect(piece.shape).toEqual(split.parts(gu)[k].shape);
        expect(maxAbsDiff(piece.data, (await split.parts(gu)[k].data()) as Float32Array)).toBe(0);
      }
    });

    it('saves under Hugging Face names, joined', async () => {
      const names: string[] = [];
      for await (const t of hfTensors(split)) names.push(t.name);
      expect(names).toContain('model.embed_tokens.weight');
      expect(names.some((n) => n.includes('#'))).toBe(false);
      const sink = memorySink();
      await saveModel(split, sink);
      const back = await loadModel(memorySource(sink.files), { maxBindingBytes: Infinity });
      const emb = (await back.p('model.embed_tokens.weight').data()) as Float32Array;
      const ref = (await whole.p('model.embed_tokens.weight').data()) as Float32Array;
      back.dispose();
      expect(maxAbsDiff(emb, ref)).toBe(0);
    });
  });
}
