// The browser CodeSandbox: Pyodide (CPython compiled to WebAssembly, the npm package `pyodide`
// served from the app's own assets) in dedicated workers. Every program gets a fresh interpreter
// in a fresh worker, which is terminated afterwards — or at the time limit, the only way to stop
// a busy wasm thread. A spare worker loads Pyodide while the current program runs, so the load
// (about a second) overlaps the work and is not counted against the program's time limit.
// What is enforced: no host files (the wasm file system is in memory), no sockets (the browser
// gives wasm none), a wall-clock limit, no state shared between programs. Memory is bounded by
// the browser's per-worker wasm limit (a 10 GB request fails with MemoryError).
import type { CodeSandbox, SandboxResult } from './sandbox.ts';

export interface PyodideSandboxOptions {
  /** URL of the folder that holds pyodide.mjs, pyodide.asm.mjs, pyodide.asm.wasm and
   *  python_stdlib.zip (the web app copies them from node_modules/pyodide). Must end with '/'. */
  indexURL: string;
  /** Worker factory; the default loads ./pyodide-worker.ts as a module worker (bundler-resolved). */
  createWorker?: () => Worker;
  /** Limit on loading Pyodide in a new worker (ms, default 60 s). */
  loadTimeoutMs?: number;
}

/** Messages between the page and pyodide-worker.ts. */
export type PyodideRequest = { type: 'load'; indexURL: string } | { type: 'run'; id: number; program: string };
export type PyodideReply =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  | ({ type: 'result'; id: number } & Omit<SandboxResult, 'ok' | 'timedOut'>);

/** A worker with Pyodide loading or loaded in it. */
interface Interpreter {
  worker: Worker;
  ready: Promise<void>;
}

export class PyodideSandbox implements CodeSandbox {
  private spare: Interpreter | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly opts: PyodideSandboxOptions) {
    if (!opts.indexURL.endsWith('/'))
      throw new Error(`PyodideSandbox: indexURL must end with '/' (got ${opts.indexURL})`);
  }

  private start(): Interpreter {
    const worker = this.opts.createWorker
      ? this.opts.createWorker()
      : new Worker(new URL('./pyodide-worker.ts', import.meta.url), { type: 'module', name: 'warmup-pyodide' });
    const limit = this.opts.loadTimeoutMs ?? 60_000;
    const ready = new Promise<void>((resolve, reject) => {
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        if (err) {
          worker.terminate();
          reject(err);
        } else resolve();
      };
      const onMessage = (ev: MessageEvent<PyodideReply>): void => {
        if (ev.data.type === 'ready') finish();
        else if (ev.data.type === 'load-error') finish(new Error(ev.data.message));
      };
      const onError = (ev: ErrorEvent): void =>
        finish(new Error(`Pyodide worker failed to start: ${ev.message || 'unknown error'}`));
      const timer = setTimeout(
        () => finish(new Error(`Pyodide did not load within ${limit} ms from ${this.opts.indexURL}`)),
        limit,
      );
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
    });
    ready.catch(() => undefined); // observed by whoever takes this interpreter
    const req: PyodideRequest = { type: 'load', indexURL: this.opts.indexURL };
    worker.postMessage(req);
    return { worker, ready };
  }

  /** Starts loading an interpreter now, so the first run does not wait for it. */
  warmUp(): void {
    if (!this.disposed) this.spare ??= this.start();
  }

  /** Runs one program at a time (each in its own interpreter). Rejects only if Pyodide cannot load. */
  run(program: string, timeoutMs: number): Promise<SandboxResult> {
    const result = this.queue.then(() => this.runNow(program, timeoutMs));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(program: string, timeoutMs: number): Promise<SandboxResult> {
    if (this.disposed) throw new Error('PyodideSandbox: disposed');
    const interp = this.spare ?? this.start();
    this.spare = undefined;
    await interp.ready;
    this.warmUp(); // the next program's interpreter loads while this one runs
    const { worker } = interp;
    const id = this.nextId++;
    return new Promise((resolve) => {
      const done = (r: SandboxResult): void => {
        clearTimeout(timer);
        worker.terminate();
        resolve(r);
      };
      worker.addEventListener('message', (ev: MessageEvent<PyodideReply>) => {
        if (ev.data.type !== 'result' || ev.data.id !== id) return;
        const { stdout, stderr, exitCode } = ev.data;
        done({ ok: exitCode === 0, stdout, stderr, exitCode, timedOut: false });
      });
      // A worker that dies (e.g. out of memory) counts as a failed run, not a sandbox error.
      worker.addEventListener('error', (ev: ErrorEvent) =>
        done({ ok: false, stdout: '', stderr: `worker error: ${ev.message}`, exitCode: null, timedOut: false }),
      );
      const timer = setTimeout(
        () => done({ ok: false, stdout: '', stderr: '', exitCode: null, timedOut: true }),
        timeoutMs,
      );
      const req: PyodideRequest = { type: 'run', id, program };
      worker.postMessage(req);
    });
  }

  dispose(): void {
    this.disposed = true;
    this.spare?.worker.terminate();
    this.spare = undefined;
  }
}
