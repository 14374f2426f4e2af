// `warmup sft --lora-rank`: the checkpoint holds the frozen base plus a PEFT adapter, final/ is a
// plain HF checkpoint with the adapters merged (same outputs as base + adapter), resuming needs
// the same LoRA settings, and bad LoRA flags fail with exit 2 before any model loads.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLora, loadModel, type Qwen2Model } from '@warmup/core';
import { folderSource, useNodeBackend } from '@warmup/node';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'warmup-lora-cli-'));
const data = path.join(tmp, 'kk.jsonl');
const run = (...a: string[]) => spawnSync('node', [BIN, ...a], { encoding: 'utf8', cwd: ROOT });
/** Like `run`, without blocking: independent refusals run side by side. */
const runAsync = (...a: string[]): Promise<{ status: number | null; stderr: string }> =>
  new Promise((resolve) =>
    execFile('node', [BIN, ...a], { encoding: 'utf8', cwd: ROOT }, (err, _stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
    ),
  );
const sftArgs = (out: string, ...extra: string[]): string[] => [
  'sft',
  '--model',
  'kk-tiny',
  '--data',
  data,
  '--out',
  out,
  '--backend',
  'wasm',
  '--seed',
  '2',
  '--batch-size',
  '4',
  '--lr',
  '1e-2',
  '--warmup-steps',
  '0',
  '--eval-every',
  '0',
  '--eval-fraction',
  '0',
  '--checkpoint-every',
  '2',
  ...extra,
];
const sft = (out: string, ...extra: string[]) => run(...sftArgs(out, ...extra));
const sftAsync = (out: string, ...extra: string[]) => runAsync(...sftArgs(out, ...extra));

function tensorNames(file: string): string[] {
  const buf = readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  return Object.keys(JSON.parse(buf.subarray(8, 8 + n).toString('utf8'))).filter((k) => k !== '__metadata__');
}

async function logits(m: Qwen2Model): Promise<Float32Array> {
  const t = tf.tidy(() => m.logits(m.forward({ inputIds: [[5, 17, 301, 42, 9, 77]] }).hidden));
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

describe('warmup sft --lora-rank', () => {
  beforeAll(async () => {
    expect(
      run(
        'kk',
        'generate',
        '--people',
        '2',
        '--count',
        '12',
        '--seed',
        '5',
        '--with-trace',
        '--style',
        'short',
        '--out',
        data,
      ).status,
    ).toBe(0);
    await useNodeBackend('wasm');
  });

  it('rejects bad LoRA flags with exit 2 and no run folder', async () => {
    const [r1, r2, r3] = await Promise.all([
      sftAsync(path.join(tmp, 'bad1'), '--lora-rank', '4', '--lora-targets', 'q_proj,qkv_proj'),
      sftAsync(path.join(tmp, 'bad2'), '--lora-rank', '4', '--lora-dropout', '1'),
      sftAsync(path.join(tmp, 'bad3'), '--lora-rank', '-1'),
    ]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/--lora-targets: unknown projection "qkv_proj"/);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/--lora-dropout/);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/--lora-rank/);
    expect(existsSync(path.join(tmp, 'bad1'))).toBe(false);
  });

  it('trains adapters, merges them into final/, and resumes only with the same settings', async () => {
    const out = path.join(tmp, 'run');
    const r = sft(out, '--max-steps', '3', '--lora-rank', '4', '--lora-targets', 'q_proj,v_proj,down_proj');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lora: rank 4, alpha 8 on q_proj,v_proj,down_proj: \d+ trainable parameters/);
    const ckpt = path.join(out, 'checkpoint');
    const final = path.join(out, 'final');
    expect(JSON.parse(readFileSync(path.join(ckpt, 'adapter_config.json'), 'utf8'))).toMatchObject({
      peft_type: 'LORA',
      r: 4,
      lora_alpha: 8,
      target_modules: ['q_proj', 'v_proj', 'down_proj'],
    });
    expect(tensorNames(path.join(ckpt, 'adapter_model.safetensors'))).toContain(
      'base_model.model.model.layers.1.mlp.down_proj.lora_B.weight',
    );
    expect(existsSync(path.join(final, 'adapter_config.json'))).toBe(false);
    expect(tensorNames(path.join(final, 'model.safetensors')).some((n) => n.includes('lora'))).toBe(false);

    // final/ = checkpoint base + adapter, merged; the untargeted weights are the base's.
    const merged = await loadModel(folderSource(final));
    const adapted = await loadModel(folderSource(ckpt));
    const base = await snapshotOf(adapted, [
      'model.layers.0.self_attn.qkv_proj.weight',
      'model.layers.0.mlp.gate_up_proj.weight',
      'model.norm.weight',
    ]);
    await loadLora(folderSource(ckpt), adapted);
    const a = await logits(adapted);
    const m = await logits(merged);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - m[i]));
    expect(diff).toBeLessThan(1e-5);
    const after = await snapshotOf(merged, [...base.keys()]);
    expect(
      changed(
        base.get('model.layers.0.self_attn.qkv_proj.weight')!,
        after.get('model.layers.0.self_attn.qkv_proj.weight')!,
      ),
    ).toBe(true);
    expect(
      changed(
        base.get('model.layers.0.mlp.gate_up_proj.weight')!,
        after.get('model.layers.0.mlp.gate_up_proj.weight')!,
      ),
    ).toBe(false);
    expect(changed(base.get('model.norm.weight')!, after.get('model.norm.weight')!)).toBe(false);
    merged.dispose();
    adapted.dispose();

    const [wrong, none] = await Promise.all([
      sftAsync(out, '--max-steps', '4', '--resume', '--lora-rank', '8', '--lora-targets', 'q_proj,v_proj,down_proj'),
      sftAsync(out, '--max-steps', '4', '--resume'),
    ]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/--resume: .* was trained with LoRA rank 4.*not LoRA rank 8/);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/not full fine-tuning/);
    const resumed = sft(
      out,
      '--max-steps',
      '4',
      '--resume',
      '--lora-rank',
      '4',
      '--lora-targets',
      'down_proj,v_proj,q_proj',
    );
    expect(resumed.status, resumed.stderr).toBe(0);
    const steps = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(readFileSync(path.join(ckpt, 'trainer_state.json'), 'utf8')).step).toBe(4);
    // Two training runs and two model loads in this process: alone ~20 s, but a loaded 2-core
    // machine pushed it past the 120 s default.
  }, 300_000);
});

async function snapshotOf(m: Qwen2Model, names: string[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const n of names) out.set(n, Float32Array.from((await m.p(n).data()) as Float32Array));
  return out;
}

function changed(a: Float32Array, b: Float32Array): boolean {
  return a.some((x, i) => x !== b[i]);
}
