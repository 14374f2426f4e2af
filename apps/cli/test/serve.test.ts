// `warmup serve`'s HTTP server on a real socket with the qwen-tiny preset: OpenAI-shaped JSON and
// SSE responses, greedy streaming equal to non-streaming, stop strings, n, and 4xx on bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type Running } from './helpers/servers.ts';

let srv: Running;
beforeAll(async () => {
  srv = await startModelServer({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await srv?.close();
});

async function post(route: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${srv.url}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

/** POST with stream: true; returns the parsed `data:` payloads up to (not including) [DONE]. */
async function stream(
  route: string,
  body: Record<string, unknown>,
): Promise<{ events: any[]; done: boolean; type: string | null }> {
  const r = await fetch(`${srv.url}${route}`, { method: 'POST', body: JSON.stringify({ ...body, stream: true }) });
  const text = await r.text();
  const events: any[] = [];
  let done = false;
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    expect(block.startsWith('data: ')).toBe(true);
    const data = block.slice(6);
    if (data === '[DONE]') done = true;
    else events.push(JSON.parse(data));
  }
  return { events, done, type: r.headers.get('content-type') };
}

const chat = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Who is a knight?' },
  ],
};

describe('serve: responses', () => {
  it('lists the model', async () => {
    const r = await fetch(`${srv.url}/v1/models`);
    const j = await r.json();
    expect(r.status).toBe(200);
    expect(j.object).toBe('list');
    expect(j.data.map((m: { id: string }) => m.id)).toEqual(['qwen-tiny']);
  });

  it('chat completion with n=3 returns 3 choices, usage and finish reasons', async () => {
    const r = await post('/v1/chat/completions', { ...chat, max_tokens: 6, n: 3, seed: 1 });
    expect(r.status).toBe(200);
    expect(r.json.object).toBe('chat.completion');
    expect(r.json.model).toBe('qwen-tiny');
    expect(r.json.choices).toHaveLength(3);
    for (const [i, c] of r.json.choices.entries()) {
      expect(c.index).toBe(i);
      expect(c.message.role).toBe('assistant');
      expect(typeof c.message.content).toBe('string');
      expect(['stop', 'length']).toContain(c.finish_reason);
    }
    const u = r.json.usage;
    expect(u.completion_tokens).toBeGreaterThan(0);
    expect(u.completion_tokens).toBeLessThanOrEqual(18);
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
    // The Qwen chat template around two messages plus the opened assistant turn: > 15 tokens.
    expect(u.prompt_tokens).toBeGreaterThan(15);
  });

  it('the same seed gives the same samples; another seed differs', async () => {
    const body = { prompt: 'Once upon a time', max_tokens: 8, temperature: 1, seed: 7 };
    const a = await post('/v1/completions', body);
    const b = await post('/v1/completions', body);
    const c = await post('/v1/completions', { ...body, seed: 8 });
    expect(a.json.choices[0].text).toBe(b.json.choices[0].text);
    expect(a.json.choices[0].text).not.toBe(c.json.choices[0].text);
  });

  it('greedy streaming gives the same text as the plain response, then [DONE]', async () => {
    const body = { prompt: 'The knights and knaves', max_tokens: 10, temperature: 0 };
    const plain = await post('/v1/completions', body);
    const s = await stream('/v1/completions', { ...body, stream_options: { include_usage: true } });
    expect(s.type).toContain('text/event-stream');
    expect(s.done).toBe(true);
    const text = s.events.flatMap((e) => e.choices.map((c: { text: string }) => c.text)).join('');
    expect(text).toBe(plain.json.choices[0].text);
    expect(s.events.length).toBeGreaterThan(2); // streamed in pieces, not one blob
    const finish = s.events
      .flatMap((e) => e.choices.map((c: { finish_reason: string | null }) => c.finish_reason))
      .filter(Boolean);
    expect(finish).toEqual([plain.json.choices[0].finish_reason]);
    expect(s.events.at(-1).usage).toEqual(plain.json.usage);
  });

  it('chat streaming with n=2 sends a role delta, then content per choice index', async () => {
    const s = await stream('/v1/chat/completions', { ...chat, max_tokens: 5, n: 2, temperature: 0 });
    expect(s.done).toBe(true);
    expect(s.events[0].object).toBe('chat.completion.chunk');
    expect(s.events[0].choices.map((c: any) => c.delta.role)).toEqual(['assistant', 'assistant']);
    const texts = ['', ''];
    for (const e of s.events) for (const c of e.choices) texts[c.index] += c.delta.content ?? '';
    const plain = await post('/v1/chat/completions', { ...chat, max_tokens: 5, temperature: 0 });
    // Greedy: both rows equal the single greedy answer.
    expect(texts).toEqual([plain.json.choices[0].message.content, plain.json.choices[0].message.content]);
  });

  it('a stop string cuts the text before it, with finish_reason "stop" (plain and streamed)', async () => {
    const body = { prompt: 'Knights always tell the truth', max_tokens: 12, temperature: 0 };
    const full = (await post('/v1/completions', body)).json.choices[0].text as string;
    expect(full.length).toBeGreaterThan(6);
    const stop = full.slice(Math.floor(full.length / 2), Math.floor(full.length / 2) + 2);
    const expected = full.slice(0, full.indexOf(stop));
    const r = await post('/v1/completions', { ...body, stop: [stop] });
    expect(r.json.choices[0].text).toBe(expected);
    expect(r.json.choices[0].finish_reason).toBe('stop');
    const s = await stream('/v1/completions', { ...body, stop });
    expect(s.events.flatMap((e) => e.choices.map((c: { text: string }) => c.text)).join('')).toBe(expected);
  });

  it('queues concurrent requests and answers all of them', async () => {
    const rs = await Promise.all(
      [1, 2, 3].map((seed) => post('/v1/completions', { prompt: 'a', max_tokens: 3, seed })),
    );
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200]);
  });
});

