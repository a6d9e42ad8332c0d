// The other side of the framework tests: a plain, headful Chromium that no
// automation drives, on a virtual X display (Xvfb), given mouse and
// keyboard input through the X server with xdotool — the path a person's
// input takes (trusted events, coalesced moves, real window geometry).
// `/demo` must call it human with no agent signal: none of the env checks
// (webdriver, the CDP probe, the headless window, the rewritten user agent)
// may fire on a browser that is only being used. Then Playwright drives the
// same headful browser setup on the same display and must be caught, so
// the env checks are shown to work on a headful browser, not only a
// headless one.
//
// Nothing attaches to the first browser: its verdict is read back the way
// a person would copy it, select-all and copy, from the X clipboard. Needs
// Xvfb, xdotool and xclip (Debian packages xvfb, xdotool, xclip; .ci/run
// installs them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE, CHROMIUM, CHROMIUM_FLAGS as FLAGS } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Window at the screen's corner, so that screen = client + (0, toolbar).
const WINDOW = ['--window-position=0,0', '--window-size=1280,900'];

function need(bin, pkg) {
  assert.ok(existsSync(bin), `${bin} is missing: apt-get install -y ${pkg} (.ci/run does this)`);
}

/** Starts Xvfb on a free display; returns its number and a stop function. */
async function xvfb() {
  need('/usr/bin/Xvfb', 'xvfb');
  need('/usr/bin/xdotool', 'xdotool');
  for (let n = 90 + (process.pid % 50); n < 400; n++) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const proc = spawn('/usr/bin/Xvfb', [`:${n}`, '-screen', '0', '1920x1080x24', '-nolisten', 'tcp'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !existsSync(`/tmp/.X11-unix/X${n}`); i++) await sleep(50);
    if (existsSync(`/tmp/.X11-unix/X${n}`)) return { display: `:${n}`, stop: () => proc.kill() };
    proc.kill();
  }
  throw new Error('no free X display for Xvfb');
}

// A seeded PRNG (mulberry32), so a failure can be replayed.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * xdotool script lines for a reach from `a` to `b` in the shape of a
 * person's: a minimum-jerk primary movement that stops short, a slower
 * correction, a little tremor, one position per ~8 ms (a 125 Hz mouse).
 */
function reach(a, b, rand) {
  const lines = [];
  const dist = Math.hypot(b.x - a.x, b.y - a.y);
  const parts = [
    [a, { x: a.x + (b.x - a.x) * 0.93, y: a.y + (b.y - a.y) * 0.93 + (rand() - 0.5) * 12 }, 250 + dist * 0.9],
  ];
  parts.push([parts[0][1], b, 180 + rand() * 120]);
  for (const [p, q, ms] of parts) {
    const steps = Math.max(3, Math.round(ms / 8));
    for (let i = 1; i <= steps; i++) {
      const u = i / steps;
      const s = u * u * u * (10 - 15 * u + 6 * u * u);
      const x = p.x + (q.x - p.x) * s + (rand() - 0.5) * 1.2;
      const y = p.y + (q.y - p.y) * s + (rand() - 0.5) * 1.2;
      lines.push(`mousemove ${Math.round(x)} ${Math.round(y)}`, `sleep ${(0.006 + rand() * 0.004).toFixed(4)}`);
    }
    lines.push(`sleep ${(0.05 + rand() * 0.15).toFixed(3)}`);
  }
  return lines;
}

/** Key presses with held keys and uneven gaps, as fingers make them. */
function keys(names, rand) {
  const lines = [];
  for (const k of names) {
    lines.push(`keydown ${k}`, `sleep ${(0.06 + rand() * 0.07).toFixed(3)}`, `keyup ${k}`);
    lines.push(`sleep ${(0.07 + rand() * 0.2).toFixed(3)}`);
  }
  return lines;
}

// A new seed each run (printed; HUMA_SEED replays one): the server keeps
// replay fingerprints, and the same trace twice is rightly a replay.
const SEED = Number(process.env.HUMA_SEED) || Date.now() % 1_000_000;

const letters = (s) => [...s].map((c) => ({ '@': 'at', '.': 'period' })[c] || c);

/**
 * A person filling in /demo: mouse about the page and a click aside, then
 * Tab, type, Tab, type, Enter; with `mouse` false, the keys alone (a
 * keyboard-only user).
 */
