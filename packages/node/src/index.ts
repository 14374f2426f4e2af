// Public API of @warmup/node: the thin Node adapters (files, backends, sandboxes).
import './quiet-tfjs.ts'; // first: no tfjs-node banner in any Node entry point
export * from './fs.ts';
export * from './model-folder.ts';
export * from './eval-storage.ts';
export * from './backend.ts';
export { WASM_THREADS_ENV, wasmThreadsSetting } from './wasm-threads.ts';
export * from './sandbox/index.ts';
export * from './checkpoint-store.ts';
export * from './metrics-log.ts';
export * from './memory.ts';
