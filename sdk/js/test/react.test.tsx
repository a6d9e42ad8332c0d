// @vitest-environment jsdom
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, renderHook } from '@testing-library/react';
import { HumaChallenge, HumaGate, HumaSignalsField, useHuma, useHumaSession } from 'usehuma/react';
import { startSession, stopSession, verifyWithSignals } from 'usehuma';
import { humanSignals } from './signals';

// The collector's CDP probe logs an Error through console.debug; keep the output readable.
console.debug = () => {};

const baseUrl = inject('humaUrl');
const testKey = inject('testKey');

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** Spies on fetch, recording JSON bodies by path; `answer` may replace a path's response. */
function spyFetch(answer: Record<string, () => Response> = {}) {
  const real = globalThis.fetch;
  const sent: { path: string; body: any }[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: any, init?: any) => {
    const path = new URL(String(input)).pathname;
    sent.push({ path, body: init?.body ? JSON.parse(init.body) : null });
    if (answer[path]) return answer[path]();
    return real(input, init);
  });
  return sent;
}

function Form() {
  return (
    <form aria-label="signup">
      <input aria-label="email" name="email" />
      <button type="submit">Sign up</button>
    </form>
  );
}

function move(x: number, y: number) {
  fireEvent.pointerMove(document, { clientX: x, clientY: y });
}

describe('useHuma', () => {
  it('starts collecting on mount and verifies with the DOM signals', async () => {
    const sent = spyFetch();
    const { result } = renderHook(() => useHuma({ apiKey: testKey, userId: 'person_h1', baseUrl }));
    await waitFor(() => expect(result.current.collecting).toBe(true));
    fireEvent.keyDown(document, { key: 'a', code: 'KeyA' });
    fireEvent.keyUp(document, { key: 'a', code: 'KeyA' });
    const r = await result.current.verify();
    expect(r).toMatchObject({ human: true, confidence: 0.95 });
    const body = sent.find((s) => s.path === '/api/v1/verify')!.body;
    expect(body.userId).toBe('person_h1');
    expect(body.sessionData.v).toBe(1);
    // jsdom's events are untrusted: the collector counts them (a script's
    // keys, `n.uk`) and does not record them as a person's keys.
    expect(body.sessionData.n.uk).toBeGreaterThan(0);
    expect(body.sessionData.n.k).toBe(0);
  });
});

