// The Verify panel: grade any completion against a question record in its task's public format
// with the same verifiers as `warmup grade`, run in the model worker exactly as GRPO's rewards
// are. Code runs in Pyodide workers from the app's /pyodide/ assets, stopped at the time limit.
import { TASK_NAMES, type Grade, type TaskName } from '@warmup/tasks';
import type { AppContext } from './context.ts';
import { byId, numberInput } from './dom.ts';
import { showGrade } from './kk-panel.ts';
import type { WorkerApi } from './worker-api.ts';
import type { Remote } from 'comlink';

/** Where the build puts Pyodide's runtime (vite.config.ts), as the workers need it: absolute. */
export function pyodideURL(): string {
  return new URL('pyodide/', document.baseURI).href;
}

/** Grade one completion in the worker; `record` is one JSON object as a line of the task's JSONL. */
export function gradeRecord(
  api: Remote<WorkerApi>,
  task: TaskName,
  record: string,
  completion: string,
  timeoutMs: number,
): Promise<Grade> {
  return api.grade({ task, record, completion, timeoutMs, pyodideURL: pyodideURL() });
}

export function mountVerifyPanel(ctx: AppContext): void {
  const taskSel = byId<HTMLSelectElement>('verify-task');
  for (const t of TASK_NAMES) taskSel.append(new Option(t, t, t === 'code', t === 'code'));
  const button = byId<HTMLButtonElement>('verify-run');
  button.addEventListener('click', async () => {
    const name = taskSel.value as TaskName;
    const out = byId('verify-result');
    showGrade(undefined, out);
    out.title = '';
    byId('verify-detail').textContent = '';
    button.disabled = true;
    const t0 = performance.now();
    try {
      const timeoutMs = numberInput('verify-timeout') * 1000;
      if (!(timeoutMs > 0)) throw new Error('time limit must be positive');
      const g = await gradeRecord(
        ctx.api,
        name,
        byId<HTMLTextAreaElement>('verify-record').value,
        byId<HTMLTextAreaElement>('verify-completion').value,
        timeoutMs,
      );
      showGrade(g, out);
      const secs = ((performance.now() - t0) / 1000).toFixed(2);
      byId('verify-detail').textContent =
        `${g.detail ?? (g.extracted !== undefined ? `extracted: ${g.extracted}` : '')} (${secs} s)`.trim();
      ctx.log(
        'info',
        `verify ${name}: ${g.correct ? 'correct' : 'wrong'}, reward ${g.reward} in ${secs} s${g.detail ? ` — ${g.detail.split('\n')[0]}` : ''}`,
      );
    } catch (e) {
      byId('verify-detail').textContent = (e as Error).message;
      ctx.log('error', `verify: ${(e as Error).message}`);
    } finally {
      button.disabled = false;
    }
  });
}
