// The HumanEval(+) code target domain; the sandbox implementations live in @warmup/node (Node)
// and pyodide-sandbox.ts (browser).
export * from './sandbox.ts';
export * from './extract.ts';
export * from './harness.ts';
export * from './py-value.ts';
export * from './task.ts';
export * from './pyodide-sandbox.ts';
export { runInPyodide, type PyodideLike } from './pyodide-run.ts';
