// An OpenAI-compatible HTTP server over one in-process model: /v1/chat/completions,
// /v1/completions (plain JSON or SSE streaming) and /v1/models. Generations run one at a time
// (TF.js shares one device); the n samples of a request are generated as one batch.
import http from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import { generate, truncateAtStop, type Qwen2Model, type TextTokenizer } from '@warmup/core';
import type { z } from 'zod';
import { applyChatTemplate } from '../chat-template.ts';
import { ChatRequest, CompletionRequest, describeIssue } from './schema.ts';

export interface ServerOptions {
  model: Qwen2Model;
  tokenizer: TextTokenizer;
  /** The id reported by /v1/models and in every response. */
  modelName: string;
  /** Largest accepted request body (default 4 MiB). */
  maxBodyBytes?: number;
  /** max_tokens of a chat request that gives none (default 1024; always capped by the context). */
  defaultChatMaxTokens?: number;
  /** Most sequences generated for one request, prompts × n (default 64). */
  maxBatch?: number;
  /** One line per request (default: none). */
  log?: (line: string) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type = status >= 500 ? 'server_error' : 'invalid_request_error',
  ) {
    super(message);
  }
}

interface Job {
  prompts: number[][];
  n: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  stop: string[];
  seed: number;
}

interface Choice {
  text: string;
  tokens: number;
  finish: 'stop' | 'length';
}

type Kind = 'chat' | 'completion';

