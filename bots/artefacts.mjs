// What each automation framework leaves for page script to see, next to a
// plain headless Chromium with no client attached (`--dump-dom`): the
// evidence behind the checks in web/huma.js (bots/README.md has the table).
//
//   node artefacts.mjs
//
// Serves a probe page on 127.0.0.1 itself; needs no huma server. The probe
// also runs the repository's web/huma.js, so its env.webdriver/env.cdp are
// reported too. A check is only usable if its "plain" column is false.

import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM, FRAMEWORKS, launch } from './drivers.mjs';

const SNIPPET = readFileSync(new URL('../web/huma.js', import.meta.url), 'utf8');

// Runs once at load and once after the client's own dispatch; writes JSON
// into #out. `viaClient` is set when the client dispatched the click.
const PROBE = `<!doctype html><body><button id=b>b</button><pre id=out></pre>
<script>${SNIPPET}</script><script>
var seen = { page_dispatch: null, client_dispatch: null };
var MARK = /\\bpptr:|\\bUtilityScript\\.|\\bInjectedScript\\.|at executeScript \\(<anonymous>/;
document.addEventListener('click', function (e) {
  if (e.isTrusted) return;
  var hit = MARK.test(String(new Error().stack));
  if (window.viaClient) seen.client_dispatch = hit; else seen.page_dispatch = hit;
  report();
}, true);
function report() {
  var r = {};
  r.webdriver = navigator.webdriver === true;
  r.headless_ua = /HeadlessChrome/.test(navigator.userAgent);
  r.chrome_runtime = !!(window.chrome && window.chrome.runtime);
  var names = Object.getOwnPropertyNames(window);
  r.cdc_globals = names.some(function (k) { return /^[A-Za-z$]{3,4}_[A-Za-z0-9]{22}_(Array|Promise|Symbol)$/.test(k); });
  r.pw_globals = names.some(function (k) { return /^__pw|__playwright/.test(k); });
  r.pptr_globals = names.some(function (k) { return /puppeteer/i.test(k); });
  var fired = false, e = new Error();
  Object.defineProperty(e, 'stack', { get: function () { fired = true; return ''; } });
  console.debug(e);
  r.error_stack_getter = fired;
  var g = false, o = {};
  Object.defineProperty(o, 'x', { enumerable: true, get: function () { g = true; return 1; } });
  console.debug(o);
  r.object_getter = g;
  r.page_dispatch_marked = seen.page_dispatch;
  r.client_dispatch_marked = seen.client_dispatch;
  var env = Huma.debug().features.env;
  r.huma_webdriver = env.webdriver;
  r.huma_cdp = env.cdp;
  r.huma_ua_spoofed = env.ua_spoofed === undefined ? null : env.ua_spoofed;
  // The kernel's window checks (src/scoring/features.rs, impossible_window).
  var sc = env.screen, ou = env.outer, inn = env.inner;
  r.headless_screen_larger_window = sc[0] === 800 && sc[1] === 600 &&
    Math.min(ou[0], ou[1]) > Math.min(sc[0], sc[1]) + 48 && Math.max(ou[0], ou[1]) > Math.max(sc[0], sc[1]) + 48;
  r.screen_sized_viewport_toolbar = inn[0] === sc[0] && inn[1] === sc[1] && ou[1] - inn[1] > 48;
  r.sizes = sc.join('x') + '/' + ou.join('x') + '/' + inn.join('x');
  document.getElementById('out').textContent = 'R' + JSON.stringify(r) + 'R';
}
setTimeout(function () { document.getElementById('b').click(); }, 100);
</script></body>`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const parse = (text) => JSON.parse(text.match(/R(\{.*?\})R/)[1].replace(/&quot;/g, '"'));

async function underClient(framework, url) {
  const d = await launch(framework);
  try {
    await d.goto(url);
    await sleep(500);
    await d.evaluate(() => {
      window.viaClient = true;
      document.getElementById('b').click();
    });
    return parse(await d.evaluate(() => document.getElementById('out').textContent));
  } finally {
    await d.close();
  }
}

async function plain(url) {
  const profile = mkdtempSync(join(tmpdir(), 'huma-plain-'));
  try {
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];
    const { stdout } = await promisify(execFile)(
      CHROMIUM,
      [...flags, '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--virtual-time-budget=2000', '--dump-dom', url],
      { timeout: 30_000 },
    );
    return parse(stdout);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PROBE));
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;
try {
  const cols = { plain: await plain(url) };
  for (const f of FRAMEWORKS) cols[f] = await underClient(f, url);
  const names = Object.keys(cols);
  console.log(['check'.padEnd(30), ...names.map((n) => n.padStart(11))].join(' '));
  for (const k of Object.keys(cols.plain)) {
    console.log([k.padEnd(30), ...names.map((n) => String(cols[n][k]).padStart(11))].join(' '));
  }
} finally {
  server.close();
}
