// Worker side of PyodideSandbox: loads Pyodide from the app's assets when told to, cuts the
// worker off from the network, then runs one program with stdout/stderr captured and reports the
// exit status SystemExit would give. The page terminates the worker after that run, so nothing a
// program changes can reach the next one.
import { type PyodideLike, runInPyodide } from './pyodide-run.ts';
import type { PyodideReply, PyodideRequest } from './pyodide-sandbox.ts';

let pyodide: PyodideLike | undefined;

const ctx = self as unknown as DedicatedWorkerGlobalScope;
const reply = (r: PyodideReply): void => ctx.postMessage(r);

async function load(indexURL: string): Promise<void> {
  try {
    const mod = (await import(/* @vite-ignore */ `${indexURL}pyodide.mjs`)) as {
      loadPyodide(o: { indexURL: string; jsglobals: object; env: Record<string, string> }): Promise<PyodideLike>;
    };
    // `import js` sees an empty object instead of the worker's globals.
    pyodide = await mod.loadPyodide({
      indexURL,
      jsglobals: Object.create(null) as object,
      env: { HOME: '/home/sandbox' },
    });
    cutNetwork();
    reply({ type: 'ready' });
  } catch (e) {
    reply({
      type: 'load-error',
      message: `could not load Pyodide from ${indexURL}: ${(e as Error).message ?? String(e)}`,
    });
  }
}

/** Everything a worker can reach the network (or other workers and storage) with. Pyodide's
 *  socket emulation rides on WebSocket; `pyfetch` and JS proxies reach fetch/XMLHttpRequest. */
const NETWORK_APIS = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'importScripts',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  'indexedDB',
  'caches',
  'RTCPeerConnection',
  'Request',
];

/** Remove the network from this worker once Pyodide no longer needs to fetch its own files:
 *  delete each API along the global's prototype chain (a program holding any JS object can reach
 *  the real global through `constructor`), then shadow it so nothing is found by name. */
function cutNetwork(): void {
  const g = globalThis as Record<string, unknown>;
  for (const name of NETWORK_APIS) {
    for (let o: object | null = g; o; o = Object.getPrototypeOf(o) as object | null) {
      if (Object.hasOwn(o, name)) Reflect.deleteProperty(o, name);
    }
    Object.defineProperty(g, name, { value: undefined, writable: false, configurable: false });
  }
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav)
    for (const name of ['sendBeacon', 'serviceWorker'])
      Reflect.deleteProperty(Object.getPrototypeOf(nav) as object, name);
}

function run(id: number, program: string): void {
  const py = pyodide;
  if (!py) throw new Error('run before load');
  reply({ type: 'result', id, ...runInPyodide(py, program) });
}

ctx.onmessage = (ev: MessageEvent<PyodideRequest>) => {
  const req = ev.data;
  if (req.type === 'load') void load(req.indexURL);
  else run(req.id, req.program);
};
