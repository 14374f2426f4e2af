// One program in a Pyodide interpreter with stdout/stderr captured and the exit status SystemExit
// (or os._exit) would give: shared by the browser worker and the Node check script, so both grade
// a program the same way.

/** The slice of Pyodide's API used here (the browser loads the package from a URL, not bundled). */
export interface PyodideLike {
  runPython(code: string): unknown;
  setStdout(opts: { batched: (s: string) => void }): void;
  setStderr(opts: { batched: (s: string) => void }): void;
}

export function pyodideExitCode(message: string): number {
  // os._exit(n) ends the wasm runtime itself: "Program terminated with exit(n)"
  const exit = /Program terminated with exit\((\d+)\)/.exec(message);
  if (exit) return Number(exit[1]);
  const m = /SystemExit: ?(\S*)\s*$/.exec(message.trim());
  if (!m) return 1;
  if (m[1] === '' || m[1] === 'None' || m[1] === '0') return 0;
  return /^\d+$/.test(m[1]) ? Number(m[1]) : 1;
}

export function runInPyodide(py: PyodideLike, program: string): { stdout: string; stderr: string; exitCode: number } {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  py.setStdout({ batched: (s) => (stdout += s + '\n') });
  py.setStderr({ batched: (s) => (stderr += s + '\n') });
  try {
    py.runPython(program);
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    exitCode = pyodideExitCode(message);
    if (exitCode !== 0) stderr += message;
  }
  try {
    // Python buffers sys.stdout; flush so the last lines reach the capture.
    py.runPython('import sys\nsys.__stdout__.flush()\nsys.__stderr__.flush()');
  } catch {
    // a program may have closed the streams; what was captured stands
  }
  return { stdout, stderr, exitCode };
}
