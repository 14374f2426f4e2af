// Entry point of the web demo: starts the model worker (all TF.js work happens there) and wires
// the panels. The main thread never imports TF.js.
import { proxy, wrap } from 'comlink';
import { mountBackendPanel, selectedBackend, describeBackend } from './backend-panel.ts';
import { createContext } from './context.ts';
import { byId } from './dom.ts';
import { mountGeneratePanel } from './generate-panel.ts';
import { mountKkPanel } from './kk-panel.ts';
import { createLog } from './log.ts';
import { mountModelPanel } from './model-panel.ts';
import { startupModelUrl, SHIPPED_BASE_URL } from './shipped-base.ts';
import { mountTrainPanel } from './train-panel.ts';
import { gradeRecord, mountVerifyPanel } from './verify-panel.ts';
import type { WorkerApi } from './worker-api.ts';
import type { TaskName } from '@warmup/tasks';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'warmup-model' });
const api = wrap<WorkerApi>(worker);
const log = createLog(byId('log'));
worker.addEventListener('error', (e) => log('error', `worker: ${e.message || 'failed to start'}`));
void api.setLogger(proxy(log));

const ctx = createContext(api, log, {
  busyEl: byId('status-busy'),
  selectedBackend,
  onChange: () => {
    byId('status-backend').textContent = `backend: ${ctx.backend?.backend ?? '—'}`;
    byId('status-model').textContent = `model: ${ctx.model?.source ?? 'none'}`;
    if (ctx.backend) byId('backend-info').textContent = describeBackend(ctx.backend);
  },
});

mountBackendPanel(ctx);
const models = mountModelPanel(ctx);
mountKkPanel(ctx);
mountGeneratePanel(ctx);
mountVerifyPanel(ctx);
const train = mountTrainPanel(ctx, { loadDefaultModel: () => models.loadUrl(SHIPPED_BASE_URL) });
byId('log-clear').addEventListener('click', () => byId('log').replaceChildren());

// For the end-to-end tests and for poking at the model from the devtools console.
(globalThis as { warmup?: unknown }).warmup = {
  api,
  ctx,
  train,
  gradeRecord: (task: TaskName, record: string, completion: string, timeoutMs: number) =>
    gradeRecord(api, task, record, completion, timeoutMs),
};
// The page opens on the shipped base (or `?model=<folder URL>`; `?model=none` for no model).
const startup = startupModelUrl(location.search);
if (startup) {
  log('info', `ready: loading ${startup} on the selected backend`);
  void ctx.run('load model', () => models.loadUrl(startup));
} else {
  models.showTab('preset');
  log('info', 'ready: pick a backend, then create or load a model');
}
