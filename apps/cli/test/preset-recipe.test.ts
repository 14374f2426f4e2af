// A fresh preset trains with its own recommended settings unless the user sets them; a tiny lr on
// random weights is called out; a model folder is left alone.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFit, planMemory, WASM_HEAP_CAP } from '@warmup/core';
import { grpoPlanHints, grpoShape } from '../src/commands/grpo.ts';
import { planHints } from '../src/commands/plan.ts';
import { sftShape } from '../src/commands/sft.ts';
import { longestTokens, modelTokenizer } from '../src/memory-check.ts';
import { listPresets, readPreset } from '../src/model-spec.ts';
import { loadTaskData } from '../src/task-data.ts';
import { resolveOptions } from '../src/train/options.ts';
import { applyPresetRecipe } from '../src/train/preset-recipe.ts';

const KK7 = path.resolve(import.meta.dirname, '../../../data/kk/train_sample_people7.jsonl');

const sft = (flags: Record<string, unknown>) => {
  const lines: string[] = [];
  const all = { out: 'o', data: 'd', ...flags };
  const o = resolveOptions(sftShape, all, (all as Record<string, unknown>).config as string | undefined);
  const taken = applyPresetRecipe('sft', o, all, sftShape, (l) => lines.push(l));
  return { o, taken, lines };
};

describe('preset training settings', () => {
  it('kk-tiny without --lr takes the preset recommendation, in one line', () => {
    const want = readPreset('kk-tiny')?.training?.sft;
    expect(want?.lr).toBeGreaterThanOrEqual(1e-4);
    const { o, taken, lines } = sft({ model: 'kk-tiny' });
    expect(o.lr).toBe(want?.lr);
    expect(o.schedule).toBe(want?.schedule);
    expect(o.maxGradNorm).toBe(want?.maxGradNorm);
    expect(taken).toContain('lr');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sft: kk-tiny is a fresh preset \(random weights\): using its recommended --lr 0\.003/);
  });

  it('flags and --config win over the preset; a tiny lr on random weights gets a warning', () => {
    const { o, taken, lines } = sft({ model: 'kk-tiny', lr: '1e-6' });
    expect(o.lr).toBe(1e-6);
    expect(taken).not.toContain('lr');
    expect(lines.at(-1)).toMatch(/warning: --lr 0\.000001 on the random weights of preset kk-tiny/);
    const dir = mkdtempSync(path.join(tmpdir(), 'preset-recipe-'));
    const cfg = path.join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ schedule: 'constant' }));
    expect(sft({ model: 'kk-tiny', config: cfg }).o.schedule).toBe('constant');
  });

  it('GRPO takes the preset GRPO settings; a model folder keeps the paper defaults', () => {
    const flags = { model: 'kk-tiny', out: 'o', data: 'd', task: 'kk' };
    const g = resolveOptions(grpoShape, flags);
    applyPresetRecipe('grpo', g, flags, grpoShape, () => {});
    expect(g.lr).toBe(readPreset('kk-tiny')?.training?.grpo?.lr);
    const folder = mkdtempSync(path.join(tmpdir(), 'preset-recipe-dir-'));
    const { o, taken } = sft({ model: folder });
    expect(taken).toEqual([]);
    expect(o.lr).toBe(1e-6);
  });

  it("every shipped preset's GRPO defaults pass the memory plan on wasm, or nothing of it fits there", async () => {
    const cap = { backend: 'wasm' as const, bytes: WASM_HEAP_CAP, source: 'wasm heap cap' };
    const presets = listPresets();
    expect(presets).toContain('kk-tiny');
    for (const name of presets) {
      const preset = readPreset(name)!;
      const flags = { model: name, out: 'o', data: 'd', task: 'kk' };
      const g = resolveOptions(grpoShape, flags);
      applyPresetRecipe('grpo', g, flags, grpoShape, () => {});
      // The longest shipped K&K puzzles (7 people) in the preset's own tokenizer.
      const data = await loadTaskData('--data', KK7, 'kk', g.promptStyle);
      const tok = await modelTokenizer(name);
      if (!tok) continue; // no tokenizer (tiny): grpo refuses it before any plan
      const promptLen = longestTokens(tok, data.prompts, 4096);
      const plan = planMemory({ ...grpoPlanHints(g, promptLen, 16), config: preset.config, backend: 'wasm' });
      const fits = checkFit(plan, cap).fits;
      // A real-size preset (Qwen2.5-0.5B and up) cannot even generate on the wasm heap: refused up front.
      const generates = planMemory({ config: preset.config, backend: 'wasm', command: 'generate' }).total <= cap.bytes;
      expect({ name, fits }).toEqual({ name, fits: generates });
      if (preset.training?.grpo) expect({ name, fits }).toEqual({ name, fits: true });
    }
  });

  it("`warmup plan --command grpo` plans a fresh preset with its recipe, a folder with the paper's", () => {
    const tiny = planHints({ model: 'kk-tiny', command: 'grpo', backend: 'wasm' });
    expect(tiny.newTokens).toBe(readPreset('kk-tiny')?.training?.grpo?.maxCompletionLength);
    expect(planHints({ model: 'kk-10m', command: 'grpo', backend: 'wasm' }).batchSize).toBe(
      readPreset('kk-10m')?.training?.grpo?.microBatch,
    );
    const folder = mkdtempSync(path.join(tmpdir(), 'preset-recipe-plan-'));
    expect(planHints({ model: folder, command: 'grpo', backend: 'wasm' }).newTokens).toBe(1024);
    expect(planHints({ model: 'kk-tiny', command: 'grpo', backend: 'wasm', maxCompletionLength: '64' }).newTokens).toBe(
      64,
    );
  });
});
