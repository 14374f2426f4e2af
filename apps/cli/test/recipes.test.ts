// A paper default lives in one line of packages/train/src/recipes.ts: change it there (here, in
// place, before any front end loads) and the CLI's parsed defaults and --help, the web worker's
// trainer settings and the pipeline's stage arguments all follow.
import { describe, expect, it } from 'vitest';
import * as recipes from '@warmup/train/recipes';

// Values no recipe uses, so a surface that keeps its own copy cannot pass by coincidence.
recipes.GRPO_PAPER.temperature = 0.55;
recipes.GRPO_PAPER.beta2 = 0.975;
recipes.GRPO_PAPER.lossType = 'dr_grpo';
recipes.SFT_PAPER.weightDecay = 0.0321;
recipes.SFT_PAPER.beta2 = 0.925;
recipes.SFT_SCRATCH.lr = 7.5e-3;
recipes.SFT_SCRATCH.schedule = 'constant';
recipes.GRPO_SCRATCH.maxGradNorm = 0.77;
recipes.EVAL_PAPER.topP = 0.875;

const { grpoShape, GRPO_DOCS } = await import('../src/commands/grpo.ts');
const { sftShape, SFT_DOCS } = await import('../src/commands/sft.ts');
const { pipelineShape, PIPELINE_DOCS, warmupArgs, rlvrArgs, evalArgs } = await import('../src/commands/pipeline.ts');
const { flagList, resolveOptions } = await import('../src/train/options.ts');
const { webTrainerSettings } = await import('../../web/src/worker-train.ts');

const after = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];
const help = (pairs: [string, string][], flag: string): string => pairs.find(([f]) => f.startsWith(flag))?.[1] ?? '';

describe('one recipe for every front end', () => {
  it('the CLI parses its defaults from the recipe and prints them in --help with their source', () => {
    const g = resolveOptions(grpoShape, { model: 'm', out: 'o', task: 'kk', data: 'd' });
    expect(g.temperature).toBe(0.55);
    expect(g.beta2).toBe(0.975);
    expect(g.lossType).toBe('dr_grpo');
    const s = resolveOptions(sftShape, { model: 'm', out: 'o', data: 'd' });
    expect(s.weightDecay).toBe(0.0321);
    expect(s.beta2).toBe(0.925);
    const gh = flagList(grpoShape, GRPO_DOCS);
    expect(help(gh, '--temperature')).toContain('(default 0.55; the paper)');
    expect(help(gh, '--loss-type')).toContain('(default dr_grpo; the paper)');
    expect(help(flagList(sftShape, SFT_DOCS), '--weight-decay')).toContain('(default 0.0321; the paper)');
  });

  it('the web worker trains with the recipe', () => {
    const grpo = webTrainerSettings('grpo');
    expect(grpo.adamw.beta2).toBe(0.975);
    expect(grpo.grpo.temperature).toBe(0.55);
    expect(grpo.grpo.lossType).toBe('dr_grpo');
    const sft = webTrainerSettings('sft');
    expect(sft.adamw.weightDecay).toBe(0.0321);
    expect(sft.adamw.beta2).toBe(0.925);
  });

  it('the pipeline passes the recipe to each stage', () => {
    const o = resolveOptions(pipelineShape, {});
    // the warmup lr is the toy experiment's own (apps/cli/src/toy-experiment.ts); the rest is the recipe's
    expect(o.sftLr).toBe(1e-2);
    const w = warmupArgs(o, 'kk-tiny', 'd.jsonl', 'out');
    expect(after(w, '--lr')).toBe('0.01');
    expect(after(w, '--schedule')).toBe('constant');
    expect(after(rlvrArgs(o, 'm', 'd', 'out'), '--max-grad-norm')).toBe('0.77');
    expect(after(evalArgs(o, 'm', 'd', 'out'), '--top-p')).toBe('0.875');
  });

  it('documents every option of sft, grpo and pipeline (flagList throws on an undocumented one)', () => {
    for (const [shape, docs] of [
      [sftShape, SFT_DOCS],
      [grpoShape, GRPO_DOCS],
      [pipelineShape, PIPELINE_DOCS],
    ] as const) {
      for (const [flag, text] of flagList(shape, docs)) expect(text.length, flag).toBeGreaterThan(3);
    }
  });
});
