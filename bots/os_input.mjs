// Input through the OS instead of a browser driver: a plain headful
// Chromium (no automation switch, no DevTools port) on a virtual X display
// (Xvfb), given mouse and keyboard events through the X server with
// xdotool — the path a person's hardware takes, and the one pyautogui,
// AutoHotkey or a VNC-driven agent takes. Nothing attaches to the browser:
// /demo's verdict is read back by select-all and copy from the X clipboard.
// Used by tests/browser/os_input.test.mjs, and on its own to measure:
//
//   HUMA_URL=http://127.0.0.1:8080 node os_input.mjs [--sessions 10] [--seed 1] [--styles a,b] [--browser firefox]
//
// prints, per style, how many sessions /demo called human, how many it
// caught and how many it called an agent (`--browser firefox`: the same
// input into Debian's Firefox ESR instead of Chromium). Needs Xvfb, xdotool
// and xclip (Debian packages xvfb, xdotool, xclip; firefox-esr for Firefox)
// and a server with HUMA_DEV_KEY.

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { path as ghostPath } from 'ghost-cursor';
import { CHROMIUM, CHROMIUM_FLAGS, FIREFOX_PATH } from './drivers.mjs';
import { rng } from './styles.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Window at the screen's corner, on a 1920 × 1080 display. */
const SIZE = [1280, 900];
export const WINDOW = ['--window-position=0,0', `--window-size=${SIZE.join(',')}`];

export function need(bin, pkg) {
  assert.ok(existsSync(bin), `${bin} is missing: apt-get install -y ${pkg} (.ci/run does this)`);
}

