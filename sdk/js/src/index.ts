/* usehuma: the core client. `verify` collects behavioural signals from the
 * DOM (the same collector as the /v1/huma.js snippet) and verifies them;
 * `verifyWithSignals` is for servers forwarding signals from the browser. */

import { createCollector, type Collector } from './collector.js';
import type { AgentBlock, Challenge, ChallengeAnswer, SessionResult, Signals, VerifyResult } from './types.js';

export type {
  AgentBlock, Challenge, ChallengeAnswer, ChallengeType, ClickTargetsPayload, PatternPayload, SessionResult, Signals, VerifyResult
} from './types.js';
export type { Collector } from './collector.js';

/** An error answer of the API (`code` as in the API's error table), or a network failure (`code: "NETWORK_ERROR"`, status 0) or timeout (`"TIMEOUT"`, status 0). */
export class HumaError extends Error {
  readonly code: string;
  readonly status: number;
  /** Seconds from the `Retry-After` header, when the server set one. */
  readonly retryAfter?: number;
  readonly body?: unknown;
  constructor(message: string, code: string, status: number, retryAfter?: number, body?: unknown) {
    super(message);
    this.name = 'HumaError';
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
    this.body = body;
  }
  /** True for outages the SDK fails open on: network errors, timeouts and 503. */
  get outage(): boolean {
    return this.status === 0 || this.status === 503;
  }
}

/** Options every call takes. */
export interface ClientOptions {
  /** Your API key. In browser code use a publishable key (`huma_pub_…`), never a secret `huma_live_…` key. */
  apiKey: string;
  /** Where huma runs, e.g. `https://huma.example.com`. Defaults to `HUMA_BASE_URL` (Node) or the page's origin (browser). */
  baseUrl?: string;
  /** Per-attempt timeout in ms (default 10000). */
  timeoutMs?: number;
  /** Attempts on 503 (default 3), with exponential backoff. */
  retries?: number;
  /** A custom fetch (tests, edge runtimes). */
  fetch?: typeof fetch;
}

export interface VerifyOptions extends ClientOptions {
  userId: string;
  /** Stored with the token; `token/verify` checks it. */
  action?: string;
  /** Adds `reasons` to the result. */
  explain?: boolean;
}

export interface VerifyWithSignalsOptions extends VerifyOptions {
  /** Signals collected in the browser (`Huma.debug().features`, `collectSignals()`); missing signals score as a bot. */
  signals?: Signals | null;
}

declare const process: { env: Record<string, string | undefined> } | undefined;

function defaultBase(): string {
  try {
    if (typeof process !== 'undefined' && process.env && process.env.HUMA_BASE_URL) return process.env.HUMA_BASE_URL;
  } catch (e) {}
  if (typeof window !== 'undefined' && window.location) return window.location.origin;
  throw new HumaError('usehuma: no baseUrl given and HUMA_BASE_URL is not set', 'CONFIG', 0);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let warnedLiveKey = false;

/** Secret keys do not belong in web pages: say so once (the server still answers). */
function warnIfSecretInBrowser(apiKey: string) {
  if (warnedLiveKey || typeof window === 'undefined' || typeof document === 'undefined') return;
  if (!/^huma_live_/.test(apiKey)) return;
  warnedLiveKey = true;
  console.warn('usehuma: a secret huma_live_ key is used in a browser, where anyone can read it. Use a publishable huma_pub_ key limited to your origins.');
}

/** POSTs `body` to `path`, retrying 503 with exponential backoff (honouring Retry-After up to 2 s). */
export async function request<T>(opts: ClientOptions, path: string, body: unknown): Promise<T> {
  const base = String(opts.baseUrl || defaultBase()).replace(/\/+$/, '');
  warnIfSecretInBrowser(opts.apiKey);
  const doFetch = opts.fetch || fetch;
  const attempts = Math.max(1, opts.retries ?? 3);
  const timeout = opts.timeoutMs ?? 10000;
  let last: HumaError | undefined;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) {
      const backoff = 200 * 2 ** (i - 1) + Math.random() * 100;
      await sleep(last?.retryAfter != null ? Math.min(last.retryAfter * 1000, 2000) : backoff);
    }
    const ctl = typeof AbortController === 'function' ? new AbortController() : undefined;
    const timer = ctl ? setTimeout(() => ctl.abort(), timeout) : undefined;
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + opts.apiKey },
        body: JSON.stringify(body),
        signal: ctl?.signal
      });
    } catch (e) {
      if (timer) clearTimeout(timer);
      const aborted = ctl?.signal.aborted;
      // Network errors and timeouts are not retried: the caller decides (the Next helpers fail open).
      throw new HumaError(
        aborted ? `usehuma: no answer from ${base} within ${timeout} ms` : `usehuma: cannot reach ${base}: ${(e as Error).message}`,
        aborted ? 'TIMEOUT' : 'NETWORK_ERROR',
        0
      );
    }
    let json: any = null;
    try {
      json = await res.json();
    } catch (e) {
      json = null;
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (res.ok) return json as T;
    const ra = Number(res.headers.get('retry-after'));
    last = new HumaError(
      (json && json.error) || `usehuma: HTTP ${res.status}`,
      (json && json.code) || (res.status === 503 ? 'UNAVAILABLE' : 'HTTP_' + res.status),
      res.status,
      Number.isFinite(ra) && res.headers.get('retry-after') !== null ? ra : undefined,
      json
    );
    if (res.status !== 503) throw last;
  }
  throw last!;
}

