// What every panel shares: the worker, the log, one-job-at-a-time execution (the worker runs one
// TF.js job at a time; the UI greys out buttons meanwhile) and the current backend/model.
import type { Remote } from 'comlink';
import type { BackendInfo, LogFn, ModelInfo, WorkerApi } from './worker-api.ts';

export interface AppContext {
  api: Remote<WorkerApi>;
  log: LogFn;
  /** Run one job: buttons disabled, errors logged (returns undefined on failure). */
  run<T>(label: string, job: () => Promise<T>): Promise<T | undefined>;
  readonly model: ModelInfo | undefined;
  readonly backend: BackendInfo | undefined;
  setModel(info: ModelInfo | undefined): void;
  setBackend(info: BackendInfo): void;
  /** Called whenever the model changes. */
  onModel(cb: (info: ModelInfo | undefined) => void): void;
  /** Make sure a backend is initialised (the selected one) before model work. */
  ensureBackend(): Promise<void>;
}

export function createContext(
  api: Remote<WorkerApi>,
  log: LogFn,
  opts: { busyEl: HTMLElement; selectedBackend: () => BackendInfo['requested']; onChange: () => void },
): AppContext {
  let busy = false;
  let model: ModelInfo | undefined;
  let backend: BackendInfo | undefined;
  const modelListeners: ((info: ModelInfo | undefined) => void)[] = [];
  const setBusy = (b: boolean): void => {
    busy = b;
    opts.busyEl.hidden = !b;
    document.body.classList.toggle('busy', b);
    for (const btn of document.querySelectorAll<HTMLButtonElement>('button[data-job]')) btn.disabled = b;
  };
  const ctx: AppContext = {
    api,
    log,
    async run(label, job) {
      if (busy) {
        log('warn', `${label}: busy with another job, wait for it to finish`);
        return undefined;
      }
      setBusy(true);
      try {
        return await job();
      } catch (e) {
        log('error', `${label}: ${(e as Error).message ?? String(e)}`);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    get model() {
      return model;
    },
    get backend() {
      return backend;
    },
    setModel(info) {
      model = info;
      for (const cb of modelListeners) cb(info);
      opts.onChange();
    },
    setBackend(info) {
      backend = info;
      if (info.reloadedModel) ctx.setModel(info.reloadedModel);
      opts.onChange();
    },
    onModel(cb) {
      modelListeners.push(cb);
    },
    async ensureBackend() {
      if (!backend) ctx.setBackend(await api.init(opts.selectedBackend()));
    },
  };
  return ctx;
}
