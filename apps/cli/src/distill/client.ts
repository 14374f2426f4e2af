// A small fetch-based client for OpenAI-compatible endpoints (vLLM, llama.cpp, Ollama, `warmup
// serve`): n samples for one prompt, retried with exponential backoff on 5xx, 429 and network
// errors, over plain JSON or SSE streaming. No Node APIs, so it can run in a browser too.

export type ApiKind = 'chat' | 'completions';

export interface EndpointOptions {
  /** Base URL, e.g. http://127.0.0.1:8000/v1 (a missing /v1 is added). */
  endpoint: string;
  model: string;
  api: ApiKind;
  apiKey?: string;
  /** Stream responses (SSE): headers arrive at once, so long generations do not hit the header
   *  timeouts of fetch implementations. */
  stream: boolean;
  /** Extra attempts after the first one fails with a retryable error. */
  retries: number;
  /** Delay before the first retry; doubles each time (default 1000 ms). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Called before each retry (for logging). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface SampleRequest {
  system: string;
  user: string;
  /** The rendered prompt text, sent as is by the completions API. */
  prompt: string;
  n: number;
  temperature: number;
  topP: number;
  /** Sent only when set (not every server accepts it). */
  topK?: number;
  maxTokens: number;
}

export interface Sample {
  text: string;
  finishReason: string | null;
}

/** A request that failed for good: a 4xx, or a retryable failure after every retry. */
export class EndpointError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

class Retryable extends Error {
  constructor(
    message: string,
    /** The server's Retry-After, when it sent one. */
    readonly afterMs?: number,
  ) {
    super(message);
  }
}

/** The URL of the API route under a base URL given with or without /v1 or a route. */
export function endpointUrl(base: string, api: ApiKind): string {
  let b = base.trim().replace(/\/+$/, '');
  b = b.replace(/\/(chat\/)?completions$/, '');
  if (!/\/v1$/.test(b)) b = `${b}/v1`;
  return `${b}/${api === 'chat' ? 'chat/completions' : 'completions'}`;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Join a reasoning field (vLLM's reasoning_content, Ollama's reasoning) back into the text the
 *  model wrote after the prompt's `<think>`. */
function joinReasoning(reasoning: string, content: string): string {
  return reasoning ? `${reasoning.replace(/^\s*<think>/, '').trim()}\n</think>\n\n${content.trimStart()}` : content;
}

interface Acc {
  content: string;
  reasoning: string;
  finish: string | null;
}

function absorbChoice(acc: Map<number, Acc>, choice: unknown, api: ApiKind, streaming: boolean): void {
  if (!choice || typeof choice !== 'object') return;
  const c = choice as Record<string, unknown>;
  const index = typeof c.index === 'number' ? c.index : acc.size;
  const a = acc.get(index) ?? { content: '', reasoning: '', finish: null };
  if (api === 'completions') {
    if (typeof c.text === 'string') a.content += c.text;
  } else {
    const m = (streaming ? c.delta : c.message) as Record<string, unknown> | undefined;
    if (m && typeof m.content === 'string') a.content += m.content;
    const r = m?.reasoning_content ?? m?.reasoning;
    if (m && typeof r === 'string') a.reasoning += r;
  }
  if (typeof c.finish_reason === 'string') a.finish = c.finish_reason;
  acc.set(index, a);
}

function serverMessage(body: unknown): string | undefined {
  const e = (body as { error?: unknown } | null)?.error;
  if (typeof e === 'string') return e;
  const m = (e as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : undefined;
}

/** Read an SSE body, feeding each `data:` payload to `onData` until `[DONE]`. */
async function readSse(res: Response, onData: (payload: unknown) => void): Promise<void> {
  if (!res.body) throw new Retryable('empty response body');
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let done = false;
  const handle = (event: string): void => {
    for (const line of event.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        done = true;
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(data);
      } catch {
        throw new Retryable(`malformed stream event: ${data.slice(0, 100)}`);
      }
      const err = serverMessage(payload);
      if (err !== undefined) throw new Retryable(`server error in stream: ${err}`);
      onData(payload);
    }
  };
  for (;;) {
    const { value, done: eof } = await reader.read();
    if (value) buf += dec.decode(value, { stream: true });
    let cut: RegExpExecArray | null;
    while (!done && (cut = /\r?\n\r?\n/.exec(buf))) {
      handle(buf.slice(0, cut.index));
      buf = buf.slice(cut.index + cut[0].length);
    }
    if (done) {
      await reader.cancel().catch(() => undefined);
      return;
    }
    if (eof) break;
  }
  if (buf.trim()) handle(buf);
  // A stream cut before [DONE] lost samples: try the request again.
  if (!done) throw new Retryable('stream ended before [DONE]');
}

/** One HTTP request (one attempt). */
async function requestOnce(ep: EndpointOptions, url: string, body: Record<string, unknown>): Promise<Sample[]> {
  const f = ep.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(ep.apiKey ? { Authorization: `Bearer ${ep.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal: ep.signal,
    });
  } catch (e) {
    if (ep.signal?.aborted) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Retryable(`network error: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    let msg: string | undefined;
    try {
      msg = serverMessage(JSON.parse(text));
    } catch {
      msg = text.slice(0, 200) || undefined;
    }
    const what = `HTTP ${res.status}${msg ? `: ${msg}` : ''}`;
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      const after = Number(res.headers.get('retry-after'));
      throw new Retryable(what, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
    }
    throw new EndpointError(`${url}: ${what}`, res.status);
  }
  const acc = new Map<number, Acc>();
  const type = res.headers.get('content-type') ?? '';
  try {
    if (type.includes('text/event-stream')) {
      await readSse(res, (p) => {
        const choices = (p as { choices?: unknown }).choices;
        if (Array.isArray(choices)) for (const c of choices) absorbChoice(acc, c, ep.api, true);
      });
    } else {
      const json = (await res.json()) as { choices?: unknown };
      if (!Array.isArray(json.choices)) throw new EndpointError(`${url}: response has no "choices" array`);
      for (const c of json.choices) absorbChoice(acc, c, ep.api, false);
    }
  } catch (e) {
    if (e instanceof Retryable || e instanceof EndpointError || ep.signal?.aborted) throw e;
    throw new Retryable(`reading the response failed: ${(e as Error).message}`);
  }
  return [...acc.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, a]) => ({ text: joinReasoning(a.reasoning, a.content), finishReason: a.finish }));
}

