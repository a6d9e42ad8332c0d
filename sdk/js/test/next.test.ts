import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { humaFormCheck, withHumaProtection } from 'usehuma/next';
import { humanSignals } from './signals';
import { POST, apiCheck, created, redirects, signUp } from './seed-server';

const baseUrl = inject('humaUrl');
const testKey = inject('testKey');
const liveKey = inject('liveKey');

function form(fields: Record<string, string>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

let down: Server; // answers 503
let hang: Server; // never answers
let downUrl = '';
let hangUrl = '';

beforeAll(async () => {
  process.env.HUMA_BASE_URL = baseUrl;
  process.env.HUMA_API_KEY = testKey;
  down = createServer((_q, r) => {
    r.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
    r.end('{"code":"UNAVAILABLE","error":"store down"}');
  });
  hang = createServer(() => {});
  await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  downUrl = `http://127.0.0.1:${(down.address() as any).port}`;
  hangUrl = `http://127.0.0.1:${(hang.address() as any).port}`;
});
afterAll(() => {
  down.close();
  hang.closeAllConnections();
  hang.close();
});

describe('humaFormCheck', () => {
  it('rejects submissions without behavioural signals, without calling the API', async () => {
    for (const f of [form({}), form({ huma_signals: '' }), form({ huma_signals: 'not json' }),
      form({ huma_signals: JSON.stringify({ ...humanSignals(), n: { m: 0, mc: 0, c: 0, k: 0, s: 0, t: 0, u: 0 } }) })]) {
      const r = await humaFormCheck(f, { baseUrl: downUrl });
      expect(r).toMatchObject({ human: false, degraded: false, reason: 'no_signals' });
    }
  });

  it('passes humans and stops bots (test key, by userId prefix)', async () => {
    const ok = await humaFormCheck(form({ huma_signals: JSON.stringify(humanSignals()), huma_user_id: 'person_f1' }));
    expect(ok).toMatchObject({ human: true, confidence: 0.95, degraded: false });
    expect(ok.token).toMatch(/^h_verified_/);
    const bot = await humaFormCheck(form({ huma_signals: JSON.stringify(humanSignals()), huma_user_id: 'bot_f1' }));
    expect(bot).toMatchObject({ human: false, confidence: 0.05, degraded: false });
  });

  it('fails open on outages: network error, 503, timeout', async () => {
    const f = form({ huma_signals: JSON.stringify(humanSignals()), huma_user_id: 'person_f2' });
    const net = await humaFormCheck(f, { baseUrl: 'http://127.0.0.1:9' });
    expect(net).toMatchObject({ human: true, degraded: true });
    expect(net.error?.code).toBe('NETWORK_ERROR');
    const unavailable = await humaFormCheck(f, { baseUrl: downUrl });
    expect(unavailable).toMatchObject({ human: true, degraded: true });
    expect(unavailable.error?.code).toBe('UNAVAILABLE');
    const slow = await humaFormCheck(f, { baseUrl: hangUrl, timeoutMs: 300 });
    expect(slow).toMatchObject({ human: true, degraded: true });
    expect(slow.error?.code).toBe('TIMEOUT');
  });

  it('throws configuration errors (bad key) instead of failing open', async () => {
    const f = form({ huma_signals: JSON.stringify(humanSignals()) });
    await expect(humaFormCheck(f, { apiKey: 'huma_live_' + 'q'.repeat(32) })).rejects.toMatchObject({ code: 'INVALID_API_KEY' });
  });
});

describe('withHumaProtection', () => {
  const handler = withHumaProtection(async (req, huma) => Response.json({ body: await req.json(), huma }));

  it('hands the body to the handler after a pass', async () => {
    const body = { email: 'a@b.example', userId: 'person_r1', humaSignals: humanSignals() };
    const res = await handler(new Request('http://app/api/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), undefined);
    expect(res.status).toBe(200);
    const j = await res.json();
    expect(j.body.email).toBe('a@b.example');
    expect(j.huma).toMatchObject({ human: true, degraded: false });
  });

  it('rejects scripted POSTs and bots with 403 BOT_DETECTED', async () => {
    const plain = await handler(new Request('http://app/api/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"x"}' }), undefined);
    expect(plain.status).toBe(403);
    expect(await plain.json()).toMatchObject({ code: 'BOT_DETECTED' });
    const bot = await handler(new Request('http://app/api/x', { method: 'POST', body: new URLSearchParams({ huma_user_id: 'bot_r', huma_signals: JSON.stringify(humanSignals()) }) }), undefined);
    expect(bot.status).toBe(403);
  });

  it('fails open when huma is down', async () => {
    const h = withHumaProtection(async (_req, huma) => Response.json(huma), { baseUrl: downUrl });
    const res = await h(new Request('http://app/api/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ humaSignals: humanSignals() }) }), undefined);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ human: true, degraded: true });
  });
});

describe("the seed's server-side examples run", () => {
  it('verifyWithSignals in an API route', async () => {
    process.env.HUMA_API_KEY = liveKey;
    try {
      const r = await apiCheck({ body: { userId: 'user_seed', signals: humanSignals(7) } });
      expect(r.token).toMatch(/^h_verified_/);
    } finally {
      process.env.HUMA_API_KEY = testKey;
    }
  });

  it('humaFormCheck in a Server Action', async () => {
    await signUp(form({ huma_signals: JSON.stringify(humanSignals()), huma_user_id: 'person_s1' }));
    expect(created).toHaveLength(1);
    await expect(signUp(form({ email: 'scripted@post' }))).rejects.toThrow(/NEXT_REDIRECT/);
    expect(redirects).toEqual(['/signup?error=bot_detected']);
  });

  it('withHumaProtection on a Route Handler', async () => {
    const res = await POST(new Request('http://app/api/signup', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'person_s2', name: 'Ada', humaSignals: humanSignals() }),
    }), undefined);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, confidence: 0.95, body: { name: 'Ada' } });
  });
});
