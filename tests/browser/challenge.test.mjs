// Huma.challenge in real Chromium: the UI renders in a shadow root with
// ARIA roles and labels, page CSS does not reach it, and a keyboard-only
// solve (Tab, arrow keys, Enter) reaches a submission. Playwright drives
// Chromium with navigator.webdriver set, so the behavioural check rightly
// fails: the answer alone never passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withChromium } from './harness.mjs';

async function devKey() {
  if (process.env.HUMA_DEV_KEY) return process.env.HUMA_DEV_KEY;
  const html = await (await fetch(`${BASE}/demo`)).text();
  return html.match(/var DEV_KEY = "([^"]*)"/)[1];
}

/** The keys a keyboard user presses to solve `ch` from the first control. */
function keysFor(ch) {
  if (ch.type === 'click_targets') {
    const wanted = ch.payload.instruction.split(' ').pop();
    const index = ch.payload.targets.findIndex((t) => t.label === wanted);
    return [...Array(index).fill('ArrowRight'), 'Enter'];
  }
  // Dots 1–9 in rows of three; focus starts on dot 1.
  const keys = [];
  let at = 1;
  for (const dot of ch.payload.sequence_hint) {
    const [r0, c0] = [Math.floor((at - 1) / 3), (at - 1) % 3];
    const [r1, c1] = [Math.floor((dot - 1) / 3), (dot - 1) % 3];
    keys.push(...Array(Math.abs(r1 - r0)).fill(r1 > r0 ? 'ArrowDown' : 'ArrowUp'));
    keys.push(...Array(Math.abs(c1 - c0)).fill(c1 > c0 ? 'ArrowRight' : 'ArrowLeft'));
    keys.push('Enter');
    at = dot;
  }
  // Tab to Submit after the grid, then Enter.
  keys.push(...Array(10 - at).fill(''), 'Enter');
  return keys;
}

test('a keyboard-only solve of Huma.challenge reaches a submission', { timeout: 90_000 }, async () => {
  const key = await devKey();
  await withChromium(async (context) => {
    const page = context.pages()[0] || (await context.newPage());
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${BASE}/demo`);
    // Page CSS that would wreck the widget if it leaked in.
    await page.addStyleTag({ content: 'button { display: none !important; } p { color: red !important; }' });
    await page.waitForFunction(() => typeof window.Huma?.challenge === 'function');

    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/challenge/create'));
    const verified = page.waitForResponse((r) => r.url().endsWith('/api/v1/challenge/verify'));
    await page.evaluate((k) => {
      window.__result = window.Huma.challenge('kbd_user', k);
    }, key);
    const ch = await (await created).json();
    assert.ok(['click_targets', 'pattern'].includes(ch.type), JSON.stringify(ch));

    // ARIA and isolation, read from inside the shadow root.
    const ui = await page.evaluate(() => {
      const host = document.querySelector('[data-huma-challenge]');
      const root = host.shadowRoot;
      const dlg = root.querySelector('[role=dialog]');
      const buttons = [...root.querySelectorAll('button')];
      return {
        dialog: !!dlg && dlg.getAttribute('aria-modal') === 'true' && !!dlg.getAttribute('aria-labelledby'),
        title: root.getElementById(dlg.getAttribute('aria-labelledby')).textContent,
        live: root.querySelector('[role=status]')?.getAttribute('aria-live'),
        labelled: buttons.every((b) => (b.getAttribute('aria-label') || b.textContent).trim().length > 0),
        visible: buttons.every((b) => getComputedStyle(b).display !== 'none'),
        focused: root.activeElement === buttons[0],
      };
    });
    assert.deepEqual(
      { ...ui, title: undefined },
      { dialog: true, title: undefined, live: 'polite', labelled: true, visible: true, focused: true },
    );
    assert.equal(ui.title, ch.payload.instruction);

    // Solve with the keyboard only: no pointer event at all.
    for (const k of keysFor(ch)) {
      await page.keyboard.press(k === '' ? 'Tab' : k);
      await page.waitForTimeout(120);
    }
    const resp = await verified;
    const sent = resp.request().postDataJSON();
    assert.equal(sent.challenge_id, ch.challenge_id);
    const right = ch.type === 'click_targets'
      ? ch.payload.targets.find((t) => t.label === ch.payload.instruction.split(' ').pop()).id
      : ch.payload.sequence_hint.join('-');
    assert.equal(sent.answer, right, 'the keyboard reached the right answer');
    assert.equal(sent.sessionData.m.length, 0, 'keyboard only: no pointer moves');
    const presses = keysFor(ch).length;
    assert.ok(sent.sessionData.k.length >= 3 * presses, `the ${presses} key presses were recorded`);
    const body = await resp.json();
    assert.equal(resp.status(), 200);
    // An automated browser fails the behavioural check, whatever the answer.
    assert.deepEqual(
      { passed: body.passed, message: body.message },
      { passed: false, message: 'Behavioural check failed' },
      JSON.stringify(body),
    );
    assert.deepEqual(errors, []);
  });
});