/** POST with retries: 5xx, 429, 408, network errors and cut streams are retried with backoff. */
async function requestWithRetries(ep: EndpointOptions, url: string, body: Record<string, unknown>): Promise<Sample[]> {
  const base = ep.retryDelayMs ?? 1000;
  const cap = ep.maxRetryDelayMs ?? 60_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await requestOnce(ep, url, body);
    } catch (e) {
      if (!(e instanceof Retryable)) throw e;
      if (attempt >= ep.retries)
        throw new EndpointError(`${url}: ${e.message} (gave up after ${attempt + 1} attempts)`);
      const backoff = Math.min(cap, base * 2 ** attempt) * (0.75 + 0.5 * Math.random());
      const delayMs = Math.max(backoff, Math.min(cap, e.afterMs ?? 0));
      ep.onRetry?.({ attempt: attempt + 1, delayMs, reason: e.message });
      await sleep(delayMs, ep.signal);
    }
  }
}

/** `req.n` samples of one prompt. Asks for n at once; servers that return fewer choices (many
 *  ignore `n`) are asked again for the rest. */
export async function sampleCompletions(ep: EndpointOptions, req: SampleRequest): Promise<Sample[]> {
  const url = endpointUrl(ep.endpoint, ep.api);
  const out: Sample[] = [];
  while (out.length < req.n) {
    const want = req.n - out.length;
    const body: Record<string, unknown> = {
      model: ep.model,
      n: want,
      temperature: req.temperature,
      top_p: req.topP,
      max_tokens: req.maxTokens,
      stream: ep.stream,
      ...(req.topK !== undefined ? { top_k: req.topK } : {}),
      ...(ep.api === 'chat'
        ? {
            messages: [
              { role: 'system', content: req.system },
              { role: 'user', content: req.user },
            ],
          }
        : { prompt: req.prompt }),
    };
    const got = await requestWithRetries(ep, url, body);
    if (got.length === 0) throw new EndpointError(`${url}: the response has no choices`);
    out.push(...got.slice(0, want));
  }
  return out;
}