describe('serve: bad requests get 4xx with an OpenAI error body', () => {
  const cases: Array<[string, string, unknown, number, RegExp]> = [
    ['invalid JSON', '/v1/chat/completions', '{"messages": [', 400, /invalid JSON/],
    ['missing messages', '/v1/chat/completions', { max_tokens: 3 }, 400, /"messages" is required/],
    ['missing prompt', '/v1/completions', { max_tokens: 3 }, 400, /"prompt" is required/],
    ['wrong type', '/v1/chat/completions', { ...chat, temperature: 'hot' }, 400, /"temperature"/],
    ['bad role', '/v1/chat/completions', { messages: [{ role: 'wizard', content: 'x' }] }, 400, /"messages.0.role"/],
    ['n too large', '/v1/completions', { prompt: 'a', n: 1000 }, 400, /"n"/],
    ['token id outside vocab', '/v1/completions', { prompt: [1, 999999999] }, 400, /outside the vocabulary/],
    ['body not an object', '/v1/completions', '[1,2]', 400, /request body|prompt/],
    ['empty prompt', '/v1/completions', { prompt: '' }, 400, /empty/],
  ];
  for (const [name, route, body, status, msg] of cases) {
    it(name, async () => {
      const r = await post(route, body);
      expect(r.status).toBe(status);
      expect(r.json.error.type).toBe('invalid_request_error');
      expect(r.json.error.message).toMatch(msg);
    });
  }

  it('unknown route → 404, wrong method → 405', async () => {
    const a = await fetch(`${srv.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(a.status).toBe(404);
    expect((await a.json()).error.message).toMatch(/unknown route/);
    const b = await fetch(`${srv.url}/v1/chat/completions`);
    expect(b.status).toBe(405);
    expect(b.headers.get('allow')).toBe('POST');
  });

  it('a body over the limit → 413, and the server keeps serving', async () => {
    const big = JSON.stringify({ prompt: 'x'.repeat(100 * 1024) });
    const r = await fetch(`${srv.url}/v1/completions`, { method: 'POST', body: big });
    expect(r.status).toBe(413);
    expect((await r.json()).error.message).toMatch(/limit/);
    const ok = await post('/v1/completions', { prompt: 'still alive', max_tokens: 2 });
    expect(ok.status).toBe(200);
  });
});
