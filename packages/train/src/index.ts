// Public API of @warmup/train: SFT and GRPO on the core model, sharing one optimizer, schedule,
// step, checkpoint and loop implementation.
export * from './losses.ts';
export * from './optimizer.ts';
export * from './schedule.ts';
export * from './step.ts';
export * from './data-order.ts';
export * from './checkpoint.ts';
export * from './loop.ts';
export * from './sft.ts';
export * from './grpo.ts';
export * from './recipes.ts';
export * from './evaluate.ts';
