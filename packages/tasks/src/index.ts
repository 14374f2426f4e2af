// Public API of @warmup/tasks: task definitions (examples, prompts, verifiable rewards) shared by
// the browser app and the Node CLI. No TF.js dependency.
export * from './task.ts';
export * from './prompt.ts';
export * from './jsonl.ts';
export * from './kk/index.ts';
export * from './math/index.ts';
export * from './code/index.ts';
export * from './answer-format.ts';
export * from './records.ts';
export * from './raw-json.ts';
export * from './split.ts';
export * from './mcq/index.ts';
export * from './registry.ts';
export * from './examples.ts';
export * from './toy/index.ts';
