// The Verify panel: grade any completion against a question record in its task's public format
// with the same verifiers as `warmup grade`. Code runs in Pyodide (python in wasm) in its own
// worker, loaded from the app's /pyodide/ assets and terminated when a run passes its time limit.
import { getTask, loadRecords, PyodideSandbox, recordOptions, TASK_NAMES, type Grade, type TaskName } from '@warmup/tasks';
import type { AppContext } from './context.ts';
import { byId, numberInput } from './dom.ts';
import { showGrade } from './kk-panel.ts';

/** One sandbox for the page; it keeps one interpreter loaded ahead of the next program. */
let sandbox: PyodideSandbox | undefined;
function codeSandbox(): PyodideSandbox {
  sandbox ??= new PyodideSandbox({ indexURL: new URL('pyodide/', document.baseURI).href });
  return sandbox;
}

/** Grade one completion; `record` is one JSON object as a line of the task's JSONL. */
export async function gradeRecord(name: TaskName, record: string, completion: string, timeoutMs: number): Promise<Grade> {
  const task = getTask(name, name === 'code' ? { sandbox: codeSandbox(), codeTimeoutMs: timeoutMs } : {});
  const records = await loadRecords(record.trim(), 'record.jsonl', recordOptions(task));
  if (records.length !== 1) throw new Error(`expected one JSON record, got ${records.length}`);
  return task.grade(task.fromRecord(records[0].value, 'record', 0), completion);
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
      const g = await gradeRecord(name, byId<HTMLTextAreaElement>('verify-record').value, byId<HTMLTextAreaElement>('verify-completion').value, timeoutMs);
      showGrade(g, out);
      const secs = ((performance.now() - t0) / 1000).toFixed(2);
      byId('verify-detail').textContent = `${g.detail ?? (g.extracted !== undefined ? `extracted: ${g.extracted}` : '')} (${secs} s)`.trim();
      ctx.log('info', `verify ${name}: ${g.correct ? 'correct' : 'wrong'}, reward ${g.reward} in ${secs} s${g.detail ? ` — ${g.detail.split('\n')[0]}` : ''}`);
    } catch (e) {
      byId('verify-detail').textContent = (e as Error).message;
      ctx.log('error', `verify: ${(e as Error).message}`);
    } finally {
      button.disabled = false;
    }
  });
}
