// Public API of @warmup/core: the Qwen2 model on TF.js, checkpoint I/O, tokenizer, generation,
// and the loss building blocks. Identical in the browser and in Node.
export * from './config.ts';
export * from './safetensors.ts';
export * from './sources.ts';
export * from './layout.ts';
export * from './model.ts';
export * from './weights.ts';
export * from './logprobs.ts';
export * from './backend.ts';
export * from './webgpu-device.ts';
export * from './binding.ts';
export * from './rng.ts';
export * from './sampling.ts';
export * from './generate.ts';
export * from './tokenizer.ts';
export * from './seqlogp.ts';
export * from './tokenizer-shrink.ts';
export * from './ops.ts';
export * from './lora.ts';
export * from './random-checkpoint.ts';
export * from './memory-plan.ts';
export * from './progress-source.ts';
export * from './chat.ts';
export { fusedAttentionActive } from './fused-attention.ts';
export { webgpuAttentionActive } from './webgpu-attention.ts';
export { fusedOpsEnabled, setFusedOps } from './fused-switch.ts';
export * from './wasm-threads.ts';
export * from './kv-cache.ts';