/** Starts Xvfb on a free display; returns its name and a stop function. */
export async function xvfb() {
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

const fmt = (s) => s.toFixed(4);
const letters = (s) => [...s].map((c) => ({ '@': 'at', '.': 'period' })[c] || c);

/**
 * A person's reach from `a` to `b`: a minimum-jerk primary movement that
 * stops short, a slower correction, a little tremor, a position every
 * 6–10 ms (a mouse at 100–170 Hz).
 */
function reach(a, b, r) {
  const lines = [];
  const dist = Math.hypot(b.x - a.x, b.y - a.y);
  const mid = { x: a.x + (b.x - a.x) * 0.93, y: a.y + (b.y - a.y) * 0.93 + (r() - 0.5) * 12 };
  for (const [p, q, ms] of [
    [a, mid, 250 + dist * 0.9],
    [mid, b, 180 + r() * 120],
  ]) {
    const steps = Math.max(3, Math.round(ms / 8));
    for (let i = 1; i <= steps; i++) {
      const u = i / steps;
      const s = u * u * u * (10 - 15 * u + 6 * u * u);
      const x = p.x + (q.x - p.x) * s + (r() - 0.5) * 1.2;
      const y = p.y + (q.y - p.y) * s + (r() - 0.5) * 1.2;
      lines.push(`mousemove ${Math.round(x)} ${Math.round(y)}`, `sleep ${fmt(0.006 + r() * 0.004)}`);
    }
    lines.push(`sleep ${fmt(0.05 + r() * 0.15)}`);
  }
  return lines;
}

/** Key presses held and spaced as fingers make them. */
function fingers(names, r) {
  return names.flatMap((k) => [`keydown ${k}`, `sleep ${fmt(0.06 + r() * 0.07)}`, `keyup ${k}`, `sleep ${fmt(0.07 + r() * 0.2)}`]);
}

/** Tab, the email, Tab, the password, Enter, typed by `keys`. */
function fillIn(keys, r, email, password) {
  return [...keys(['Tab'], r), ...keys(letters(email), r), ...keys(['Tab'], r), ...keys(letters(password), r), ...keys(['Return'], r)];
}

/**
 * The styles, each an xdotool script for one /demo session:
 * - `person`: the mouse about the page (three reaches, a click aside held
 *   80–130 ms), then the form by keyboard;
 * - `keyboard`: the form by keyboard alone;
 * - `pyclick`: pyautogui with pyclick's human curve, as its README uses it
 *   (`HumanClicker().move(to, duration)`, then `click()`, then
 *   `typewrite(text, interval)`): a Bezier through two random knots within
 *   100 px of the path's box, one point per pixel of the longer side, half
 *   of them nudged in y by N(1, 1) px, 100 of them picked along an
 *   ease-out-quad tween at a constant interval; presses and keys released
 *   at once;
 * - `ghost_cursor`: the paths of ghost-cursor 1.4.2 (Puppeteer's best-known
 *   humaniser; its own `path(from, to, {useTimestamps: true})`, Bezier
 *   curves with Fitts-law timing and overshoot), played at its timestamps,
 *   presses held 60–150 ms and keys typed as `person` types them, so that
 *   only its movement is measured;
 * - `computer_use`: an AI agent driving the desktop as Anthropic's
 *   reference computer-use tool does (`left_click` at a coordinate is
 *   `xdotool mousemove --sync x y click 1`, `type` is
 *   `xdotool type --delay 12 -- text`), at the field and button
 *   coordinates a model reads off a screenshot of this 1280 × 900 window
 *   (within ±40 px across and ±6 px down of their centres), after 1.5–4.5 s
 *   of thought between actions;
 * - `computer_use_tween`: the same agent with pyautogui's defaults instead
 *   of xdotool's: `moveTo(x, y, duration)` (a straight linear tween, one
 *   step every 50 ms over 0.3–0.8 s), `click()` (press and release at
 *   once), `write(text)` (no interval between keys).
 */
export const OS_STYLES = {
  person(seed) {
    const r = rng(seed);
    const lines = ['mousemove 900 700', 'sleep 0.3'];
    let at = { x: 900, y: 700 };
    for (const to of [
      { x: 420, y: 330 },
      { x: 760, y: 520 },
      { x: 1050, y: 640 },
    ]) {
      lines.push(...reach(at, to, r));
      at = to;
    }
    lines.push('mousedown 1', `sleep ${fmt(0.08 + r() * 0.05)}`, 'mouseup 1', 'sleep 0.4');
    lines.push(...fillIn(fingers, r, 'ana@example.com', 'correcthorse'));
    return lines.join('\n') + '\n';
  },
  keyboard(seed) {
    const r = rng(seed);
    return fillIn(fingers, r, 'bo@example.org', 'staplebattery').join('\n') + '\n';
  },
  pyclick(seed) {
    const r = rng(seed);
    const duration = 0.5 + r() * 1.5;
    const lines = ['mousemove 900 700', 'sleep 0.3'];
    let at = { x: 900, y: 700 };
    const gauss = () => Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
    for (const to of [
      { x: 420 + r() * 40, y: 330 + r() * 40 },
      { x: 760 + r() * 40, y: 520 + r() * 40 },
      { x: 1050 + r() * 40, y: 640 + r() * 40 },
    ]) {
      const box = (lo, hi) => lo - 100 + r() * (hi - lo + 200);
      const k1 = { x: box(Math.min(at.x, to.x), Math.max(at.x, to.x)), y: box(Math.min(at.y, to.y), Math.max(at.y, to.y)) };
      const k2 = { x: box(Math.min(at.x, to.x), Math.max(at.x, to.x)), y: box(Math.min(at.y, to.y), Math.max(at.y, to.y)) };
      const n = Math.max(Math.abs(to.x - at.x), Math.abs(to.y - at.y), 2) | 0;
      const curve = [];
      for (let i = 0; i < n; i++) {
        const s = i / (n - 1);
        const a = 1 - s;
        const w = [a * a * a, 3 * a * a * s, 3 * a * s * s, s * s * s];
        const nudge = i > 0 && i < n - 1 && r() < 0.5 ? 1 + gauss() : 0;
        curve.push({
          x: w[0] * at.x + w[1] * k1.x + w[2] * k2.x + w[3] * to.x,
          y: w[0] * at.y + w[1] * k1.y + w[2] * k2.y + w[3] * to.y + nudge,
        });
      }
      for (let i = 0; i < 100; i++) {
        const u = i / 99;
        const p = curve[Math.min(n - 1, Math.floor(u * (2 - u) * (n - 1)))];
        lines.push(`mousemove ${Math.round(p.x)} ${Math.round(p.y)}`, `sleep ${fmt(duration / 100)}`);
      }
      at = to;
      lines.push(`sleep ${fmt(0.2 + r() * 0.6)}`);
    }
    lines.push('click 1', 'sleep 0.4');
    const interval = 0.05 + r() * 0.15;
    const typewrite = (names) => names.flatMap((k) => [`key ${k}`, `sleep ${fmt(interval)}`]);
    lines.push(...fillIn(typewrite, r, 'cy@example.net', 'hunter22'));
    return lines.join('\n') + '\n';
  },
  ghost_cursor(seed) {
    const r = rng(seed);
    const lines = ['mousemove 900 700', 'sleep 0.3'];
    let at = { x: 900, y: 700 };
    for (const to of [
      { x: 420 + r() * 40, y: 330 + r() * 40 },
      { x: 760 + r() * 40, y: 520 + r() * 40 },
      { x: 1050 + r() * 40, y: 640 + r() * 40 },
    ]) {
      const points = ghostPath(at, to, { useTimestamps: true });
      for (let i = 1; i < points.length; i++) {
        const dt = Math.max(0, points[i].timestamp - points[i - 1].timestamp) / 1000;
        lines.push(`sleep ${fmt(dt)}`, `mousemove ${Math.round(points[i].x)} ${Math.round(points[i].y)}`);
      }
      at = to;
      lines.push(`sleep ${fmt(0.2 + r() * 0.6)}`);
    }
    lines.push('mousedown 1', `sleep ${fmt(0.06 + r() * 0.09)}`, 'mouseup 1', 'sleep 0.4');
    lines.push(...fillIn(fingers, r, 'di@example.com', 'opensesame'));
    return lines.join('\n') + '\n';
  },
  computer_use(seed) {
    const r = rng(seed);
    const think = () => `sleep ${fmt(1.5 + r() * 3)}`;
    // Email, password and the button, as this window shows /demo.
    const at = (x, y) => `mousemove --sync ${Math.round(x + (r() - 0.5) * 80)} ${Math.round(y + (r() - 0.5) * 12)}`;
    const click = (x, y) => [think(), at(x, y), 'click 1'];
    const type = (text) => [think(), `type --delay 12 -- ${text}`];
    return [...click(640, 390), ...type('eve@example.com'), ...click(640, 472), ...type('letmein42'), ...click(640, 527)].join('\n') + '\n';
  },
  computer_use_tween(seed) {
    const r = rng(seed);
    const think = () => `sleep ${fmt(1.5 + r() * 3)}`;
    let at = { x: 960, y: 540 }; // where Xvfb starts the pointer
    const click = (x, y) => {
      const to = { x: Math.round(x + (r() - 0.5) * 80), y: Math.round(y + (r() - 0.5) * 12) };
      const steps = Math.round((0.3 + r() * 0.5) / 0.05);
      const lines = [think()];
      for (let i = 1; i <= steps; i++) {
        const u = i / steps;
        lines.push(`mousemove ${Math.round(at.x + (to.x - at.x) * u)} ${Math.round(at.y + (to.y - at.y) * u)}`, 'sleep 0.05');
      }
      at = to;
      return [...lines, 'click 1'];
    };
    const type = (text) => [think(), `type --delay 0 -- ${text}`];
    return [...click(640, 390), ...type('fay@example.com'), ...click(640, 472), ...type('letmein42'), ...click(640, 527)].join('\n') + '\n';
  },
};

function xdotool(env, script) {
  execFileSync('/usr/bin/xdotool', ['-'], { input: script, env });
}

/** Copied as a person copies: click aside, select all, copy. */
export const COPY_WITH_MOUSE = 'mousemove 1150 700\nsleep 0.2\nclick 1\nsleep 0.2\nkey ctrl+a\nsleep 0.2\nkey ctrl+c\nsleep 0.5\n';
/** Tab off the password field to the button, select all, copy. */
export const COPY_WITH_KEYS = 'key Tab\nsleep 0.2\nkey ctrl+a\nsleep 0.2\nkey ctrl+c\nsleep 0.5\n';

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
 * Opens `${base}/demo` in a plain headful Chromium (or, with `browserName`
 * 'firefox', Debian's Firefox ESR: its window's toolbar is within 2 px of
 * Chromium's at this size, so the styles' screen coordinates hold) on its
 * own X display, plays `script` through xdotool, copies the page's text
 * with `copy` and returns the verdict /demo printed.
 */
export async function headfulVerdict(base, script, copy, browserName = 'chromium') {
  need('/usr/bin/xclip', 'xclip');
  const x = await xvfb();
  const env = { ...process.env, DISPLAY: x.display };
  const profile = mkdtempSync(join(tmpdir(), 'huma-headful-'));
  // No DevTools port, no automation switch: Chromium 156 sets
  // navigator.webdriver when started with --remote-debugging-port (rightly:
  // it can then be driven), so nothing here may use one; nor Firefox's
  // --marionette or --remote-debugging-port.
  // Its own process group, so that its helpers go with it.
  const firefox = browserName === 'firefox';
  if (firefox) need(FIREFOX_PATH, 'firefox-esr');
  const command = firefox
    ? [FIREFOX_PATH, ['--new-instance', '--profile', profile, '--width', `${SIZE[0]}`, '--height', `${SIZE[1]}`, `${base}/demo`]]
    : [CHROMIUM, [...CHROMIUM_FLAGS, ...WINDOW, `--user-data-dir=${profile}`, `${base}/demo`]];
  const browser = spawn(command[0], command[1], {
    env,
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise((ok) => browser.once('exit', ok));
  try {
    execFileSync('/usr/bin/xdotool', ['search', '--sync', '--onlyvisible', '--class', firefox ? 'firefox' : 'chromium'], {
      env,
      timeout: 20_000,
    });
    await sleep(3000); // the page and the snippet load
    xdotool(env, script);
    await sleep(2500); // the verify answers
    xdotool(env, copy);
    const text = execFileSync('/usr/bin/xclip', ['-selection', 'clipboard', '-o'], { env, timeout: 10_000 }).toString();
    return verdictIn(text);
  } finally {
    // Chromium and its helpers write the profile until they have exited.
    const group = (signal) => {
      try {
        process.kill(-browser.pid, signal);
      } catch {}
    };
    group('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    group('SIGKILL');
    x.stop();
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

const caught = (v) => v.human === false || v.agent.is_agent === true;

async function main() {
  const base = (process.env.HUMA_URL || '').replace(/\/+$/, '');
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  if (!base) {
    console.error('usage: HUMA_URL=http://host:port node os_input.mjs [--sessions N] [--seed S] [--styles a,b] [--browser chromium|firefox]');
    process.exit(2);
  }
  const sessions = Number(arg('sessions', '10'));
  const seed0 = Number(arg('seed', '1'));
  const rows = [];
  const styles = arg('styles', Object.keys(OS_STYLES).join(',')).split(',');
  for (const style of styles) {
    const make = OS_STYLES[style];
    assert.ok(make, `no style ${style}: ${Object.keys(OS_STYLES).join(', ')}`);
    const confidences = [];
    let human = 0;
    let hit = 0;
    let agents = 0;
    for (let i = 0; i < sessions; i++) {
      const copy = style === 'keyboard' ? COPY_WITH_KEYS : COPY_WITH_MOUSE;
      const v = await headfulVerdict(base, make(seed0 + i), copy, arg('browser', 'chromium'));
      console.log(`${style} seed ${seed0 + i}: ${JSON.stringify(v)}`);
      confidences.push(v.confidence);
      human += v.human === true;
      hit += caught(v);
      agents += v.agent.is_agent === true;
    }
    rows.push({ style, sessions, human, caught: hit, agents, confidences: confidences.join(' ') });
  }
  console.log('\nstyle        sessions  human  caught  agent  confidences');
  for (const r of rows) {
    const cols = [r.sessions, r.human, r.caught, r.agents].map((n, i) => String(n).padStart([8, 6, 7, 6][i]));
    console.log(`${r.style.padEnd(12)} ${cols.join(' ')}  ${r.confidences}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
