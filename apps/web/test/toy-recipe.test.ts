// The browser demo's warmup and RLVR run the toy experiment's recipe, the one `warmup pipeline`
// passes to its stages: both read @warmup/train/toy-experiment, so changing a recipe value (here,
// in place, before either front end loads) moves both, and they agree flag for flag.
import { describe, expect, it } from 'vitest';
import * as recipes from '@warmup/train/recipes';

// Values no recipe uses, so a front end that keeps its own copy cannot pass by coincidence.
recipes.SFT_SCRATCH.schedule = 'constant';
recipes.SFT_SCRATCH.warmupSteps = 7;
recipes.SFT_SCRATCH.weightDecay = 0.0123;
recipes.SFT_SCRATCH.maxGradNorm = 0.66;
recipes.GRPO_SCRATCH.maxGradNorm = 0.77;
recipes.GRPO_SCRATCH.temperature = 0.9;

const { TOY_EXPERIMENT_SETTINGS: X } = await import('@warmup/train/toy-experiment');
const { pipelineShape, warmupArgs, rlvrArgs } = await import('../../cli/src/commands/pipeline.ts');
const { resolveOptions } = await import('../../cli/src/train/options.ts');
const { webLoopOptions, webTrainerSettings } = await import('../src/worker-train.ts');

const after = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];
const hooks = { onMetrics: () => {}, shouldStop: () => false, log: () => {} };
const data = { peopleMin: 2, peopleMax: 2, count: X.warmup.count, seed: X.seed, promptStyle: 'r1' as const };

describe('the browser demo runs the pipeline recipe', () => {
  const o = resolveOptions(pipelineShape, {});

  it('warmup: same lr, schedule, warmup steps, clip and weight decay as the pipeline stage', () => {
    const w = warmupArgs(o, 'base', 'd.jsonl', 'out');
    const req = {
      kind: 'sft' as const,
      data,
      steps: X.warmup.steps,
      lr: X.warmup.lr,
      batchSize: 8,
      traceStyle: 'short' as const,
    };
    const web = webLoopOptions({ ...req, recipe: 'toy' }, hooks);
    expect(web.schedule).toMatchObject({ name: 'constant', lr: 1e-2, warmupSteps: 7, totalSteps: X.warmup.steps });
    expect(after(w, '--schedule')).toBe(web.schedule.name);
    expect(Number(after(w, '--warmup-steps'))).toBe(web.schedule.warmupSteps);
    expect(Number(after(w, '--lr'))).toBe(web.schedule.lr);
    expect(Number(after(w, '--max-grad-norm'))).toBe(web.maxGradNorm);
    expect(webTrainerSettings('sft', 'toy').adamw.weightDecay).toBe(0.0123);
    expect(Number(after(w, '--weight-decay'))).toBe(0.0123);
    // Without the recipe the browser keeps its own loop settings.
    expect(webLoopOptions(req, hooks).maxGradNorm).not.toBe(0.66);
  });

  it('RLVR: same clip and sampling temperature as the pipeline stage', () => {
    const r = rlvrArgs(o, 'm', 'd', 'out');
    const req = {
      kind: 'grpo' as const,
      data,
      steps: X.grpo.steps,
      lr: X.grpo.lr,
      batchSize: 8,
      numGenerations: X.grpo.numGenerations,
      promptsPerStep: X.grpo.promptsPerStep,
      maxCompletionLength: X.eval.maxNewTokens,
      temperature: 0.9,
      recipe: 'toy' as const,
    };
    expect(webLoopOptions(req, hooks).maxGradNorm).toBe(0.77);
    expect(Number(after(r, '--max-grad-norm'))).toBe(0.77);
    expect(webTrainerSettings('grpo', 'toy').grpo.temperature).toBe(0.9);
    expect(Number(after(r, '--temperature'))).toBe(0.9);
  });
});
