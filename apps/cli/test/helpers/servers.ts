// Real HTTP servers for the CLI tests: `warmup serve`'s factory over the qwen-tiny preset on
// 127.0.0.1, and a small proxy in front of it that can fail the first requests or drop `n`
// (as llama.cpp does), so retries and n-handling are tested against real sockets.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Qwen2Model, TextTokenizer } from '@warmup/core';
import { useNodeBackend } from '@warmup/node';
import { resolveModel } from '../../src/model-spec.ts';
import { createServer, type ServerOptions } from '../../src/serve/server.ts';

export interface Running {
  url: string;
  close(): Promise<void>;
}

function listen(server: http.Server): Promise<Running> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

let loaded: { model: Qwen2Model; tokenizer: TextTokenizer } | undefined;

/** The qwen-tiny preset (seed 0) on wasm, loaded once per test file. */
export async function qwenTiny(): Promise<{ model: Qwen2Model; tokenizer: TextTokenizer }> {
  if (!loaded) {
    await useNodeBackend('wasm');
    const r = await resolveModel('qwen-tiny', { seed: 0 });
    loaded = { model: r.model, tokenizer: r.tokenizer! };
  }
  return loaded;
}

export async function startModelServer(extra: Partial<ServerOptions> = {}): Promise<Running> {
  const { model, tokenizer } = await qwenTiny();
  return listen(createServer({ model, tokenizer, modelName: 'qwen-tiny', ...extra }));
}

export interface ProxyOptions {
  /** Answer this many requests with 503 before forwarding any. */
  failFirst?: number;
  /** Remove `n` from request bodies (a server that ignores it). */
  dropN?: boolean;
}

export interface Proxy extends Running {
  /** Requests seen, and how many were answered 503. */
  stats: { requests: number; failed: number };
}

export async function startProxy(target: string, opts: ProxyOptions): Promise<Proxy> {
  const stats = { requests: 0, failed: 0 };
  const server = http.createServer((req, res) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (stats.failed < (opts.failFirst ?? 0)) {
        stats.failed++;
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
        return;
      }
      let body = Buffer.concat(chunks);
      if (opts.dropN) {
        const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        delete json.n;
        body = Buffer.from(JSON.stringify(json));
      }
      const up = http.request(
        `${target}${req.url}`,
        { method: req.method, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  const running = await listen(server);
  return { ...running, stats };
}
