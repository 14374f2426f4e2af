// LoRA adapters on the qwen2-tiny fixture: B = 0 leaves the logits unchanged, the adapted forward
// equals a model whose weights were merged by hand (and by mergeLora), gradients with a frozen
// base equal those of the unfrozen path, and PEFT-format save/load round-trips.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  attachLora,
  detachLora,
  loadLora,
  loadModel,
  mergeLora,
  memorySink,
  memorySource,
  readTensors,
  saveLora,
  tokenLogprobs,
  type LoraTarget,
  type Qwen2Model,
} from '@warmup/core';
import { folderSource } from '@warmup/node';
import { FIXTURE, expected, backend, maxAbsDiff } from './helpers.ts';

const input = {
  inputIds: expected.forward.right_padded.input_ids as number[][],
  attentionMask: expected.forward.right_padded.attention_mask as number[][],
};

async function logits(m: Qwen2Model): Promise<Float32Array> {
  const t = tf.tidy(() => m.logits(m.forward(input).hidden));
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

/** Deterministic pseudo-random values (independent of the library's Rng). */
function noise(n: number, seed: number, amp: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648 - 0.5) * 2 * amp;
  }
  return out;
}

/** Give every B random values so the adapters change the outputs. */
function randomiseB(m: Qwen2Model, amp = 0.05): void {
  let k = 1;
  for (const [name, v] of m.lora!.params) {
    if (name.endsWith('lora_B')) v.assign(tf.tensor(noise(v.size, k++, amp), v.shape));
  }
}

/** Columns of each HF projection inside its fused [in, out] weight, from the config alone. */
function columns(m: Qwen2Model): Record<LoraTarget, { weight: string; start: number; size: number }> {
  const c = m.config;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const I = c.intermediateSize;
  return {
    q_proj: { weight: 'self_attn.qkv_proj.weight', start: 0, size: q },
    k_proj: { weight: 'self_attn.qkv_proj.weight', start: q, size: kv },
    v_proj: { weight: 'self_attn.qkv_proj.weight', start: q + kv, size: kv },
    o_proj: { weight: 'self_attn.o_proj.weight', start: 0, size: c.hiddenSize },
    gate_proj: { weight: 'mlp.gate_up_proj.weight', start: 0, size: I },
    up_proj: { weight: 'mlp.gate_up_proj.weight', start: I, size: I },
    down_proj: { weight: 'mlp.down_proj.weight', start: 0, size: c.hiddenSize },
  };
}

const MODULE: Record<LoraTarget, string> = {
  q_proj: 'self_attn.q_proj',
  k_proj: 'self_attn.k_proj',
  v_proj: 'self_attn.v_proj',
  o_proj: 'self_attn.o_proj',
  gate_proj: 'mlp.gate_proj',
  up_proj: 'mlp.up_proj',
  down_proj: 'mlp.down_proj',
};

/** W[:, start:start+size] += scale * A @ B on the host, into `target`'s parameters. */
async function mergeByHand(src: Qwen2Model, target: Qwen2Model, targets: LoraTarget[]): Promise<void> {
  const cols = columns(src);
  const scale = src.lora!.config.alpha / src.lora!.config.rank;
  const r = src.lora!.config.rank;
  for (let layer = 0; layer < src.config.numLayers; layer++) {
    for (const t of targets) {
      const A = (await src.lora!.params.get(`model.layers.${layer}.${MODULE[t]}.lora_A`)!.data()) as Float32Array;
      const B = (await src.lora!.params.get(`model.layers.${layer}.${MODULE[t]}.lora_B`)!.data()) as Float32Array;
      const w = target.p(`model.layers.${layer}.${cols[t].weight}`);
      const [inDim, outDim] = w.shape;
      const W = Float32Array.from((await w.data()) as Float32Array);
      const { start, size } = cols[t];
      for (let i = 0; i < inDim; i++) {
        for (let j = 0; j < size; j++) {
          let s = 0;
          for (let k = 0; k < r; k++) s += A[i * r + k] * B[k * size + j];
          W[i * outDim + start + j] += scale * s;
        }
      }
      w.assign(tf.tensor(W, w.shape));
    }
  }
}