export function createServer(opts: ServerOptions): http.Server {
  const { model, tokenizer } = opts;
  const maxBody = opts.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxBatch = opts.maxBatch ?? 64;
  const contextLen = model.config.maxPositionEmbeddings;
  const eos = new Set([...model.config.eosTokenIds, ...tokenizer.eosTokenIds]);
  const log = opts.log ?? (() => {});
  const created = Math.floor(Date.now() / 1000);

  // One generation at a time, in arrival order; a failed job must not block the ones after it.
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Text of generated ids without a final EOS token and without special tokens. */
  const visible = (ids: readonly number[]): string => {
    const body = ids.length && eos.has(ids[ids.length - 1]) ? ids.slice(0, -1) : ids.slice();
    return tokenizer.decode(body, true);
  };

  async function runJob(
    job: Job,
    onDelta: ((row: number, text: string) => void) | undefined,
    gone: () => boolean,
  ): Promise<Choice[]> {
    const rows = job.prompts.flatMap((p) => Array.from({ length: job.n }, () => p));
    const hold = job.stop.length ? Math.max(...job.stop.map((s) => s.length)) - 1 : 0;
    const sent = rows.map(() => 0);
    const maxNew = Math.min(job.maxTokens, contextLen - Math.max(...rows.map((r) => r.length)));
    const r = await generate(model, rows, {
      maxNewTokens: maxNew,
      temperature: job.temperature,
      greedy: job.temperature === 0,
      topP: job.topP,
      topK: job.topK,
      seed: job.seed,
      eosTokenIds: [...eos],
      padTokenId: tokenizer.padTokenId,
      stopStrings: job.stop.length ? job.stop : undefined,
      decode: (ids) => tokenizer.decode(ids, true),
      onStep: (_step, tokens) => {
        if (gone()) return false;
        if (!onDelta) return true;
        for (let b = 0; b < tokens.length; b++) {
          const text = visible(tokens[b]);
          // Hold back a possible partial stop string and an incomplete UTF-8 character.
          let safe = truncateAtStop(text, job.stop);
          if (safe.length === text.length) safe = text.slice(0, Math.max(0, text.length - hold));
          safe = safe.replace(/\uFFFD+$/, '');
          if (safe.length > sent[b]) {
            onDelta(b, safe.slice(sent[b]));
            sent[b] = safe.length;
          }
        }
        return true;
      },
    });
    return r.tokens.map((ids, b) => {
      const text = truncateAtStop(visible(ids), job.stop);
      if (onDelta && text.length > sent[b]) onDelta(b, text.slice(sent[b]));
      return { text, tokens: ids.length, finish: r.finishReasons[b] === 'length' ? 'length' : 'stop' };
    });
  }

  function parse<T>(schema: z.ZodType<T>, body: unknown, required: string): T {
    // zod reports a missing union field as "Invalid input"; say plainly that it is missing.
    if (
      body &&
      typeof body === 'object' &&
      !Array.isArray(body) &&
      (body as Record<string, unknown>)[required] === undefined
    ) {
      throw new HttpError(400, `"${required}" is required`, required);
    }
    const r = schema.safeParse(body);
    if (!r.success) {
      const { message, param } = describeIssue(r.error);
      throw new HttpError(400, message, param);
    }
    return r.data;
  }

  function encodePrompt(text: string, what: string): number[] {
    const ids = tokenizer.encode(text);
    if (ids.length === 0) throw new HttpError(400, `${what} is empty`, what);
    return ids;
  }

  function makeJob(kind: Kind, body: unknown): { job: Job; stream: boolean; includeUsage: boolean } {
    let prompts: number[][];
    let req: ChatRequest | CompletionRequest;
    let maxTokens: number | null | undefined;
    if (kind === 'chat') {
      const c = parse(ChatRequest, body, 'messages');
      req = c;
      const messages = c.messages.map((m) => ({
        role: m.role === 'developer' ? 'system' : m.role,
        content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text).join(''),
      }));
      prompts = [encodePrompt(applyChatTemplate(messages, tokenizer), 'messages')];
      maxTokens = c.max_completion_tokens ?? c.max_tokens;
    } else {
      const c = parse(CompletionRequest, body, 'prompt');
      req = c;
      const p = c.prompt;
      if (typeof p === 'string') prompts = [encodePrompt(p, 'prompt')];
      else if (p.every((x) => typeof x === 'number')) prompts = [p as number[]];
      else if (p.every((x) => typeof x === 'string'))
        prompts = (p as string[]).map((s, i) => encodePrompt(s, `prompt.${i}`));
      else prompts = p as number[][];
      const bad = prompts.flat().find((id) => id >= model.config.vocabSize);
      if (bad !== undefined)
        throw new HttpError(
          400,
          `"prompt": token id ${bad} is outside the vocabulary (0..${model.config.vocabSize - 1})`,
          'prompt',
        );
      maxTokens = c.max_tokens;
    }
    const longest = Math.max(...prompts.map((p) => p.length));
    if (longest >= contextLen)
      throw new HttpError(
        400,
        `the prompt has ${longest} tokens; this model's context is ${contextLen} tokens`,
        kind === 'chat' ? 'messages' : 'prompt',
      );
    const n = req.n ?? 1;
    if (prompts.length * n > maxBatch)
      throw new HttpError(
        400,
        `prompts × n = ${prompts.length * n} sequences; this server generates at most ${maxBatch} per request`,
        'n',
      );
    const defaultMax = kind === 'chat' ? (opts.defaultChatMaxTokens ?? 1024) : 16;
    const stop = req.stop == null ? [] : typeof req.stop === 'string' ? [req.stop] : req.stop;
    const topK = req.top_k ?? 0;
    return {
      job: {
        prompts,
        n,
        maxTokens: maxTokens ?? defaultMax,
        temperature: req.temperature ?? 1,
        topP: req.top_p ?? 1,
        topK: Math.max(topK, 0),
        stop,
        seed: req.seed ?? randomInt(0, 2 ** 31),
      },
      stream: req.stream === true,
      includeUsage: req.stream_options?.include_usage === true,
    };
  }

  async function handleGeneration(
    kind: Kind,
    body: unknown,
    _req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<string> {
    const { job, stream, includeUsage } = makeJob(kind, body);
    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('hex')}`;
    const now = Math.floor(Date.now() / 1000);
    const object = kind === 'chat' ? 'chat.completion' : 'text_completion';
    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) closed = true;
    });
    const promptTokens = job.prompts.reduce((a, p) => a + p.length, 0);
    const usage = (choices: Choice[]): Record<string, number> => {
      const completion = choices.reduce((a, c) => a + c.tokens, 0);
      return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
    };

    if (!stream) {
      const choices = await enqueue(() => (closed ? Promise.resolve([]) : runJob(job, undefined, () => closed)));
      if (closed) return 'client gone';
      sendJson(res, 200, {
        id,
        object,
        created: now,
        model: opts.modelName,
        choices: choices.map((c, index) =>
          kind === 'chat'
            ? { index, message: { role: 'assistant', content: c.text }, logprobs: null, finish_reason: c.finish }
            : { index, text: c.text, logprobs: null, finish_reason: c.finish },
        ),
        usage: usage(choices),
      });
      return `${choices.length} choices, ${usage(choices).completion_tokens} tokens`;
    }

    // Headers go out at once so clients see the request accepted while it waits in the queue.
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const chunkObject = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const send = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
      if (!closed)
        res.write(
          `data: ${JSON.stringify({ id, object: chunkObject, created: now, model: opts.modelName, choices, ...extra })}\n\n`,
        );
    };
    const piece = (index: number, text: string | undefined, finish: string | null): unknown =>
      kind === 'chat'
        ? { index, delta: text === undefined ? {} : { content: text }, logprobs: null, finish_reason: finish }
        : { index, text: text ?? '', logprobs: null, finish_reason: finish };
    const rows = job.prompts.length * job.n;
    try {
      if (kind === 'chat')
        send(
          Array.from({ length: rows }, (_, index) => ({
            index,
            delta: { role: 'assistant', content: '' },
            logprobs: null,
            finish_reason: null,
          })),
        );
      const choices = await enqueue(() =>
        closed
          ? Promise.resolve([])
          : runJob(
              job,
              (row, text) => send([piece(row, text, null)]),
              () => closed,
            ),
      );
      if (closed) return 'client gone';
      send(choices.map((c, index) => piece(index, undefined, c.finish)));
      if (includeUsage) send([], { usage: usage(choices) });
      res.end('data: [DONE]\n\n');
      return `${choices.length} choices (stream), ${usage(choices).completion_tokens} tokens`;
    } catch (e) {
      // The status line is already sent: report the failure inside the stream.
      if (!closed) res.end(`data: ${JSON.stringify(errorBody(e))}\n\ndata: [DONE]\n\n`);
      throw e;
    }
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<string> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const routes: Record<string, string> = {
      '/v1/models': 'GET',
      '/v1/chat/completions': 'POST',
      '/v1/completions': 'POST',
      '/health': 'GET',
    };
    const allowed = routes[path];
    if (!allowed)
      throw new HttpError(404, `unknown route ${method} ${path}; this server has ${Object.keys(routes).join(', ')}`);
    if (method !== allowed) {
      res.setHeader('Allow', allowed);
      throw new HttpError(405, `${path} takes ${allowed}, not ${method}`);
    }
    if (path === '/health') {
      sendJson(res, 200, { status: 'ok' });
      return 'ok';
    }
    if (path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: opts.modelName, object: 'model', created, owned_by: 'warmup' }],
      });
      return 'ok';
    }
    const raw = await readBody(req, maxBody);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (e) {
      throw new HttpError(400, `invalid JSON body (${(e as Error).message})`);
    }
    return handleGeneration(path === '/v1/chat/completions' ? 'chat' : 'completion', body, req, res);
  }

  const server = http.createServer((req, res) => {
    const t0 = Date.now();
    route(req, res).then(
      (what) => log(`${req.method} ${req.url} ${res.statusCode} ${what} ${((Date.now() - t0) / 1000).toFixed(2)}s`),
      (e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500;
        log(`${req.method} ${req.url} ${status} ${(e as Error)?.message ?? String(e)}`);
        if (!res.headersSent) {
          // A rejected upload may still be arriving: drain it, and close the connection after.
          if (status === 413) res.setHeader('Connection', 'close');
          sendJson(res, status, errorBody(e));
        }
        req.resume();
      },
    );
  });
  return server;
}

function errorBody(e: unknown): { error: { message: string; type: string; param: string | null; code: number } } {
  if (e instanceof HttpError) return { error: { message: e.message, type: e.type, param: e.param, code: e.status } };
  return {
    error: {
      message: `internal error: ${(e as Error)?.message ?? String(e)}`,
      type: 'server_error',
      param: null,
      code: 500,
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, `request body is ${declared} bytes; the limit is ${limit}`));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new HttpError(413, `request body is over the limit of ${limit} bytes`));
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(parts).toString('utf8'));
    });
    req.on('error', (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
  });
}
