import { describe, expect, inject, it } from 'vitest';
import { createServer } from 'node:http';
import { HumaError, hasBehaviour, request, verifyWithSignals, sendHeartbeat, createChallenge, answerChallenge } from 'usehuma';
import { humanSignals } from './signals';

const baseUrl = inject('humaUrl');
const testKey = inject('testKey');
const liveKey = inject('liveKey');

describe('verifyWithSignals against the real server', () => {
  it('returns a VerifyResult for forwarded signals', async () => {
    const r = await verifyWithSignals({ apiKey: liveKey, baseUrl, userId: 'user_core_1', signals: humanSignals(3) });
    expect(typeof r.human).toBe('boolean');
    expect(r.confidence).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(r.score).toBe(Math.round(r.confidence * 100));
    expect(r.token).toMatch(/^h_verified_/);
    expect(r.pii_stored).toBe(false);
    expect(r.agent).toBeDefined();
  });

  it('test keys answer deterministically by userId prefix', async () => {
    const bot = await verifyWithSignals({ apiKey: testKey, baseUrl, userId: 'bot_1', signals: humanSignals() });
    expect(bot).toMatchObject({ human: false, confidence: 0.05 });
    const mid = await verifyWithSignals({ apiKey: testKey, baseUrl, userId: 'borderline_1', signals: humanSignals() });
    expect(mid.confidence).toBe(0.45);
    const ok = await verifyWithSignals({ apiKey: testKey, baseUrl, userId: 'person_1', signals: humanSignals() });
    expect(ok).toMatchObject({ human: true, confidence: 0.95 });
  });

  it('no signals scores as a bot', async () => {
    const r = await verifyWithSignals({ apiKey: liveKey, baseUrl, userId: 'user_core_2', signals: undefined });
    expect(r.human).toBe(false);
    expect(r.notes).toContain('no_signals');
  });

  it('errors are HumaErrors carrying the API code and status', async () => {
    const e1 = await verifyWithSignals({ apiKey: 'nope', baseUrl, userId: 'u' }).catch((e) => e);
    expect(e1).toBeInstanceOf(HumaError);
    expect(e1).toMatchObject({ code: 'INVALID_API_KEY_FORMAT', status: 401 });
    const e2 = await verifyWithSignals({ apiKey: 'huma_live_' + 'x'.repeat(32), baseUrl, userId: 'u' }).catch((e) => e);
    expect(e2).toMatchObject({ code: 'INVALID_API_KEY', status: 401 });
    const e3 = await verifyWithSignals({ apiKey: liveKey, baseUrl, userId: '' }).catch((e) => e);
    expect(e3).toMatchObject({ code: 'INVALID_REQUEST', status: 400 });
    const bad = { ...humanSignals(), m: [1, 2] } as any;
    const e4 = await verifyWithSignals({ apiKey: liveKey, baseUrl, userId: 'u', signals: bad }).catch((e) => e);
    expect(e4).toMatchObject({ code: 'INVALID_SIGNALS', status: 400 });
    expect(e4.message).toMatch(/m/);
  });

  it('heartbeats and challenges work with the returned token', async () => {
    const v = await verifyWithSignals({ apiKey: testKey, baseUrl, userId: 'person_hb', signals: humanSignals() });
    const s = await sendHeartbeat({ apiKey: testKey, baseUrl, userId: 'person_hb', token: v.token });
    expect(s).toMatchObject({ action: 'allow', anomaly: false });
    const e = await sendHeartbeat({ apiKey: testKey, baseUrl, userId: 'someone_else', token: v.token }).catch((x) => x);
    expect(e).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const ch = await createChallenge({ apiKey: testKey, baseUrl, userId: 'borderline_ch' });
    expect(['click_targets', 'pattern']).toContain(ch.type);
    const wrong = await answerChallenge({ apiKey: testKey, baseUrl, challengeId: ch.challenge_id, answer: 'zz', signals: humanSignals() });
    expect(wrong).toMatchObject({ passed: false, attempts_remaining: 2 });
  });

  it('hasBehaviour tells empty windows apart', () => {
    expect(hasBehaviour(humanSignals())).toBe(true);
    expect(hasBehaviour({ v: 1, dur: 0, m: [], c: [], k: [], s: [], t: [], f: [], n: { m: 0, mc: 0, c: 0, k: 0, s: 0, t: 0, u: 0 } })).toBe(false);
    expect(hasBehaviour(null)).toBe(false);
  });
});

describe('retries', () => {
  it('retries 503 with backoff and then succeeds; gives up with UNAVAILABLE', async () => {
    let calls = 0;
    const srv = createServer((req, res) => {
      calls++;
      if (calls < 3 || req.url === '/always') {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
        return res.end(JSON.stringify({ code: 'UNAVAILABLE', error: 'store down' }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(srv.address() as any).port}`;
    try {
      await expect(request({ apiKey: 'k', baseUrl: base }, '/x', {})).resolves.toEqual({ ok: true });
      expect(calls).toBe(3);
      calls = 0;
      const e = await request({ apiKey: 'k', baseUrl: base, retries: 2 }, '/always', {}).catch((x) => x);
      expect(e).toMatchObject({ code: 'UNAVAILABLE', status: 503, outage: true });
      expect(calls).toBe(2);
    } finally {
      srv.close();
    }
  });
});
