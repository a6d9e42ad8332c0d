/* usehuma/next: server-side checks for Next.js Server Actions and Route
 * Handlers (no dependency on Next.js itself; any runtime with fetch, Request
 * and FormData). Uses the secret key from HUMA_API_KEY and the server from
 * HUMA_BASE_URL. Signals come from the browser in the hidden form field
 * `huma_signals` (filled by <HumaSignalsField/> or <HumaGate/> from
 * usehuma/react) or the JSON field `humaSignals`. */

import { HumaError, hasBehaviour, verifyWithSignals, type AgentBlock, type Signals } from 'usehuma';

/** Form field names the React side fills. */
export const HUMA_SIGNALS_FIELD = 'huma_signals';
export const HUMA_USER_FIELD = 'huma_user_id';

export interface HumaCheck {
  /** Let the request through? False for bots and for submissions without behavioural signals. */
  human: boolean;
  confidence: number;
  score: number;
  /** Empty when degraded or rejected before calling the API. */
  token: string;
  /** True when huma could not be asked (network error, 503, timeout): the check failed open. */
  degraded: boolean;
  /** Why `human` is false without a score from the server: `no_signals`, `invalid_signals`, `rate_limited`. */
  reason?: string;
  notes: string[];
  agent?: AgentBlock;
  /** The HumaError behind a degraded or rejected check. */
  error?: HumaError;
}

export interface CheckOptions {
  /** Defaults to process.env.HUMA_API_KEY (a secret `huma_live_…` key). */
  apiKey?: string;
  /** Defaults to process.env.HUMA_BASE_URL. */
  baseUrl?: string;
  /** Per-attempt timeout (default 3000 ms); on timeout the check fails open. */
  timeoutMs?: number;
  /** Attempts on 503 (default 2). */
  retries?: number;
  action?: string;
  fetch?: typeof fetch;
}

function env(name: string): string | undefined {
  return typeof process !== 'undefined' && process.env ? process.env[name] : undefined;
}

function rejected(reason: string, error?: HumaError): HumaCheck {
  return { human: false, confidence: 0, score: 0, token: '', degraded: false, reason, notes: [reason], error };
}

/** Checks one submission's signals; the core of humaFormCheck and withHumaProtection. */
export async function humaCheck(raw: unknown, userId: string | null | undefined, opts: CheckOptions = {}): Promise<HumaCheck> {
  let signals: unknown = raw;
  if (typeof raw === 'string') {
    try {
      signals = JSON.parse(raw);
    } catch (e) {
      return rejected('no_signals');
    }
  }
  // A scripted direct POST carries no behaviour: rejected without asking the API.
  if (!hasBehaviour(signals)) return rejected('no_signals');
  const apiKey = opts.apiKey || env('HUMA_API_KEY');
  if (!apiKey) throw new HumaError('usehuma/next: set HUMA_API_KEY (a secret huma_live_… key)', 'CONFIG', 0);
  const uid = userId && String(userId).length > 0 ? String(userId).slice(0, 256) : 'anon_' + Math.random().toString(36).slice(2, 12);
  try {
    const r = await verifyWithSignals({
      apiKey,
      baseUrl: opts.baseUrl || env('HUMA_BASE_URL'),
      userId: uid,
      signals: signals as Signals,
      action: opts.action,
      timeoutMs: opts.timeoutMs ?? 3000,
      retries: opts.retries ?? 2,
      fetch: opts.fetch
    });
    return {
      human: r.human,
      confidence: r.confidence,
      score: r.score,
      token: r.token,
      degraded: false,
      notes: r.notes || [],
      agent: r.agent
    };
  } catch (e) {
    if (!(e instanceof HumaError)) throw e;
    // Outages fail open so real users are never blocked.
    if (e.outage) {
      return { human: true, confidence: 0.5, score: 50, token: '', degraded: true, notes: ['degraded'], error: e };
    }
    if (e.code === 'INVALID_SIGNALS') return rejected('invalid_signals', e);
    if (e.status === 429 && e.code === 'USER_FLOOD_DETECTED') return rejected('rate_limited', e);
    // Configuration errors (bad key, quota, trial) are the operator's to fix: thrown.
    throw e;
  }
}

/** Bot-checks a form submission in a Server Action: signals from the `huma_signals` field, userId from `huma_user_id`. */
export function humaFormCheck(formData: FormData, opts: CheckOptions = {}): Promise<HumaCheck> {
  const raw = formData.get(HUMA_SIGNALS_FIELD);
  const user = formData.get(HUMA_USER_FIELD);
  return humaCheck(typeof raw === 'string' ? raw : null, typeof user === 'string' ? user : null, opts);
}

export interface ProtectionOptions extends CheckOptions {
  /** The response for a rejected request (default: 403 JSON `{code: "BOT_DETECTED", error}`). */
  onReject?: (req: Request, huma: HumaCheck) => Response | Promise<Response>;
}

/** Reads signals and userId from a clone of the request, so the handler still gets the body. */
async function fromRequest(req: Request): Promise<[unknown, string | null]> {
  const type = req.headers.get('content-type') || '';
  const copy = req.clone();
  try {
    if (type.includes('application/json')) {
      const j: any = await copy.json();
      return [j && (j.humaSignals ?? j[HUMA_SIGNALS_FIELD] ?? j.signals), j && (j.userId ?? j[HUMA_USER_FIELD] ?? null)];
    }
    if (type.includes('multipart/form-data') || type.includes('application/x-www-form-urlencoded')) {
      const f = await copy.formData();
      const s = f.get(HUMA_SIGNALS_FIELD);
      const u = f.get(HUMA_USER_FIELD);
      return [typeof s === 'string' ? s : null, typeof u === 'string' ? u : null];
    }
  } catch (e) {}
  const h = req.headers.get('x-huma-signals');
  return [h, req.headers.get('x-huma-user-id')];
}

/** Wraps a Route Handler: the request is verified first; bots get 403, humans (and outages, `degraded`) reach `handler`. */
export function withHumaProtection<C = unknown>(
  handler: (req: Request, huma: HumaCheck, ctx: C) => Response | Promise<Response>,
  opts: ProtectionOptions = {}
): (req: Request, ctx: C) => Promise<Response> {
  return async (req: Request, ctx: C) => {
    const [signals, userId] = await fromRequest(req);
    const huma = await humaCheck(signals, userId, opts);
    if (!huma.human) {
      if (opts.onReject) return opts.onReject(req, huma);
      return new Response(JSON.stringify({ code: 'BOT_DETECTED', error: 'Request rejected by the bot check (' + (huma.reason || 'not_human') + ').' }), {
        status: 403,
        headers: { 'content-type': 'application/json' }
      });
    }
    return handler(req, huma, ctx);
  };
}

export { HumaError };
