/* usehuma/react: hooks and components. In browser code use a publishable
 * key (`huma_pub_…`, limited to your origins), never a secret live key. */

import { useCallback, useEffect, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import {
  answerChallenge, collectSignals, createChallenge, getCollector, HumaError, lastToken, rememberToken, sendHeartbeat, startCollecting, verify as coreVerify,
  type Challenge, type ChallengeType, type ClickTargetsPayload, type PatternPayload, type SessionResult, type VerifyResult
} from 'usehuma';

export interface UseHumaOptions {
  apiKey: string;
  userId: string;
  baseUrl?: string;
  action?: string;
}

/** `verify()` with the page's behaviour; `collecting` is true once the collector runs (after mount). */
export function useHuma(opts: UseHumaOptions): { verify: () => Promise<VerifyResult>; collecting: boolean } {
  const [collecting, setCollecting] = useState(false);
  const ref = useRef(opts);
  ref.current = opts;
  useEffect(() => {
    setCollecting(startCollecting());
  }, []);
  const verify = useCallback(() => coreVerify(ref.current), []);
  return { verify, collecting };
}

export interface UseHumaSessionOptions {
  apiKey: string;
  userId: string;
  /** The token from verify(); defaults to the last human verify of `userId` on this page. */
  token?: string;
  /** Heartbeat interval in ms (default 30000). */
  interval?: number;
  baseUrl?: string;
  /** Called on an anomalous window with its action (`"flag"` or `"block"`) and the whole result. */
  onAnomaly?: (action: SessionResult['action'], result: SessionResult) => void;
  onError?: (e: unknown) => void;
}

/** Heartbeats every `interval` ms while mounted; returns the latest result. */
export function useHumaSession(opts: UseHumaSessionOptions): { anomaly: boolean; lastResult: SessionResult | null; error: unknown } {
  const [lastResult, setLast] = useState<SessionResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ref = useRef(opts);
  ref.current = opts;
  const token = opts.token;
  const every = opts.interval && opts.interval > 0 ? opts.interval : 30000;
  useEffect(() => {
    startCollecting();
    const id = setInterval(() => {
      const o = ref.current;
      const t = o.token || lastToken(o.userId);
      if (!t) return; // nothing verified yet
      // Each heartbeat carries the behaviour of its own window.
      const c = getCollector();
      const signals = c ? c.snapshot() : null;
      c?.fresh();
      sendHeartbeat({ apiKey: o.apiKey, baseUrl: o.baseUrl, userId: o.userId, token: t, signals }).then(
        (r) => {
          setLast(r);
          setError(null);
          if (r.anomaly) ref.current.onAnomaly?.(r.action, r);
        },
        (e) => {
          setError(e);
          ref.current.onError?.(e);
        }
      );
    }, every);
    return () => clearInterval(id);
  }, [token, every, opts.userId]);
  return { anomaly: !!lastResult?.anomaly, lastResult, error };
}

const NAMES: Record<string, string> = {
  '🎯': 'target', '🌿': 'leaf', '🍎': 'apple', '🚗': 'car', '⭐': 'star', '🐟': 'fish',
  '🎈': 'balloon', '🔑': 'key', '🌙': 'moon', '🎵': 'music note'
};

export interface HumaChallengeProps {
  challengeId: string;
  type: ChallengeType;
  payload: ClickTargetsPayload | PatternPayload;
  apiKey: string;
  baseUrl?: string;
  /** The challenge was passed; `token` works like a verify token. */
  onPassed: (token: string) => void;
  /** Out of attempts, expired or closed. */
  onBlocked: () => void;
  onError?: (e: unknown) => void;
}

/** Arrow keys move focus among `buttons` laid out in `cols` columns. */
function arrowKeys(e: React.KeyboardEvent, buttons: (HTMLButtonElement | null)[], i: number, cols: number) {
  const step = ({ ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols } as Record<string, number>)[e.key];
  if (!step) return;
  e.preventDefault();
  const n = buttons.length;
  buttons[(((i + step) % n) + n) % n]?.focus();
}

const box: React.CSSProperties = { position: 'relative', height: 220, border: '1px solid #ccc', borderRadius: 6, margin: '8px 0' };
const target: React.CSSProperties = {
  position: 'absolute', transform: 'translate(-50%,-50%)', fontSize: 28, width: 48, height: 48, borderRadius: '50%',
  border: '1px solid #999', background: '#f6f6f6', cursor: 'pointer'
};

/** A visual challenge (click_targets or pattern), keyboard operable (Tab, arrow keys, Enter/Space), submitted with the behaviour recorded while solving. */
export function HumaChallenge(props: HumaChallengeProps) {
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState<number[]>([]);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const ref = useRef(props);
  ref.current = props;
  useEffect(() => {
    startCollecting();
    buttons.current[0]?.focus();
  }, [props.challengeId]);

  const submit = (answer: string) => {
    if (busy) return;
    setBusy(true);
    setStatus('Checking…');
    const p = ref.current;
    answerChallenge({ apiKey: p.apiKey, baseUrl: p.baseUrl, challengeId: p.challengeId, answer, signals: collectSignals() }).then(
      (r) => {
        setBusy(false);
        if (r.passed && r.token) {
          setStatus('Passed.');
          ref.current.onPassed(r.token);
        } else if ((r.attempts_remaining ?? 0) > 0) {
          setStatus(`${r.message || 'Incorrect answer'}. Attempts left: ${r.attempts_remaining}.`);
          setPicked([]);
        } else {
          setStatus(r.message || 'Challenge failed.');
          ref.current.onBlocked();
        }
      },
      (e) => {
        setBusy(false);
        if (e instanceof HumaError && (e.code === 'CHALLENGE_CLOSED' || e.code === 'NOT_FOUND')) {
          setStatus('Challenge closed.');
          ref.current.onBlocked();
          return;
        }
        setStatus('Network error; try again.');
        ref.current.onError?.(e);
      }
    );
  };

  const title = `huma-ch-${props.challengeId}-t`;
  const stat = `huma-ch-${props.challengeId}-s`;
  let body: ReactNode;
  if (props.type === 'click_targets') {
    const pl = props.payload as ClickTargetsPayload;
    body = (
      <div role="group" aria-label="Targets" style={box}>
        {pl.targets.map((t, i) => (
          <button
            key={t.id}
            type="button"
            aria-label={NAMES[t.label] || t.label}
            ref={(b) => { buttons.current[i] = b; }}
            style={{ ...target, left: t.x + '%', top: t.y + '%' }}
            disabled={busy}
            onKeyDown={(e) => arrowKeys(e, buttons.current.slice(0, pl.targets.length), i, 1)}
            onClick={() => submit(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
    );
  } else {
    const dots = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    body = (
      <>
        <div role="group" aria-label="Dots 1 to 9, in rows of three" style={{ display: 'grid', gridTemplateColumns: 'repeat(3,1fr)', gap: 18, padding: 18 }}>
          {dots.map((n, i) => {
            const at = picked.indexOf(n);
            return (
              <button
                key={n}
                type="button"
                aria-label={'Dot ' + n}
                aria-pressed={at >= 0}
                ref={(b) => { buttons.current[i] = b; }}
                style={{ height: 44, borderRadius: '50%', border: '2px solid #555', background: at >= 0 ? '#2b6cb0' : '#fff', color: at >= 0 ? '#fff' : '#111' }}
                onKeyDown={(e) => arrowKeys(e, buttons.current.slice(0, 9), i, 3)}
                onClick={() => {
                  if (at >= 0) return;
                  const next = [...picked, n];
                  setPicked(next);
                  setStatus('Selected: ' + next.join(', '));
                }}
              >
                {at >= 0 ? String(at + 1) : ''}
              </button>
            );
          })}
        </div>
        <div style={{ display: 'flex', gap: 8 }}>
          <button type="button" disabled={busy || picked.length === 0} onClick={() => submit(picked.join('-'))}>Submit</button>
          <button type="button" onClick={() => { setPicked([]); setStatus('Cleared.'); }}>Clear</button>
        </div>
      </>
    );
  }
  return (
    <div
      role="dialog"
      aria-modal="true"
      aria-labelledby={title}
      aria-describedby={stat}
      data-huma-challenge={props.challengeId}
      style={{ background: '#fff', color: '#111', border: '1px solid #888', borderRadius: 8, padding: 16, width: 340, font: '16px/1.4 system-ui,sans-serif' }}
    >
      <p id={title}>{props.payload.instruction}</p>
      {body}
      <p id={stat} role="status" aria-live="polite" style={{ minHeight: '1.4em' }}>{status}</p>
    </div>
  );
}

/** What HumaGate hands to onPass / onBlock. */
export type GateResult = VerifyResult & {
  /** True when the token came from a passed challenge. */
  challenged?: boolean;
  /** True when huma was unreachable (network error, 503, timeout) and the gate failed open. */
  degraded?: boolean;
};

export interface HumaGateProps {
  apiKey: string;
  userId: string;
  baseUrl?: string;
  action?: string;
  /** Confidence band [low, high] that gets a challenge instead of a verdict (default [0.3, 0.7]). */
  band?: [number, number];
  onPass: (result: GateResult) => void;
  onBlock: (result?: GateResult) => void;
  onError?: (e: unknown) => void;
  children?: ReactNode;
}

/**
 * Wraps a form: on submit it verifies silently (the native submission is
 * prevented); above the band → onPass, below it (or an AI agent) → onBlock,
 * inside it → a HumaChallenge whose pass calls onPass with the challenge token.
 */
export function HumaGate(props: HumaGateProps) {
  const [challenge, setChallenge] = useState<{ ch: Challenge; result: VerifyResult } | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef(props);
  ref.current = props;
  useEffect(() => {
    startCollecting();
  }, []);

  const onSubmit = (e: SyntheticEvent) => {
    e.preventDefault();
    if (busy || challenge) return;
    setBusy(true);
    const p = ref.current;
    const [lo, hi] = p.band || [0.3, 0.7];
    coreVerify({ apiKey: p.apiKey, userId: p.userId, baseUrl: p.baseUrl, action: p.action })
      .then(async (result) => {
        if (result.agent?.is_agent) return ref.current.onBlock(result);
        if (result.confidence > hi) return ref.current.onPass(result);
        if (result.confidence < lo) return ref.current.onBlock(result);
        const ch = await createChallenge({ apiKey: p.apiKey, userId: p.userId, baseUrl: p.baseUrl });
        setChallenge({ ch, result });
      })
      .catch((err) => {
        if (err instanceof HumaError && err.outage) {
          ref.current.onPass({ human: true, confidence: 0.5, score: 50, token: '', pii_stored: false, degraded: true });
        } else if (ref.current.onError) ref.current.onError(err);
        else console.error(err);
      })
      .finally(() => setBusy(false));
  };

  return (
    <div onSubmitCapture={onSubmit} data-huma-gate="" aria-busy={busy || undefined}>
      {props.children}
      {challenge && (
        <HumaChallenge
          challengeId={challenge.ch.challenge_id}
          type={challenge.ch.type}
          payload={challenge.ch.payload}
          apiKey={props.apiKey}
          baseUrl={props.baseUrl}
          onPassed={(token) => {
            const p = ref.current;
            setChallenge(null);
            rememberToken(p.userId, token);
            p.onPass({ ...challenge.result, human: true, token, challenged: true });
          }}
          onBlocked={() => {
            setChallenge(null);
            ref.current.onBlock(challenge.result);
          }}
          onError={props.onError}
        />
      )}
    </div>
  );
}

/**
 * Hidden fields for server-side checks (usehuma/next's humaFormCheck /
 * withHumaProtection): put it inside a <form>; at submit it fills
 * `huma_signals` with the page's behaviour and `huma_user_id` with userId.
 */
export function HumaSignalsField(props: { userId?: string }) {
  const sig = useRef<HTMLInputElement>(null);
  useEffect(() => {
    startCollecting();
    const form = sig.current?.form;
    if (!form) return;
    const fill = () => {
      if (sig.current) sig.current.value = JSON.stringify(collectSignals());
    };
    const onFormData = (e: Event) => {
      const fd = (e as any).formData as FormData | undefined;
      if (fd) fd.set('huma_signals', JSON.stringify(collectSignals()));
    };
    form.addEventListener('submit', fill, true);
    form.addEventListener('formdata', onFormData);
    return () => {
      form.removeEventListener('submit', fill, true);
      form.removeEventListener('formdata', onFormData);
    };
  }, []);
  return (
    <>
      <input ref={sig} type="hidden" name="huma_signals" defaultValue="" />
      {props.userId !== undefined && <input type="hidden" name="huma_user_id" value={props.userId} readOnly />}
    </>
  );
}

export type { GateResult as HumaGateResult };
