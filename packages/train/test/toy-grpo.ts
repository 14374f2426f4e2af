// The small GRPO configuration the trainer tests share: 3 steps, 2 prompts x G=4, 6 new tokens,
// sampling at temperature 1 on the qwen2-tiny fixture; tests override what they exercise.
import { GRPO_PAPER_DEFAULTS, type GrpoOptions } from '@warmup/train';

export function toyGrpoOptions(over: Partial<GrpoOptions>): GrpoOptions {
  return {
    maxSteps: 3,
    schedule: { name: 'constant', lr: 1e-2, warmupSteps: 0, totalSteps: 3 },
    maxGradNorm: 1,
    checkpointEvery: 0,
    maxBadSteps: 3,
    promptsPerStep: 2,
    ...GRPO_PAPER_DEFAULTS,
    numGenerations: 4,
    maxCompletionLength: 6,
    temperature: 1,
    topP: 1,
    microBatch: 4,
    seed: 1,
    padTokenId: 0,
    eosTokenIds: [2],
    decode: (ids) => ids.map((i) => String.fromCharCode(65 + (i % 26))).join(''),
    rewards: [],
    ...over,
  };
}