describe('HumaGate', () => {
  it('verifies on submit and calls onPass above the band', async () => {
    const onPass = vi.fn();
    const onBlock = vi.fn();
    render(<HumaGate apiKey={testKey} userId="person_g1" baseUrl={baseUrl} onPass={onPass} onBlock={onBlock}><Form /></HumaGate>);
    fireEvent.submit(screen.getByRole('form', { name: 'signup' }));
    await waitFor(() => expect(onPass).toHaveBeenCalledTimes(1));
    expect(onPass.mock.calls[0][0]).toMatchObject({ human: true, confidence: 0.95 });
    expect(onBlock).not.toHaveBeenCalled();
  });

  it('calls onBlock below the band', async () => {
    const onPass = vi.fn();
    const onBlock = vi.fn();
    render(<HumaGate apiKey={testKey} userId="bot_g1" baseUrl={baseUrl} onPass={onPass} onBlock={onBlock}><Form /></HumaGate>);
    fireEvent.submit(screen.getByRole('form', { name: 'signup' }));
    await waitFor(() => expect(onBlock).toHaveBeenCalledTimes(1));
    expect(onPass).not.toHaveBeenCalled();
  });

  it('shows a challenge in the band and passes with its token, sending the behaviour recorded while solving', async () => {
    const sent = spyFetch({
      '/api/v1/challenge/verify': () => Response.json({ passed: true, token: 'h_challenge_test' }),
    });
    const onPass = vi.fn();
    render(<HumaGate apiKey={testKey} userId="borderline_g1" baseUrl={baseUrl} onPass={onPass} onBlock={vi.fn()}><Form /></HumaGate>);
    fireEvent.submit(screen.getByRole('form', { name: 'signup' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveProperty('ariaModal', 'true');
    const first = dialog.querySelector('button')!;
    await waitFor(() => expect(document.activeElement).toBe(first));
    move(10, 10);
    move(40, 30);
    const ch = sent.find((s) => s.path === '/api/v1/challenge/create');
    expect(ch).toBeTruthy();
    fireEvent.pointerDown(first, { clientX: 40, clientY: 30 });
    fireEvent.pointerUp(first, { clientX: 40, clientY: 30 });
    if (screen.queryByRole('group', { name: 'Targets' })) {
      fireEvent.click(first);
    } else {
      fireEvent.click(screen.getByRole('button', { name: 'Dot 1' }));
      fireEvent.click(screen.getByRole('button', { name: 'Submit' }));
    }
    await waitFor(() => expect(onPass).toHaveBeenCalledTimes(1));
    expect(onPass.mock.calls[0][0]).toMatchObject({ human: true, token: 'h_challenge_test', challenged: true });
    const answer = sent.find((s) => s.path === '/api/v1/challenge/verify')!.body;
    expect(answer.challenge_id).toMatch(/^ch_/);
    expect(answer.sessionData.n.m).toBeGreaterThanOrEqual(2);
    expect(answer.sessionData.n.c).toBeGreaterThanOrEqual(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('fails open when huma is unreachable', async () => {
    const onPass = vi.fn();
    render(<HumaGate apiKey={testKey} userId="person_g2" baseUrl="http://127.0.0.1:9" onPass={onPass} onBlock={vi.fn()}><Form /></HumaGate>);
    fireEvent.submit(screen.getByRole('form', { name: 'signup' }));
    await waitFor(() => expect(onPass).toHaveBeenCalledTimes(1));
    expect(onPass.mock.calls[0][0]).toMatchObject({ human: true, degraded: true });
  });
});

describe('HumaChallenge', () => {
  it('renders click_targets with ARIA labels, arrow keys move focus, wrong answers count down to onBlocked', async () => {
    const sent = spyFetch();
    const onBlocked = vi.fn();
    // A real challenge from the server, answered wrongly three times.
    const ch = await (await fetch(`${baseUrl}/api/v1/challenge/create`, {
      method: 'POST', headers: { Authorization: `Bearer ${testKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: 'u_ch' }),
    })).json();
    const payload = ch.type === 'click_targets' ? ch.payload : { instruction: 'Click the 🎯', targets: [{ id: 't0', x: 20, y: 25, label: '🌿' }, { id: 't1', x: 65, y: 25, label: '🎯' }] };
    render(<HumaChallenge challengeId={ch.challenge_id} type="click_targets" payload={payload} apiKey={testKey} baseUrl={baseUrl} onPassed={vi.fn()} onBlocked={onBlocked} />);
    const dialog = screen.getByRole('dialog', { name: payload.instruction });
    expect(dialog).toBeTruthy();
    const group = screen.getByRole('group', { name: 'Targets' });
    const buttons = group.querySelectorAll('button');
    expect(buttons.length).toBe(payload.targets.length);
    expect(buttons[0].getAttribute('aria-label')).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(buttons[0]));
    fireEvent.keyDown(buttons[0], { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons[1]);
    fireEvent.keyDown(buttons[1], { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(buttons[0]);
    const wrong = payload.targets.find((t: any) => !payload.instruction.endsWith(t.label));
    const wrongButton = [...buttons].find((b) => b.textContent === wrong.label)!;
    for (let i = 0; i < 3; i++) {
      await waitFor(() => expect(wrongButton.hasAttribute('disabled')).toBe(false));
      fireEvent.click(wrongButton);
      await waitFor(() => expect(sent.filter((s) => s.path === '/api/v1/challenge/verify')).toHaveLength(i + 1));
    }
    await waitFor(() => expect(onBlocked).toHaveBeenCalledTimes(1));
    expect(sent.filter((s) => s.path === '/api/v1/challenge/verify').every((s) => s.body.sessionData?.v === 1)).toBe(true);
  });

  it('renders the pattern grid: keyboard navigation, aria-pressed, answer "1-5-9"', async () => {
    const sent = spyFetch({ '/api/v1/challenge/verify': () => Response.json({ passed: true, token: 'h_challenge_p' }) });
    const onPassed = vi.fn();
    render(<HumaChallenge challengeId="ch_local" type="pattern" payload={{ instruction: 'Repeat 1, 5, 9', grid: 3, sequence_hint: [1, 5, 9] }}
      apiKey={testKey} baseUrl={baseUrl} onPassed={onPassed} onBlocked={vi.fn()} />);
    const dots = screen.getByRole('group', { name: 'Dots 1 to 9, in rows of three' }).querySelectorAll('button');
    await waitFor(() => expect(document.activeElement).toBe(dots[0]));
    fireEvent.keyDown(dots[0], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(dots[3]);
    fireEvent.keyDown(dots[3], { key: 'ArrowRight' });
    expect(document.activeElement).toBe(dots[4]);
    for (const n of [1, 5, 9]) fireEvent.click(screen.getByRole('button', { name: 'Dot ' + n }));
    expect(screen.getByRole('button', { name: 'Dot 5' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'Dot 2' }).getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByRole('status').textContent).toBe('Selected: 1, 5, 9');
    fireEvent.click(screen.getByRole('button', { name: 'Submit' }));
    await waitFor(() => expect(onPassed).toHaveBeenCalledWith('h_challenge_p'));
    expect(sent.find((s) => s.path === '/api/v1/challenge/verify')!.body).toMatchObject({ challenge_id: 'ch_local', answer: '1-5-9' });
  });
});

describe('HumaSignalsField', () => {
  it('fills the hidden huma_signals field at submit', async () => {
    render(
      <form aria-label="f" onSubmit={(e) => e.preventDefault()}>
        <HumaSignalsField userId="person_sf" />
        <button type="submit">Go</button>
      </form>
    );
    move(5, 5);
    const form = screen.getByRole('form', { name: 'f' }) as HTMLFormElement;
    fireEvent.submit(form);
    const fd = new FormData(form);
    const s = JSON.parse(String(fd.get('huma_signals')));
    expect(s.v).toBe(1);
    expect(s.n.m).toBeGreaterThan(0);
    expect(fd.get('huma_user_id')).toBe('person_sf');
  });
});

describe('useHumaSession', () => {
  it('sends heartbeats with the token and reports the result', async () => {
    const v = await verifyWithSignals({ apiKey: testKey, baseUrl, userId: 'person_s1', signals: humanSignals() });
    const sent = spyFetch();
    const { result } = renderHook(() => useHumaSession({ apiKey: testKey, baseUrl, userId: 'person_s1', token: v.token, interval: 100 }));
    await waitFor(() => expect(result.current.lastResult).not.toBeNull(), { timeout: 3000 });
    expect(result.current.lastResult).toMatchObject({ action: 'allow' });
    expect(result.current.anomaly).toBe(false);
    expect(sent.find((s) => s.path === '/api/v1/session')!.body).toMatchObject({ userId: 'person_s1', sessionToken: v.token });
  });
});

describe('startSession / stopSession (core, in a page)', () => {
  it('sends a heartbeat per window until stopped', async () => {
    const v = await verifyWithSignals({ apiKey: testKey, baseUrl, userId: 'person_ss', signals: humanSignals() });
    const sent = spyFetch();
    const results: unknown[] = [];
    startSession({ apiKey: testKey, baseUrl, userId: 'person_ss', token: v.token, intervalMs: 100, onResult: (r) => results.push(r) });
    move(3, 4);
    await waitFor(() => expect(results.length).toBeGreaterThanOrEqual(1), { timeout: 3000 });
    stopSession();
    const beats = sent.filter((s) => s.path === '/api/v1/session');
    expect(beats[0].body).toMatchObject({ userId: 'person_ss', sessionToken: v.token });
    expect(beats[0].body.sessionData.v).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.filter((s) => s.path === '/api/v1/session')).toHaveLength(beats.length);
  });
});

describe('keys in the browser', () => {
  it('warns once when a secret live key is used in a page', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const liveKey = inject('liveKey');
    await verifyWithSignals({ apiKey: liveKey, baseUrl, userId: 'u_warn', signals: humanSignals() });
    await verifyWithSignals({ apiKey: liveKey, baseUrl, userId: 'u_warn', signals: humanSignals(2) });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/huma_pub_/);
  });
});
