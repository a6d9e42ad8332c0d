// Drives /demo in Debian's Chromium with playwright-core, the way a scripted
// bot would: curved mouse paths in segments, typing with delays, a submit.
// Playwright controls Chromium over CDP with navigator.webdriver set, so the
// verdict must flag automation, and what the snippet recorded must be valid
// signals v1. Needs HUMA_URL (the server) and HUMA_DEV_KEY (or a /demo page
// with the key in it); tests/browser.rs provides both.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, checkSignals, withChromium } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A quadratic Bézier from `from` to `to`, bowed sideways by `bend` px.
async function curve(page, from, to, bend, steps) {
  const mx = (from.x + to.x) / 2 - (to.y - from.y) * bend / 400;
  const my = (from.y + to.y) / 2 + (to.x - from.x) * bend / 400;
  const parts = 4;
  for (let i = 1; i <= parts; i++) {
    const u = i / parts;
    const x = (1 - u) * (1 - u) * from.x + 2 * (1 - u) * u * mx + u * u * to.x;
    const y = (1 - u) * (1 - u) * from.y + 2 * (1 - u) * u * my + u * u * to.y;
    await page.mouse.move(x, y, { steps });
    await sleep(40 + i * 15);
  }
  return to;
}

async function centre(page, selector) {
  const box = await page.locator(selector).boundingBox();
  return { x: box.x + box.width / 2 + 3, y: box.y + box.height / 2 - 2 };
}

async function devKey() {
  if (process.env.HUMA_DEV_KEY) return process.env.HUMA_DEV_KEY;
  const html = await (await fetch(`${BASE}/demo`)).text();
  const m = html.match(/var DEV_KEY = "([^"]*)"/);
  assert.ok(m && m[1], '/demo carries a dev key (set HUMA_DEV_KEY on the server)');
  return m[1];
}

test('Playwright on /demo is flagged as automation, and the snippet sends valid signals', { timeout: 90_000 }, async () => {
  const key = await devKey();
  await withChromium(async (context) => {
    const page = context.pages()[0] || (await context.newPage());
    const consoleErrors = [];
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`${BASE}/demo`);
    await page.waitForFunction(() => typeof window.Huma === 'object');

    let at = { x: 120, y: 620 };
    await page.mouse.move(at.x, at.y);
    at = await curve(page, at, { x: 520, y: 420 }, 90, 8);
    await sleep(250);
    at = await curve(page, at, await centre(page, '#email'), -60, 6);
    await sleep(180);
    await page.click('#email');
    await page.keyboard.type('ada@example.com', { delay: 85 });
    await sleep(300);
    at = await curve(page, at, await centre(page, '#password'), 40, 5);
    await page.click('#password');
    await page.keyboard.type('correct horse', { delay: 70 });
    await sleep(200);
    await curve(page, at, await centre(page, '#submit'), 70, 6);
    await page.click('#submit');

    await page.waitForFunction(() => document.querySelector('#result').textContent.trim().startsWith('{'), null, {
      timeout: 15_000,
    });
    const text = await page.textContent('#result');
    const explanation = await page.textContent('#explain');
    console.log(`verify answered: ${text}`);
    console.log(`explanation: ${explanation}`);
    const r = JSON.parse(text);
    assert.equal(typeof r.token, 'string', 'a token');
    assert.ok(r.token.length > 0);
    assert.ok(typeof r.confidence === 'number' && r.confidence >= 0 && r.confidence <= 1, `confidence ${r.confidence}`);
    assert.ok((r.agent && r.agent.is_agent === true) || r.human === false, 'Playwright over CDP is flagged');
    assert.ok(explanation.trim().length > 0, 'the demo explains the verdict');

    const features = await page.evaluate(() => window.Huma.debug().features);
    console.log(
      `recorded: ${features.m.length / 3} moves (n.m ${features.n.m}, mc ${features.n.mc}), ` +
        `${features.c.length / 5} clicks, ${features.k.length / 3} keys, u ${features.n.u}, ` +
        `env ${JSON.stringify(features.env)}`,
    );
    checkSignals(features);
    assert.equal(features.env.webdriver, true, 'navigator.webdriver is seen');
    assert.ok(features.m.length / 3 >= 10, 'pointer moves were recorded');
    assert.equal(features.c.length / 5, 3, 'three clicks: email, password, submit');
    // Playwright presses with `force` 0.5, as Chromium gives real mice.
    assert.ok(features.c.every((v, i) => i % 5 !== 4 || (v & 8) === 0), 'no zero-pressure press (flags bit 3)');
    assert.equal(features.k.length / 3, 'ada@example.com'.length + 'correct horse'.length, 'one row per key');
    assert.ok(features.k.every((v, i) => i % 3 !== 2 || v === 0), 'all typed keys are printable (class 0)');
    for (let i = 3; i < features.m.length; i += 3) {
      assert.ok(features.m[i] - features.m[i - 3] >= 15, `moves sampled at most at 60 Hz (gap at ${i / 3})`);
    }
    assert.deepEqual(consoleErrors, []);

    const res = await fetch(`${BASE}/api/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ userId: 'browser-test', sessionData: features }),
    });
    const body = await res.text();
    assert.equal(res.status, 200, `Huma.debug().features is accepted as sessionData: ${body}`);
  });
});
