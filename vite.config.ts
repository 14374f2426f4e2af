// Vite config of the web demo (apps/web): static assets from public/, build into dist/web, ES
// module workers, Pyodide's runtime under /pyodide/, the shipped base (models/warmup-base) under
// models/warmup-base/ in dev and in the build, and /fixtures/<name>/ served from the repo's
// fixtures/ in dev and preview so the browser can load test checkpoints through the same URL code
// path as real ones.
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin } from 'vite';
import { defineConfig } from 'vite';

const repoRoot = path.dirname(fileURLToPath(import.meta.url));
const fixturesDir = path.resolve(repoRoot, 'fixtures');
// The model the app opens with (apps/web/src/shipped-base.ts), served and shipped from its folder
// as it is: its files are read when the server starts or the build runs, never listed here.
const SHIPPED_BASE = 'models/warmup-base';
// The code sandbox loads Pyodide from the app's own origin (no CDN): the runtime files of the npm
// package are served in dev and copied into the build. Packages (numpy, …) are not included.
const pyodideDir = path.dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
const PYODIDE_FILES = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];

/** GET/HEAD of the files under `dir` at URL `/<prefix>/…`, with single Range support (the model
 *  loader reads safetensors headers by range). */
function serveFolder(prefix: string, dir: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(`/${prefix}/`)) return next();
    const rel = decodeURIComponent(url.pathname.slice(prefix.length + 2));
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    const size = statSync(file).size;
    const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    res.setHeader('Content-Type', type);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'no-cache');
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end || start >= size) {
        res.statusCode = 416;
        res.setHeader('Content-Range', `bytes */${size}`);
        res.end();
        return;
      }
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    }
    res.setHeader('Content-Length', String(end - start + 1));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file, { start, end }).pipe(res);
  };
}

/** A plugin that adds one middleware to both the dev and the preview server. */
function middleware(name: string, handler: Connect.NextHandleFunction): Plugin {
  return {
    name,
    configureServer: (server) => void server.middlewares.use(handler),
    configurePreviewServer: (server) => void server.middlewares.use(handler),
  };
}

/** The code sandbox's worker runs untrusted Python, and any JS object it reaches leads to the
 *  Function constructor and dynamic import(). The worker gets its own CSP (from its script's
 *  response): scripts and connections only to this origin, no eval. The policy lives in
 *  public/_headers, which static hosts (Netlify, Cloudflare Pages) apply; dev and preview send
 *  the same header from it. */
function pyodideWorkerCsp(): Plugin {
  const headers = readFileSync(path.join(repoRoot, 'public/_headers'), 'utf8');
  const csp = /^\s*Content-Security-Policy:\s*(.+)$/m.exec(headers)?.[1].trim();
  if (!csp) throw new Error('public/_headers: no Content-Security-Policy line for the Pyodide worker');
  return middleware('warmup-pyodide-worker-csp', (req, res, next) => {
    if ((req.url ?? '').includes('pyodide-worker')) res.setHeader('Content-Security-Policy', csp);
    next();
  });
}

/** Cross-origin isolation for every response, as public/_headers gives static hosts: without it the
 *  browser withholds SharedArrayBuffer and TF.js falls back to its one-thread wasm build. */
function crossOriginIsolation(): Plugin {
  const headers = readFileSync(path.join(repoRoot, 'public/_headers'), 'utf8');
  const pairs = ['Cross-Origin-Opener-Policy', 'Cross-Origin-Embedder-Policy'].map((name) => {
    const value = new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(headers)?.[1].trim();
    if (!value) throw new Error(`public/_headers: no ${name} line (the wasm threads need cross-origin isolation)`);
    return [name, value] as const;
  });
  return middleware('warmup-cross-origin-isolation', (_req, res, next) => {
    for (const [name, value] of pairs) res.setHeader(name, value);
    next();
  });
}

const PYODIDE_TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.json': 'application/json',
};

/** Pyodide's runtime under /pyodide/: read from node_modules by the dev server, emitted into the
 *  build (which preview serves). Twenty lines instead of a copy plugin that wants a newer Node. */
function pyodideAssets(): Plugin {
  return {
    name: 'warmup-pyodide-assets',
    configureServer: (server) =>
      void server.middlewares.use((req, res, next) => {
        const name = /^\/pyodide\/([^/]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname)?.[1];
        if (!name || !PYODIDE_FILES.includes(name)) return next();
        res.setHeader('Content-Type', PYODIDE_TYPES[path.extname(name)] ?? 'application/octet-stream');
        createReadStream(path.join(pyodideDir, name)).pipe(res);
      }),
    generateBundle() {
      for (const f of PYODIDE_FILES) {
        this.emitFile({ type: 'asset', fileName: `pyodide/${f}`, source: readFileSync(path.join(pyodideDir, f)) });
      }
    },
  };
}

function fixtures(): Plugin {
  return middleware('warmup-fixtures', serveFolder('fixtures', fixturesDir));
}

/** The shipped base at models/warmup-base/: read from the repo by the dev server, emitted into
 *  the build (which preview and static hosts serve). */
function shippedBase(): Plugin {
  const dir = path.resolve(repoRoot, SHIPPED_BASE);
  return {
    name: 'warmup-shipped-base',
    configureServer: (server) => void server.middlewares.use(serveFolder(SHIPPED_BASE, dir)),
    generateBundle() {
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        if (!f.isFile()) continue;
        this.emitFile({
          type: 'asset',
          fileName: `${SHIPPED_BASE}/${f.name}`,
          source: readFileSync(path.join(dir, f.name)),
        });
      }
    },
  };
}

export default defineConfig({
  root: path.resolve(repoRoot, 'apps/web'),
  publicDir: path.resolve(repoRoot, 'public'),
  base: './',
  plugins: [crossOriginIsolation(), fixtures(), shippedBase(), pyodideWorkerCsp(), pyodideAssets()],
  worker: { format: 'es' },
  build: {
    outDir: path.resolve(repoRoot, 'dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // TF.js is large; the worker chunk is expected to exceed the default warning size.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod ships /*#__PURE__*/ comments in places rollup cannot use; harmless, and noisy.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
  // The worker is reached through `new URL('./worker.ts', import.meta.url)`, which the dependency
  // scanner does not follow: name it, or the dev server reloads the page mid-run to add TF.js.
  optimizeDeps: { entries: ['index.html', 'src/worker.ts'] },
  server: { host: '127.0.0.1', fs: { allow: [repoRoot] } },
  preview: { host: '127.0.0.1' },
});
