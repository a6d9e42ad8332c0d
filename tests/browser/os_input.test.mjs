// The other side of the framework tests: a plain, headful Chromium that no
// automation drives, on a virtual X display (Xvfb), given mouse and
// keyboard input through the X server with xdotool — the path a person's
// input takes (trusted events, coalesced moves, real window geometry).
// `/demo` must call it human with no agent signal: none of the env checks
// (webdriver, the CDP probe, the headless window, the rewritten user agent)
// may fire on a browser that is only being used. A computer-use agent
// driving the same browser through the X server, as Anthropic's reference
// tool does, must be an agent by its rhythm alone. Then Playwright drives the
// same headful browser setup on the same display and must be caught, so
// the env checks are shown to work on a headful browser, not only a
// headless one. The rig is bots/os_input.mjs (which also measures OS-level
// bots); nothing attaches to the first browser: its verdict is read back
// the way a person would copy it; the person is also given a plain
// headful Firefox. Needs Xvfb, xdotool, xclip and Firefox ESR (Debian
// packages xvfb, xdotool, xclip, firefox-esr; .ci/run installs them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE, CHROMIUM, CHROMIUM_FLAGS } from './harness.mjs';
import { COPY_WITH_KEYS, COPY_WITH_MOUSE, OS_STYLES, WINDOW, headfulVerdict, xvfb } from '../../bots/os_input.mjs';
import { rng } from '../../bots/styles.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A new seed each run (printed; HUMA_SEED replays one): the server keeps
// replay fingerprints, and the same trace twice is rightly a replay.
const SEED = Number(process.env.HUMA_SEED) || Date.now() % 1_000_000;

function assertPerson(verdict) {
  for (const s of ['webdriver', 'cdp_runtime', 'headless', 'spoofed_user_agent', 'synthetic_events']) {
    assert.ok(!verdict.agent.signals.includes(s) && !verdict.notes.includes(s), `${s} fired: ${JSON.stringify(verdict)}`);
  }
  assert.equal(verdict.human, true, JSON.stringify(verdict));
  assert.equal(verdict.agent.is_agent, false, JSON.stringify(verdict));
}

test('a plain headful Chromium given input through the X server is human on /demo', { timeout: 120_000 }, async () => {
  assert.ok(BASE, 'set HUMA_URL');
  const verdict = await headfulVerdict(BASE, OS_STYLES.person(SEED), COPY_WITH_MOUSE);
  console.log(`headful, X input, mouse and keys (seed ${SEED}): verdict ${JSON.stringify(verdict)}`);
  assertPerson(verdict);
});

test('the same with the keyboard alone is human', { timeout: 120_000 }, async () => {
  assert.ok(BASE, 'set HUMA_URL');
  const verdict = await headfulVerdict(BASE, OS_STYLES.keyboard(SEED + 1), COPY_WITH_KEYS);
  console.log(`headful, X input, keyboard only (seed ${SEED + 1}): verdict ${JSON.stringify(verdict)}`);
  assertPerson(verdict);
});

// Firefox sends what the snippet reads differently in places (no
// `window.chrome`, its own pressure and coalescing), and the zero-pressure
// press is hard evidence: a real press in Firefox must not look like one.
test('a plain headful Firefox given the same input is human', { timeout: 120_000 }, async () => {
  assert.ok(BASE, 'set HUMA_URL');
  const verdict = await headfulVerdict(BASE, OS_STYLES.person(SEED + 2), COPY_WITH_MOUSE, 'firefox');
  console.log(`headful Firefox, X input, mouse and keys (seed ${SEED + 2}): verdict ${JSON.stringify(verdict)}`);
  assertPerson(verdict);
});

test('a computer-use agent at the desktop (xdotool, as the reference tool drives it) is an agent', { timeout: 120_000 }, async () => {
  assert.ok(BASE, 'set HUMA_URL');
  const verdict = await headfulVerdict(BASE, OS_STYLES.computer_use(SEED + 3), COPY_WITH_MOUSE);
  console.log(`headful, X input, computer-use agent (seed ${SEED + 3}): verdict ${JSON.stringify(verdict)}`);
  // Nothing in the page gives it away: only its rhythm does.
  for (const s of ['webdriver', 'cdp_runtime', 'headless', 'synthetic_events']) {
    assert.ok(!verdict.agent.signals.includes(s), `${s} fired: ${JSON.stringify(verdict)}`);
  }
  assert.equal(verdict.human, false, JSON.stringify(verdict));
  assert.equal(verdict.agent.is_agent, true, JSON.stringify(verdict));
  assert.ok(verdict.agent.signals.includes('action_bursts'), JSON.stringify(verdict));
});

test('the same agent moving along pyautogui tweens is caught and called an agent', { timeout: 120_000 }, async () => {
  assert.ok(BASE, 'set HUMA_URL');
  const verdict = await headfulVerdict(BASE, OS_STYLES.computer_use_tween(SEED + 4), COPY_WITH_MOUSE);
  console.log(`headful, X input, computer-use agent with tweens (seed ${SEED + 4}): verdict ${JSON.stringify(verdict)}`);
  // Each straight one-speed glide after think time, pressed where it
  // stopped, is a tweened arrival (model card, "Tweened arrivals").
  assert.equal(verdict.human, false, JSON.stringify(verdict));
  assert.equal(verdict.agent.is_agent, true, JSON.stringify(verdict));
  assert.ok(verdict.agent.signals.includes('action_bursts'), JSON.stringify(verdict));
});

test('Playwright driving headful Chromium on the same display is caught', { timeout: 120_000 }, async () => {
  assert.ok(BASE, 'set HUMA_URL');
  const x = await xvfb();
  const profile = mkdtempSync(join(tmpdir(), 'huma-headful-pw-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    viewport: null,
    args: [...CHROMIUM_FLAGS, ...WINDOW],
    env: { ...process.env, DISPLAY: x.display },
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    await page.goto(`${BASE}/demo`);
    const rand = rng(SEED + 2);
    let at = { x: 600, y: 500 };
    for (const to of [{ x: 300, y: 250 }, { x: 700, y: 420 }]) {
      for (let i = 1; i <= 30; i++) {
        const u = i / 30;
        const s = u * u * u * (10 - 15 * u + 6 * u * u);
        await page.mouse.move(at.x + (to.x - at.x) * s + rand() - 0.5, at.y + (to.y - at.y) * s + rand() - 0.5);
        await sleep(8 + rand() * 8);
      }
      at = to;
    }
    await page.click('#email');
    await page.keyboard.type('ana@example.com', { delay: 90 });
    await page.click('#password');
    await page.keyboard.type('correcthorse', { delay: 90 });
    await page.click('#submit');
    await page.waitForFunction(() => document.querySelector('#result').textContent.trim().startsWith('{'));
    const verdict = JSON.parse(await page.locator('#result').textContent());
    console.log(`headful Playwright: verdict ${JSON.stringify(verdict)}`);
    assert.ok(verdict.human === false || verdict.agent.is_agent, JSON.stringify(verdict));
    assert.ok(
      verdict.agent.signals.some((s) => ['webdriver', 'cdp_runtime'].includes(s)),
      `caught by its driver, not by headless geometry: ${JSON.stringify(verdict)}`
    );
    assert.ok(!verdict.agent.signals.includes('headless'), `a headful window is not called headless: ${JSON.stringify(verdict)}`);
  } finally {
    await context.close();
    x.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});
