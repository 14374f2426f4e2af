// Multi-threaded wasm in Node. tfjs-backend-wasm 4.22 keeps Node on one thread (tfjs issue 3830):
// it hands Emscripten its pthread worker and main script as Blob URLs, which worker_threads cannot
// start. This registers a 'wasm' backend factory that starts the same threaded SIMD build from files.
import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CpuInfo } from 'node:os';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { MAX_WASM_THREADS, parseWasmThreads, wasmStarted } from '@warmup/core';

const require = createRequire(import.meta.url);
const nodeOs = require('node:os') as {
  cpus: () => CpuInfo[];
  availableParallelism: () => number;
  tmpdir: () => string;
};

/** The environment variable that sets the wasm thread count (`warmup --threads` sets it too, so the
 *  processes a pipeline spawns inherit it). */
export const WASM_THREADS_ENV = 'WARMUP_WASM_THREADS';

/** The thread count wasm will use in this process: WARMUP_WASM_THREADS, else every core (at most 8). */
export function wasmThreadsSetting(): number {
  const raw = process.env[WASM_THREADS_ENV];
  if (raw !== undefined && raw !== '') return parseWasmThreads(raw, WASM_THREADS_ENV);
  return Math.min(nodeOs.availableParallelism(), MAX_WASM_THREADS);
}

/** For the start-up of the threaded build: its runtime reads the core count from os.cpus(). */
export function patchOsCpus(cores: number): () => void {
  const real = nodeOs.cpus;
  nodeOs.cpus = () => {
    const list = real();
    return Array.from({ length: cores }, (_, i) => list[i % list.length]);
  };
  return () => {
    nodeOs.cpus = real;
  };
}

type Cwrap = (name: string, ret: string | null, args: string[]) => (...args: number[]) => unknown;
interface ThreadedModule {
  cwrap: Cwrap;
  tfjs?: Record<string, (...args: number[]) => unknown>;
  PThread: { runningWorkers: { unref(): void }[] };
}
type ThreadedFactory = (config: {
  locateFile: (file: string, prefix: string) => string;
  mainScriptUrlOrBlob: string;
}) => Promise<ThreadedModule>;

/** The pthread worker script as a file: tfjs ships it only as a string. Named by its content, written
 *  once and renamed into place so that concurrent processes never read half a file. */
function workerScriptFile(contents: string): string {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const file = path.join(nodeOs.tmpdir(), `warmup-tfjs-wasm-pthread-${hash}.cjs`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, contents);
    renameSync(tmp, file);
  }
  return file;
}

let installedThreads = 0;

/** Make `tf.setBackend('wasm')` start the threaded SIMD build, when more than one thread is wanted
 *  and wasm has not started yet. Returns whether the threaded loader is in place. */
export function installNodeWasmThreads(threads: number): boolean {
  if (installedThreads > 0) return true;
  if (threads <= 1 || wasmStarted()) return false;
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as ThreadedFactory;
  const { wasmWorkerContents } = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  let workerFile: string;
  try {
    // The string keeps "\n" escapes that a template literal turned into newlines (as tfjs does for its Blob).
    workerFile = workerScriptFile(wasmWorkerContents.replace(/\n/g, '\\n'));
  } catch (e) {
    process.stderr.write(
      `warning: wasm runs on one thread: cannot write its pthread worker script to ${nodeOs.tmpdir()} (${(e as Error).message})\n`,
    );
    return false;
  }
  const wasmFile = path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm');
  const priority = 2; // tfjs-backend-wasm's own
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // Emscripten starts its 8 pthread workers with this process's execArgv, and under tsx or vitest
      // each would load their TypeScript loader first (5 s on 2 cores); the worker script is plain CJS.
      const threadsModule = require('node:worker_threads') as { Worker: typeof Worker };
      const RealWorker = threadsModule.Worker;
      threadsModule.Worker = class extends RealWorker {
        constructor(file: string | URL, options: WorkerOptions = {}) {
          super(file, { ...options, execArgv: [] });
        }
      };
      let module: ThreadedModule;
      try {
        module = await factory({
          locateFile: (file, prefix) =>
            file.endsWith('.worker.js') ? workerFile : file.endsWith('.wasm') ? wasmFile : prefix + file,
          mainScriptUrlOrBlob: mainScript,
        });
      } finally {
        threadsModule.Worker = RealWorker;
      }
      // The bridge tfjs-backend-wasm's own init() builds (backend_wasm.js).
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
      // The pool's threads wait for work forever; they must not keep the process alive.
      for (const w of module.PThread.runningWorkers) w.unref();
      return backend;
    },
    priority,
  );
  installedThreads = threads;
  return true;
}
