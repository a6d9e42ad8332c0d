// The snippet's mechanics in a real page, with performance.now() replaced by
// a clock the test moves: the 60 Hz sampling and even thinning at the 1024
// cap, the key and click caps, key classes, click flags and holds, paste
// detection, characters typed with no keydown, the untrusted counts (all, and keyboard/input), no text or URLs in the data, and
// startSession posting windows to /api/v1/session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, checkSignals, withChromium } from './harness.mjs';

// Installed before the snippet loads: a clock that moves only when told.
const FAKE_CLOCK = () => {
  window.__t = 1000;
  performance.now = () => window.__t;
};

async function fakeClockPage(context) {
  const page = await context.newPage();
  await page.addInitScript(FAKE_CLOCK);
  await page.goto(`${BASE}/demo`);
  await page.waitForFunction(() => typeof window.Huma === 'object');
  return page;
}

test('snippet mechanics with a controlled clock', { timeout: 90_000 }, async () => {
  await withChromium(async (context) => {
    // Pointer moves at 100 Hz for 30 s: sampled at ≤ 60 Hz, thinned evenly at the cap.
    let page = await fakeClockPage(context);
    const moves = await page.evaluate(() => {
      for (let i = 0; i < 3000; i++) {
        window.__t += 10;
        document.dispatchEvent(new PointerEvent('pointermove', { clientX: i % 1000, clientY: 7, pointerType: 'mouse' }));
      }
      return window.Huma.debug().features;
    });
    checkSignals(moves);
    const ts = moves.m.filter((_, i) => i % 3 === 0);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]);
    console.log(`moves: ${ts.length} samples kept of ${moves.n.m}, gaps ${Math.min(...gaps)}..${Math.max(...gaps)} ms`);
    assert.equal(moves.n.m, 3000);
    assert.equal(moves.n.u, 3000, 'synthetic events are counted as untrusted');
    assert.equal(moves.n.uk, 0, 'none of them keyboard or input events');
    assert.equal(moves.n.mc, 0);
    assert.ok(ts.length > 512 && ts.length <= 1024, `${ts.length} samples within the cap`);
    assert.ok(ts[0] <= 20 && ts[ts.length - 1] >= 29_900, 'the samples still cover the whole window');
    assert.ok(Math.min(...gaps) >= 16, 'never faster than 60 Hz');
    assert.ok(Math.max(...gaps) <= 40, 'thinned evenly: no hole in the trace');
    await page.close();

    // Keys: classes, holds, paste, and the 512 cap with totals still counted.
    // Trusted keys, through the browser's input (DevTools protocol), on the
    // page body (no form to submit); the fake clock moves between them.
    page = await fakeClockPage(context);
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    const input = await context.newCDPSession(page);
    const tick = (ms) => page.evaluate((d) => (window.__t += d), ms);
    const press = async (key, code, modifiers = 0) => {
      await tick(30);
      await input.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key, code, modifiers });
      await tick(50);
      await input.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code, modifiers });
    };
    await press('a', 'KeyA');
    await press('Backspace', 'Backspace');
    await press('ArrowLeft', 'ArrowLeft');
    await press('Shift', 'ShiftLeft');
    await press('Enter', 'Enter');
    await press('Tab', 'Tab');
    await press('c', 'KeyC', 2);
    await tick(500);
    await page.evaluate(() => {
      const el = document.querySelector('#email');
      el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
    });
    for (let i = 0; i < 600; i++) await press('x', 'KeyX');
    // A password manager's autofill: untrusted key and input events on a
    // field. Counted in u and uk; the keys are not recorded.
    await tick(500);
    await page.evaluate(() => {
      const el = document.querySelector('#password');
      for (const type of ['keydown', 'keypress', 'keyup']) el.dispatchEvent(new KeyboardEvent(type, { bubbles: true }));
      for (const type of ['input', 'change']) el.dispatchEvent(new Event(type, { bubbles: true }));
    });
    const keys = await page.evaluate(() => window.Huma.debug().features);
    await input.detach();
    checkSignals(keys);
    assert.deepEqual(keys.k.slice(0, 24), [30, 50, 0, 110, 50, 1, 190, 50, 2, 270, 50, 2, 350, 50, 3, 430, 50, 3, 510, 50, 2, 1060, 0, 4]);
    assert.equal(keys.k.length, 512 * 3, 'the key array stops at its cap');
    assert.equal(keys.n.k, 609, 'totals go on counting (607 keys, a paste, the autofilled value)');
    // Untrusted: the dispatched paste, and the autofill's keydown,
    // keypress, keyup and input (the snippet does not listen to change).
    assert.deepEqual([keys.n.u, keys.n.uk], [5, 5]);
    await page.close();

    // Characters with no keydown (the DevTools protocol's `char` events,
    // as nodriver's send_keys types them) are keys held 0 ms, not pastes;
    // a key pressed with its text (keydown, keypress, keyup) is one key.
    page = await fakeClockPage(context);
    await page.focus('#email');
    const typing = await context.newCDPSession(page);
    const later = (ms) => page.evaluate((d) => (window.__t += d), ms);
    for (const text of 'qrs') {
      await later(5);
      await typing.send('Input.dispatchKeyEvent', { type: 'char', text });
    }
    await later(300);
    await typing.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 't', code: 'KeyT', text: 't' });
    await later(50);
    await typing.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 't', code: 'KeyT' });
    await typing.detach();
    const chars = await page.evaluate(() => ({ f: window.Huma.debug().features, value: document.querySelector('#email').value }));
    checkSignals(chars.f);
    assert.equal(chars.value, 'qrst', 'the characters reached the field');
    assert.deepEqual(chars.f.k, [5, 0, 0, 10, 0, 0, 15, 0, 0, 315, 50, 0]);
    assert.deepEqual([chars.f.n.k, chars.f.n.u], [4, 0]);
    await page.close();

    // Clicks: flags and hold.
    page = await fakeClockPage(context);
    const clicks = await page.evaluate(() => {
      const el = document.querySelector('#submit');
      const r = el.getBoundingClientRect();
      const at = (dx, dy, button, pointerId) => ({
        clientX: r.left + r.width / 2 + dx,
        clientY: r.top + r.height / 2 + dy,
        button,
        pointerId,
        bubbles: true,
      });
      window.__t += 100;
      el.dispatchEvent(new PointerEvent('pointerdown', at(0, 0, 0, 1)));
      window.__t += 80;
      el.dispatchEvent(new PointerEvent('pointerup', at(0, 0, 0, 1)));
      window.__t += 100;
      el.dispatchEvent(new PointerEvent('pointerdown', at(7, 3, 2, 2)));
      window.__t += 120;
      el.dispatchEvent(new PointerEvent('pointerup', at(7, 3, 2, 2)));
      return window.Huma.debug().features;
    });
    checkSignals(clicks);
    assert.equal(clicks.c.length, 10);
    assert.deepEqual([clicks.c[0], clicks.c[3], clicks.c[4]], [100, 80, 4], 'centred, primary, untrusted');
    assert.deepEqual([clicks.c[5], clicks.c[8], clicks.c[9]], [280, 120, 2], 'off-centre, secondary, untrusted');
    await page.close();

    // Bit 3: a mouse press with a button down and pressure exactly 0; never
    // for pens (which may touch down at 0), touches, or a press at 0.5.
    page = await fakeClockPage(context);
    const pressure = await page.evaluate(() => {
      const el = document.querySelector('#email');
      const press = (pointerType, buttons, pressure, pointerId) => {
        const init = { clientX: 20, clientY: 12, pointerType, buttons, pressure, pointerId, bubbles: true };
        window.__t += 100;
        el.dispatchEvent(new PointerEvent('pointerdown', init));
        window.__t += 90;
        el.dispatchEvent(new PointerEvent('pointerup', { ...init, buttons: 0, pressure: 0 }));
      };
      press('mouse', 1, 0, 1);
      press('mouse', 1, 0.5, 1);
      press('mouse', 0, 0, 1);
      press('pen', 1, 0, 2);
      press('touch', 1, 0, 3);
      return window.Huma.debug().features;
    });
    checkSignals(pressure);
    assert.deepEqual(pressure.c.filter((_, i) => i % 5 === 4).map((f) => f & 8), [8, 0, 0, 0, 0], 'only the zero-pressure mouse press');
    // Bit 4: a finger's or a pen's press, never a mouse's.
    assert.deepEqual(pressure.c.filter((_, i) => i % 5 === 4).map((f) => f & 16), [0, 0, 0, 16, 16], 'pen and touch presses');
    await page.close();

    // A real tap (trusted, through the browser's touch input) and a real
    // mouse click on the same page: the tap's row carries bit 4 and its
    // touch is in `t`; the click's does not.
    page = await context.newPage();
    await page.goto(`${BASE}/demo`);
    await page.waitForFunction(() => typeof window.Huma === 'object');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
    await page.mouse.move(200, 150);
    await page.mouse.click(210, 160, { delay: 60 });
    const box = await page.locator('#email').boundingBox();
    const point = { x: Math.round(box.x + 30), y: Math.round(box.y + 8) };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
    await new Promise((r) => setTimeout(r, 70));
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForFunction(() => window.Huma.debug().features.c.length >= 10);
    const tapped = await page.evaluate(() => window.Huma.debug().features);
    checkSignals(tapped);
    const flags = tapped.c.filter((_, i) => i % 5 === 4);
    console.log(`a mouse click and a tap: click flags ${JSON.stringify(flags)}, touches ${tapped.t.length / 4}`);
    assert.deepEqual(flags.map((f) => f & 17), [1, 17], 'a trusted mouse press, then a trusted tap with bit 4');
    assert.ok(tapped.t.length / 4 >= 2, 'the tap is in the touches too');
    await cdp.detach();
    await page.close();
  });
});

