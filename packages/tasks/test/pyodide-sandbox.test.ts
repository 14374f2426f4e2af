// PyodideSandbox's page side with a scripted stand-in for the worker (the real Pyodide runs in the
// Chromium e2e, e2e/code.spec.mjs): one fresh worker per program, terminated after it or at the
// time limit, the next one loading ahead, and load failures reported with the URL.
import { describe, expect, it } from 'vitest';
import { PyodideSandbox, type PyodideReply, type PyodideRequest } from '../src/code/pyodide-sandbox.ts';

/** Answers like pyodide-worker.ts: `ready` after load; a program "print('x')" prints x, "loop"
 *  never answers, "exit N" exits with N. */
class FakeWorker extends EventTarget {
  static all: FakeWorker[] = [];
  terminated = false;
  programs: string[] = [];
  constructor(private readonly loadOk = true) {
    super();
    FakeWorker.all.push(this);
  }
  private reply(r: PyodideReply): void {
    queueMicrotask(() => {
      if (!this.terminated) this.dispatchEvent(new MessageEvent('message', { data: r }));
    });
  }
  postMessage(req: PyodideRequest): void {
    if (req.type === 'load') {
      this.reply(
        this.loadOk ? { type: 'ready' } : { type: 'load-error', message: 'could not load Pyodide from x/: 404' },
      );
      return;
    }
    this.programs.push(req.program);
    if (req.program === 'loop') return;
    const exit = /^exit (\d+)$/.exec(req.program);
    const out = /^print\('(.*)'\)$/.exec(req.program);
    this.reply({
      type: 'result',
      id: req.id,
      stdout: out ? `${out[1]}\n` : '',
      stderr: '',
      exitCode: exit ? Number(exit[1]) : 0,
    });
  }
  terminate(): void {
    this.terminated = true;
  }
}

const sandbox = (loadOk = true, loadTimeoutMs?: number) =>
  new PyodideSandbox({
    indexURL: 'x/',
    createWorker: () => new FakeWorker(loadOk) as unknown as Worker,
    loadTimeoutMs,
  });

describe('PyodideSandbox', () => {
  it('runs every program in its own worker and terminates it afterwards', async () => {
    FakeWorker.all = [];
    const sb = sandbox();
    expect(await sb.run("print('a')", 1000)).toMatchObject({ ok: true, stdout: 'a\n', exitCode: 0, timedOut: false });
    expect(await sb.run('exit 3', 1000)).toMatchObject({ ok: false, exitCode: 3, timedOut: false });
    const used = FakeWorker.all.filter((w) => w.programs.length > 0);
    expect(used.map((w) => w.programs)).toEqual([["print('a')"], ['exit 3']]);
    expect(used.every((w) => w.terminated)).toBe(true);
    // a spare is already loading for the next program
    expect(FakeWorker.all.filter((w) => !w.terminated)).toHaveLength(1);
    sb.dispose();
    expect(FakeWorker.all.every((w) => w.terminated)).toBe(true);
  });

  it('stops a program at the time limit and still runs the next one', async () => {
    FakeWorker.all = [];
    const sb = sandbox();
    // (a program that never answers: only the time limit can end this call)
    expect(await sb.run('loop', 100)).toMatchObject({ ok: false, timedOut: true, exitCode: null });
    expect(FakeWorker.all[0].terminated).toBe(true);
    expect(await sb.run("print('b')", 1000)).toMatchObject({ ok: true, stdout: 'b\n' });
    sb.dispose();
  });

  it('rejects with the reason when Pyodide cannot load, and validates indexURL', async () => {
    await expect(sandbox(false).run("print('a')", 1000)).rejects.toThrow(/could not load Pyodide from x\/: 404/);
    expect(() => new PyodideSandbox({ indexURL: 'https://example.org/pyodide' })).toThrow(/must end with '\/'/);
  });
});