for (const be of ['cpu', 'wasm'] as const) {
  describe(`LoRA on ${be}`, () => {
    let base: Float32Array;
    beforeAll(async () => {
      await backend(be);
      const m = await loadModel(folderSource(FIXTURE));
      base = await logits(m);
      m.dispose();
    });

    it("with B = 0 the logits equal the base model's exactly, and the base is frozen", async () => {
      const m = await loadModel(folderSource(FIXTURE));
      const lora = attachLora(m, { rank: 4, seed: 3 });
      expect(m.trainableParams()).toBe(lora.params);
      // 7 projections x 2 layers x (A, B).
      expect(lora.params.size).toBe(7 * 2 * 2);
      expect([...m.params.values()].every((v) => !v.trainable)).toBe(true);
      expect(maxAbsDiff(await logits(m), base)).toBe(0);
      detachLora(m);
      expect(m.trainableParams()).toBe(m.params);
      expect([...m.params.values()].every((v) => v.trainable)).toBe(true);
      m.dispose();
    });

    for (const targets of [undefined, ['k_proj', 'o_proj', 'up_proj'] as LoraTarget[]]) {
      const label = targets ? targets.join(',') : 'every projection';
      it(`adapted forward = hand-merged weights = mergeLora, to 1e-5 (${label})`, async () => {
        const m = await loadModel(folderSource(FIXTURE));
        attachLora(m, { rank: 3, alpha: 5, targets, seed: 7 });
        randomiseB(m);
        const adapted = await logits(m);
        expect(maxAbsDiff(adapted, base)).toBeGreaterThan(1e-3); // the adapters do something

        const byHand = await loadModel(folderSource(FIXTURE));
        await mergeByHand(
          m,
          byHand,
          targets ?? ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
        );
        expect(maxAbsDiff(adapted, await logits(byHand))).toBeLessThan(1e-5);

        const before = tf.memory().numTensors;
        const nAdapters = m.lora!.params.size;
        mergeLora(m);
        expect(m.lora).toBeUndefined();
        // The adapters (and any cached factors) are gone; nothing new was left behind.
        expect(tf.memory().numTensors).toBeLessThanOrEqual(before - nAdapters);
        expect(maxAbsDiff(adapted, await logits(m))).toBeLessThan(1e-5);
        for (const [name, v] of m.params) {
          expect(
            maxAbsDiff((await v.data()) as Float32Array, (await byHand.p(name).data()) as Float32Array),
            name,
          ).toBeLessThan(1e-6);
        }
        m.dispose();
        byHand.dispose();
      });
    }

    it('adapter gradients with a frozen base equal those of the unfrozen path', async () => {
      const m = await loadModel(folderSource(FIXTURE));
      attachLora(m, { rank: 2, seed: 1 });
      randomiseB(m, 0.1);
      const targets = input.inputIds.flatMap((row) => row.slice(1).concat([0]));
      const loss = (): tf.Scalar =>
        tf.neg(
          tf.mean(
            tokenLogprobs(
              tf.reshape(m.forward(input).hidden, [-1, m.config.hiddenSize]) as tf.Tensor2D,
              m.lmHead as unknown as tf.Tensor2D,
              targets,
            ),
          ),
        ) as tf.Scalar;
      const vars = [...m.lora!.params.values()];
      const grads = async (): Promise<Float32Array[]> => {
        const { value, grads: g } = tf.variableGrads(loss, vars);
        value.dispose();
        const out = await Promise.all(
          vars.map(async (v) => Float32Array.from((await g[v.name].data()) as Float32Array)),
        );
        Object.values(g).forEach((t) => t.dispose());
        return out;
      };
      const matmuls = async (): Promise<number> => {
        const info = await tf.profile(async () => {
          const { value, grads: g } = tf.variableGrads(loss, vars);
          value.dispose();
          Object.values(g).forEach((t) => t.dispose());
        });
        return info.kernels.filter((k) => k.name === 'BatchMatMul').length;
      };
      const frozen = await grads();
      const frozenMatmuls = await matmuls();
      for (const v of m.params.values()) v.trainable = true; // the ordinary (weight-gradient) path
      const full = await grads();
      frozen.forEach((g, i) => expect(maxAbsDiff(g, full[i])).toBeLessThan(1e-6));
      // Unfrozen, every base matmul on the gradient's path also computes its weight gradient: 4 per
      // layer plus the LM head, minus layer 0's qkv (its input depends on no adapter, so the tape
      // prunes it either way).
      expect(await matmuls()).toBe(frozenMatmuls + 4 * m.config.numLayers);
      expect(frozen.some((g) => g.some((x) => x !== 0))).toBe(true);
      m.dispose();
    });

    it('dropout acts only in training mode', async () => {
      const m = await loadModel(folderSource(FIXTURE));
      attachLora(m, { rank: 4, dropout: 0.5, seed: 2 });
      randomiseB(m);
      const evalA = await logits(m);
      expect(maxAbsDiff(evalA, await logits(m))).toBe(0);
      m.training = true;
      const trainA = await logits(m);
      m.training = false;
      expect(maxAbsDiff(trainA, evalA)).toBeGreaterThan(1e-4);
      m.dispose();
    });

    it('saves a PEFT adapter ([r, in] / [out, r] tensors) that loads back to the same outputs', async () => {
      const m = await loadModel(folderSource(FIXTURE));
      attachLora(m, { rank: 4, alpha: 16, targets: ['q_proj', 'v_proj', 'down_proj'], seed: 5 });
      randomiseB(m);
      const want = await logits(m);
      const sink = memorySink();
      await saveLora(m, sink);
      const src = memorySource(sink.files);
      const cfg = JSON.parse(await src.readText('adapter_config.json'));
      expect(cfg).toMatchObject({
        peft_type: 'LORA',
        r: 4,
        lora_alpha: 16,
        target_modules: ['q_proj', 'v_proj', 'down_proj'],
      });
      const t = await readTensors(src, 'adapter_model.safetensors');
      const D = m.config.hiddenSize;
      const kv = m.config.numKvHeads * m.config.headDim;
      expect(t.get('base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight')!.shape).toEqual([4, D]);
      expect(t.get('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight')!.shape).toEqual([kv, 4]);
      expect(t.get('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight')!.shape).toEqual([
        4,
        m.config.intermediateSize,
      ]);
      expect(t.size).toBe(3 * 2 * 2);
      // HF orientation: lora_A.weight is the transpose of the stored [in, r] A.
      const a = (await m.lora!.params.get('model.layers.1.self_attn.q_proj.lora_A')!.data()) as Float32Array;
      const aT = t.get('base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight')!.data;
      expect(aT[1 * D + 2]).toBe(a[2 * 4 + 1]);

      const fresh = await loadModel(folderSource(FIXTURE));
      await loadLora(src, fresh);
      expect(fresh.lora!.config).toEqual(m.lora!.config);
      expect(maxAbsDiff(await logits(fresh), want)).toBe(0);
      m.dispose();
      fresh.dispose();
    });

    it('rejects bad settings', async () => {
      const m = await loadModel(folderSource(FIXTURE));
      expect(() => attachLora(m, { rank: 0 })).toThrow(/rank/);
      expect(() => attachLora(m, { rank: 2, dropout: 1 })).toThrow(/dropout/);
      expect(() => attachLora(m, { rank: 2, targets: ['qkv_proj' as LoraTarget] })).toThrow(
        /unknown LoRA target "qkv_proj"/,
      );
      expect(m.lora).toBeUndefined();
      attachLora(m, { rank: 2 });
      expect(() => attachLora(m, { rank: 2 })).toThrow(/already/);
      m.dispose();
    });
  });
}