test('no text or URLs in the data, and startSession posts windows', { timeout: 90_000 }, async () => {
  const key = process.env.HUMA_DEV_KEY;
  assert.ok(key, 'HUMA_DEV_KEY is set');
  await withChromium(async (context) => {
    const page = await context.newPage();
    await page.goto(`${BASE}/demo?campaign=private-query`);
    await page.waitForFunction(() => typeof window.Huma === 'object');
    await page.click('#email');
    await page.keyboard.type('very-secret@example.com', { delay: 20 });
    await page.click('#password');
    await page.keyboard.type('hunter2hunter2', { delay: 20 });
    const json = JSON.stringify(await page.evaluate(() => window.Huma.debug().features));
    for (const needle of ['secret', 'example', 'hunter', 'campaign', 'private', '/demo', 'http']) {
      assert.ok(!json.includes(needle), `sessionData does not contain ${needle}`);
    }

    const sessions = [];
    page.on('response', async (res) => {
      if (res.url().endsWith('/api/v1/session')) {
        sessions.push({ status: res.status(), body: JSON.parse(res.request().postData()), answer: await res.json() });
      }
    });
    await page.evaluate(
      ([key]) =>
        window.Huma.verify('session-user', key).then((r) => {
          window.Huma.startSession('session-user', key, r.token, { intervalMs: 300 });
        }),
      [key],
    );
    await page.mouse.move(200, 200, { steps: 5 });
    const deadline = Date.now() + 10_000;
    while (sessions.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await page.evaluate(() => window.Huma.stopSession());
    assert.ok(sessions.length >= 2, `two windows were sent (${sessions.length})`);
    for (const s of sessions) {
      assert.equal(s.status, 200, JSON.stringify(s.answer));
      assert.equal(s.body.userId, 'session-user');
      assert.ok(typeof s.body.sessionToken === 'string' && s.body.sessionToken.length > 0);
      checkSignals(s.body.sessionData);
      assert.ok(s.body.sessionData.dur < 2000, 'each window covers one interval, not the whole visit');
    }
    const sent = sessions.length;
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(sessions.length <= sent + 1, 'stopSession stops the heartbeats');
  });
});

// `env.ua_spoofed`: the page's navigator.userAgentData replaced before the
// snippet loads, as a driver or a stealth kit would leave it. Chromium's own
// answers first (false), then each way a rewrite shows, and an old Chromium
// without `fullVersionList` (no field: nothing to compare).
test('a rewritten user agent is reported, an unmodified or old one is not', { timeout: 60_000 }, async () => {
  const brand = (b, v) => ({ brand: b, version: v });
  const cases = [
    ['unmodified', null, false],
    ['brands emptied (setUserAgent without metadata)', { brands: [], full: [] }, true],
    ['full-version list emptied (--user-agent)', { brands: [brand('Not:A-Brand', '8'), brand('Chromium', '156')], full: [] }, true],
    [
      'brands patched, full list not (stealth kit)',
      { brands: [brand(' Not A;Brand', '99'), brand('Chromium', '156'), brand('Google Chrome', '156')], full: [brand('Not:A-Brand', '8.0.0.0'), brand('Chromium', '156.0.1.2')] },
      true,
    ],
    [
      'GREASE spelled differently, same brands',
      { brands: [brand('Not_A Brand', '24'), brand('Chromium', '156'), brand('Google Chrome', '156')], full: [brand('Not A(Brand', '24.0.0.0'), brand('Google Chrome', '156.0.1.2'), brand('Chromium', '156.0.1.2')] },
      false,
    ],
    ['Chromium before 98: no full-version list', { brands: [brand('Chromium', '97')], full: undefined }, undefined],
  ];
  await withChromium(async (context) => {
    for (const [name, fake, expected] of cases) {
      const page = await context.newPage();
      if (fake) {
        await page.addInitScript((f) => {
          const data = {
            brands: f.brands,
            mobile: false,
            platform: 'Linux',
            getHighEntropyValues: async () => (f.full === undefined ? { brands: f.brands } : { brands: f.brands, fullVersionList: f.full }),
          };
          Object.defineProperty(Navigator.prototype, 'userAgentData', { get: () => data, configurable: true });
        }, fake);
      }
      await page.goto(`${BASE}/demo`);
      await page.waitForFunction(() => typeof window.Huma === 'object');
      await page.waitForTimeout(100);
      const env = await page.evaluate(() => window.Huma.debug().features.env);
      console.log(`${name}: ua_spoofed ${env.ua_spoofed}`);
      assert.equal(env.ua_spoofed, expected, name);
      await page.close();
    }
    // Brands that change 300 ms after load: a kit that rewrites them only
    // after the page's scripts ran (playwright-extra, seen in Chromium 156)
    // is seen by the read one second after load; a mismatch seen at load
    // stays when the brands are made consistent later.
    const chrome = [{ brand: 'Chromium', version: '156' }, { brand: 'Google Chrome', version: '156' }];
    const chromium = [{ brand: 'Chromium', version: '156' }];
    for (const [name, before, after, early, late] of [
      ['rewritten after load', chromium, chrome, false, true],
      ['rewritten at load, put back after', chrome, chromium, true, true],
    ]) {
      const page = await context.newPage();
      await page.addInitScript(
        ([before, after]) => {
          const full = [{ brand: 'Chromium', version: '156.0.1.2' }];
          let brands = before;
          const data = {
            get brands() {
              return brands;
            },
            mobile: false,
            platform: 'Linux',
            getHighEntropyValues: async () => ({ brands, fullVersionList: full }),
          };
          Object.defineProperty(Navigator.prototype, 'userAgentData', { get: () => data, configurable: true });
          setTimeout(() => {
            brands = after;
          }, 300);
        },
        [before, after]
      );
      await page.goto(`${BASE}/demo`);
      await page.waitForFunction(() => typeof window.Huma === 'object');
      await page.waitForTimeout(100);
      const first = (await page.evaluate(() => window.Huma.debug().features.env)).ua_spoofed;
      await page.waitForTimeout(1500);
      const second = (await page.evaluate(() => window.Huma.debug().features.env)).ua_spoofed;
      console.log(`${name}: ua_spoofed ${first} after load, ${second} after the second read`);
      assert.equal(first, early, `${name}: after load`);
      assert.equal(second, late, `${name}: after the second read`);
      await page.close();
    }
  });
});