const COLLECTOR_KEY = '__usehumaCollector';

/** The page's collector, created (and collection started) on first use; null outside a browser. */
export function getCollector(): Collector | null {
  if (typeof window === 'undefined' || typeof document === 'undefined') return null;
  const w = window as any;
  if (!w[COLLECTOR_KEY]) w[COLLECTOR_KEY] = createCollector(w, document);
  return w[COLLECTOR_KEY];
}

/** Starts collecting behavioural signals now (verify() does it on first use; call early for a richer score). */
export function startCollecting(): boolean {
  return getCollector() !== null;
}

/** The signals collected so far on this page (null outside a browser). */
export function collectSignals(): Signals | null {
  const c = getCollector();
  return c ? c.snapshot() : null;
}

const lastTokens: Record<string, string> = {};

/** The token of the last human verify (or passed challenge) of `userId` on this page. */
export function lastToken(userId: string): string | undefined {
  return lastTokens[userId];
}

/** @internal */
export function rememberToken(userId: string, token: string): void {
  lastTokens[userId] = token;
}

/** Verifies with the signals other code collected (servers: forwarded from the browser). */
export async function verifyWithSignals(opts: VerifyWithSignalsOptions): Promise<VerifyResult> {
  const body: Record<string, unknown> = { userId: opts.userId };
  if (opts.signals) body.sessionData = opts.signals;
  if (opts.action) body.action = opts.action;
  if (opts.explain) body.explain = true;
  const r = await request<VerifyResult>(opts, '/api/v1/verify', body);
  if (r && r.human && r.token) rememberToken(opts.userId, r.token);
  return r;
}

/** Collects behavioural signals from the DOM and verifies in one call (browser). */
export function verify(opts: VerifyOptions): Promise<VerifyResult> {
  return verifyWithSignals({ ...opts, signals: collectSignals() });
}

export interface SessionOptions extends ClientOptions {
  userId: string;
  /** The token from verify() (or a passed challenge). */
  token: string;
  /** Heartbeat interval in ms (default 30000). */
  intervalMs?: number;
  onResult?: (r: SessionResult) => void;
  onAnomaly?: (r: SessionResult) => void;
  onError?: (e: unknown) => void;
}

/** Sends one heartbeat window. */
export function sendHeartbeat(opts: ClientOptions & { userId: string; token: string; signals?: Signals | null }): Promise<SessionResult> {
  const body: Record<string, unknown> = { userId: opts.userId, sessionToken: opts.token };
  if (opts.signals) body.sessionData = opts.signals;
  return request<SessionResult>(opts, '/api/v1/session', body);
}

let sessionTimer: ReturnType<typeof setInterval> | null = null;

/** Starts heartbeats every `intervalMs`, each with the behaviour of its window. One session at a time. */
export function startSession(opts: SessionOptions): void {
  stopSession();
  const c = getCollector();
  if (c) c.fresh();
  sessionTimer = setInterval(() => {
    const data = c ? c.snapshot() : null;
    if (c) c.fresh();
    sendHeartbeat({ ...opts, signals: data }).then(
      (r) => {
        opts.onResult?.(r);
        if (r && r.anomaly) opts.onAnomaly?.(r);
      },
      (e) => opts.onError?.(e)
    );
  }, opts.intervalMs && opts.intervalMs > 0 ? opts.intervalMs : 30000);
}

export function stopSession(): void {
  if (sessionTimer !== null) clearInterval(sessionTimer);
  sessionTimer = null;
}

/** Creates a challenge (for a borderline confidence). */
export function createChallenge(opts: ClientOptions & { userId: string }): Promise<Challenge> {
  return request<Challenge>(opts, '/api/v1/challenge/create', { userId: opts.userId });
}

/** Submits a challenge answer with the behaviour recorded while solving (defaults to the page's signals). */
export function answerChallenge(
  opts: ClientOptions & { challengeId: string; answer: string; signals?: Signals | null }
): Promise<ChallengeAnswer> {
  const signals = opts.signals === undefined ? collectSignals() : opts.signals;
  const body: Record<string, unknown> = { challenge_id: opts.challengeId, answer: opts.answer };
  if (signals) body.sessionData = signals;
  return request<ChallengeAnswer>({ ...opts, retries: opts.retries ?? 1 }, '/api/v1/challenge/verify', body);
}

/** Signals carry behaviour when at least one input event was observed. */
export function hasBehaviour(s: unknown): s is Signals {
  if (!s || typeof s !== 'object') return false;
  const n = (s as Signals).n;
  if (!n || typeof n !== 'object') return false;
  return (n.m || 0) + (n.c || 0) + (n.k || 0) + (n.s || 0) + (n.t || 0) > 0;
}

