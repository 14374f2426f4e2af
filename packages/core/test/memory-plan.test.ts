// The memory plan against reality: LoRA parameter counts match attached adapters, the prefill
// estimate is close to TF.js's measured peak, and checkFit refuses with advice that does fit.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  attachLora,
  checkFit,
  formatPlan,
  initModel,
  loraParamCounts,
  parseConfig,
  planMemory,
  setFusedOps,
  WASM_HEAP_CAP,
} from '@warmup/core';
import { backend } from './helpers.ts';
import { rawConfig } from './ckpt.ts';

const SMALL = parseConfig(
  rawConfig({ vocab: 512, hidden: 64, inter: 176, layers: 2, heads: 4, kvHeads: 2, theta: 1e4, eps: 1e-6, tied: true }),
);
// Qwen2.5-0.5B's shape (494,032,768 parameters).
const Q05 = parseConfig({
  ...rawConfig({
    vocab: 151936,
    hidden: 896,
    inter: 4864,
    layers: 24,
    heads: 14,
    kvHeads: 2,
    theta: 1e6,
    eps: 1e-6,
    tied: true,
  }),
  max_position_embeddings: 32768,
});

describe('memory plan', () => {
  beforeAll(() => backend('cpu'));

  it('counts LoRA parameters as attachLora creates them', () => {
    const model = initModel(SMALL, 0);
    try {
      attachLora(model, { rank: 4, alpha: 8, dropout: 0, seed: 0, targets: ['q_proj', 'v_proj', 'down_proj'] });
      const plan = planMemory({
        config: SMALL,
        backend: 'cpu',
        command: 'sft',
        loraRank: 4,
        loraTargets: ['q_proj', 'v_proj', 'down_proj'],
      });
      expect(plan.trainable).toBe(loraParamCounts(model).adapter);
      expect(planMemory({ config: SMALL, backend: 'cpu', command: 'sft' }).trainable).toBe(plan.parameters);
    } finally {
      model.dispose();
    }
  });

  it.each([
    ['fused', true],
    ['unfused', false],
  ])("estimates a prefill's tensors within 25 per cent of TF.js's measured peak (%s attention)", async (_, fused) => {
    setFusedOps(fused);
    const model = initModel(SMALL, 0);
    try {
      const B = 2;
      const T = 48;
      const ids = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 7 + t) % 512));
      const before = tf.memory().numBytes;
      const info = await tf.profile(() => {
        tf.tidy(() => {
          const { hidden } = model.forward({ inputIds: ids });
          return model.logits(tf.slice(hidden, [0, T - 1, 0], [B, 1, -1]));
        }).dispose();
      });
      const measured = info.peakBytes - before;
      const plan = planMemory({
        config: SMALL,
        backend: 'cpu',
        command: 'generate',
        genRows: B,
        promptLen: T,
        newTokens: 0,
      });
      const estimate = plan.items.find((i) => i.name === 'prefill activations')!.bytes;
      expect(estimate / measured).toBeGreaterThan(0.75);
      expect(estimate / measured).toBeLessThan(1.25);
    } finally {
      setFusedOps(true);
      model.dispose();
    }
  });

  it('refuses a 0.5B model on the wasm heap and names settings and backends that fit', () => {
    const gen = planMemory({
      config: Q05,
      backend: 'wasm',
      command: 'generate',
      genRows: 1,
      promptLen: 16,
      newTokens: 16,
    });
    expect(gen.parameters).toBe(494_032_768);
    // f32 weights, the head's transposed copy and XNNPACK's packed duplicates exceed 4 GiB.
    expect(gen.total).toBeGreaterThan(WASM_HEAP_CAP);
    const cpu = { backend: 'cpu' as const, bytes: 16 * 2 ** 30, source: 'test' };
    const fit = checkFit(gen, { backend: 'wasm', bytes: WASM_HEAP_CAP, source: 'wasm heap cap' }, [cpu]);
    expect(fit.fits).toBe(false);
    expect(fit.message).toMatch(/needs about 4\.\d\d GiB but 4\.00 GiB is available/);
    expect(fit.message).toMatch(/would fit: --backend cpu/);
    // A big batch on a small model: the advice is a smaller batch, and that advice really fits.
    const sft = planMemory({ config: SMALL, backend: 'wasm', command: 'sft', batchSize: 64, seqLen: 2048 });
    const cap = { backend: 'wasm' as const, bytes: sft.total / 2, source: 'test' };
    const r = checkFit(sft, cap);
    const advised = Number(/--batch-size (\d+)/.exec(r.message ?? '')?.[1]);
    expect(advised).toBeGreaterThanOrEqual(1);
    expect(advised).toBeLessThan(64);
    expect(planMemory({ ...sft.input, batchSize: advised }).total).toBeLessThan(cap.bytes);
    expect(formatPlan(sft, cap)).toMatch(/does NOT fit/);
  });

  it("advises GRPO in grpo's own flags, each with the largest value that fits", () => {
    // kk-tiny's shape with the paper's GRPO settings (10 prompts × G 10, 256 + 1,024 tokens) and a
    // micro-batch of 32: the paper's 8 fits since wasm's fused attention keeps one softmax, not three.
    const kk = parseConfig(
      rawConfig({
        vocab: 1152,
        hidden: 64,
        inter: 176,
        layers: 2,
        heads: 4,
        kvHeads: 2,
        theta: 1e4,
        eps: 1e-6,
        tied: true,
      }),
    );
    const input = {
      config: kk,
      backend: 'wasm' as const,
      command: 'grpo' as const,
      batchSize: 32,
      seqLen: 256 + 1024,
      genRows: 100,
      numGenerations: 10,
      promptLen: 256,
      newTokens: 1024,
    };
    const cap = { backend: 'wasm' as const, bytes: WASM_HEAP_CAP, source: 'wasm heap cap' };
    const fit = checkFit(planMemory(input), cap);
    expect(fit.fits).toBe(false);
    const msg = fit.message ?? '';
    expect(msg).not.toMatch(/--batch-size|--max-seq-len/);
    const mb = Number(msg.match(/--micro-batch (\d+)/)?.[1]);
    const len = Number(msg.match(/--max-completion-length (\d+)/)?.[1]);
    expect(mb).toBeGreaterThanOrEqual(1);
    expect(len).toBeGreaterThanOrEqual(16);
    const total = (p: object): number => planMemory({ ...input, ...p }).total;
    expect(total({ batchSize: mb })).toBeLessThanOrEqual(cap.bytes);
    expect(total({ batchSize: mb + 1 })).toBeGreaterThan(cap.bytes);
    expect(total({ seqLen: 256 + len, newTokens: len })).toBeLessThanOrEqual(cap.bytes);
    expect(total({ seqLen: 256 + len + 16, newTokens: len + 16 })).toBeGreaterThan(cap.bytes);
    // SFT keeps its own flags.
    const sft = checkFit(planMemory({ config: kk, backend: 'wasm', command: 'sft', batchSize: 64, seqLen: 2048 }), cap);
    expect(sft.message).toMatch(/--batch-size \d+/);
    expect(sft.message).not.toMatch(/--micro-batch|--max-completion-length/);
  });
});