function personScript(seed, mouse = true) {
  const rand = rng(seed);
  const lines = [];
  if (!mouse) {
    lines.push(...keys(['Tab'], rand), ...keys(letters('bo@example.org'), rand));
    lines.push(...keys(['Tab'], rand), ...keys(letters('staplebattery'), rand));
    lines.push(...keys(['Return'], rand));
    return lines.join('\n') + '\n';
  }
  let at = { x: 900, y: 700 };
  lines.push(`mousemove ${at.x} ${at.y}`, 'sleep 0.3');
  for (const to of [
    { x: 420, y: 330 },
    { x: 760, y: 520 },
    { x: 1050, y: 640 },
  ]) {
    lines.push(...reach(at, to, rand));
    at = to;
  }
  // A click on the page's empty right-hand side, held as a finger holds it.
  lines.push('mousedown 1', `sleep ${(0.08 + rand() * 0.05).toFixed(3)}`, 'mouseup 1', 'sleep 0.4');
  lines.push(...keys(['Tab'], rand));
  lines.push(...keys(letters('ana@example.com'), rand));
  lines.push(...keys(['Tab'], rand));
  lines.push(...keys(letters('correcthorse'), rand));
  lines.push(...reach(at, { x: 980, y: 560 }, rand));
  lines.push(...keys(['Return'], rand));
  return lines.join('\n') + '\n';
}

function xdotool(display, script) {
  execFileSync('/usr/bin/xdotool', ['-'], { input: script, env: { ...process.env, DISPLAY: display } });
}

/** The verify answer /demo printed, out of the page's text. */
function verdictIn(text) {
  const start = text.lastIndexOf('{', text.indexOf('"human"'));
  assert.ok(start >= 0, `no verdict on the page: ${text}`);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  throw new Error(`an unfinished verdict: ${text}`);
}

/**
 * Opens /demo in a plain headful Chromium on its own X display, plays
 * `script` through xdotool, then copies the page's text as a person would
 * (`copy`: xdotool lines) and returns the verdict /demo printed.
 */
async function headfulVerdict(script, copy) {
  assert.ok(BASE, 'set HUMA_URL');
  need('/usr/bin/xclip', 'xclip');
  const x = await xvfb();
  const env = { ...process.env, DISPLAY: x.display };
  const profile = mkdtempSync(join(tmpdir(), 'huma-headful-'));
  // No DevTools port, no automation switch: Chromium 156 sets
  // navigator.webdriver when started with --remote-debugging-port (rightly:
  // it can then be driven), so nothing here may use one.
  const browser = spawn(CHROMIUM, [...FLAGS, ...WINDOW, `--user-data-dir=${profile}`, `${BASE}/demo`], {
    env,
    stdio: 'ignore',
  });
  try {
    execFileSync('/usr/bin/xdotool', ['search', '--sync', '--onlyvisible', '--class', 'chromium'], {
      env,
      timeout: 20_000,
    });
    await sleep(3000); // the page and the snippet load
    xdotool(x.display, script);
    await sleep(2500); // the verify answers
    xdotool(x.display, copy);
    const text = execFileSync('/usr/bin/xclip', ['-selection', 'clipboard', '-o'], { env, timeout: 10_000 }).toString();
    return verdictIn(text);
  } finally {
    browser.kill();
    x.stop();
    await sleep(300);
    rmSync(profile, { recursive: true, force: true });
  }
}

function assertPerson(verdict) {
  for (const s of ['webdriver', 'cdp_runtime', 'headless', 'spoofed_user_agent', 'synthetic_events']) {
    assert.ok(!verdict.agent.signals.includes(s) && !verdict.notes.includes(s), `${s} fired: ${JSON.stringify(verdict)}`);
  }
  assert.equal(verdict.human, true, JSON.stringify(verdict));
  assert.equal(verdict.agent.is_agent, false, JSON.stringify(verdict));
}

test('a plain headful Chromium given input through the X server is human on /demo', { timeout: 120_000 }, async () => {
  // Copied as a person copies: click aside, select all, copy.
  const copy = 'mousemove 1150 700\nsleep 0.2\nclick 1\nsleep 0.2\nkey ctrl+a\nsleep 0.2\nkey ctrl+c\nsleep 0.5\n';
  const verdict = await headfulVerdict(personScript(SEED), copy);
  console.log(`headful, X input, mouse and keys (seed ${SEED}): verdict ${JSON.stringify(verdict)}`);
  assertPerson(verdict);
});

test('the same with the keyboard alone is human', { timeout: 120_000 }, async () => {
  // Tab off the password field to the button, then select all and copy.
  const copy = 'key Tab\nsleep 0.2\nkey ctrl+a\nsleep 0.2\nkey ctrl+c\nsleep 0.5\n';
  const verdict = await headfulVerdict(personScript(SEED + 1, false), copy);
  console.log(`headful, X input, keyboard only (seed ${SEED + 1}): verdict ${JSON.stringify(verdict)}`);
  assertPerson(verdict);
});

test('Playwright driving headful Chromium on the same display is caught', { timeout: 120_000 }, async () => {
  assert.ok(BASE, 'set HUMA_URL');
  const x = await xvfb();
  const profile = mkdtempSync(join(tmpdir(), 'huma-headful-pw-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    viewport: null,
    args: [...FLAGS, ...WINDOW],
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
