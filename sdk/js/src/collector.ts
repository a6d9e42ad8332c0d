/* The behavioural signals collector (signals v1): the single implementation
 * behind both the npm package (`usehuma`'s `verify`) and the browser snippet
 * `/v1/huma.js` (web/huma.js is generated from this file and src/snippet.ts by
 * `npm run build:snippet`). Records raw input timing and geometry, never key
 * values, text or URLs. Collection starts when the collector is created. */

import type { Signals } from './types.js';

export interface Collector {
  /** The current window as signals v1 (the window keeps running). */
  snapshot(): Signals;
  /** Starts a new, empty window. */
  fresh(): void;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Win = {
  t0: number;
  m: number[]; c: number[]; k: number[]; s: number[]; t: number[]; f: number[];
  n: { m: number; mc: number; c: number; k: number; s: number; t: number; u: number; uk: number };
  nextMove: number;
  lastTouch: number;
  moveGap: number;
};
type Kind = 'm' | 'c' | 'k' | 's' | 't' | 'f';

/** Installs the listeners on `w`/`d` and returns the collector. */
export function createCollector(w: any, d: any): Collector {
  var nav = w.navigator || {};
  var perf = w.performance;
  // Array caps in samples and the stride of each array (signals v1).
  var CAP = { m: 1024, c: 128, k: 512, s: 256, t: 512, f: 64 };
  var STRIDE = { m: 3, c: 5, k: 3, s: 3, t: 4, f: 2 };
  var FRAME = 1000 / 60; // pointer moves are sampled at most at 60 Hz
  var OPT = { passive: true, capture: true };

  var win: Win; // the current window: arrays, totals and sampling state
  var keysDown: Record<string, [number, number]> = {}; // code -> [row index in win.k, time] (to fill in the hold)
  var ptrDown: Record<string, [number, number]> = {}; // pointerId -> [row index in win.c, time]
  var lastKeyAt = -1e9; // performance time of the last keydown
  var lastCharAt = -1e9; // of the last character typed with no keydown
  var lastInput = { wheel: -1e9, touch: -1e9, key: -1e9 };
  var scrollPos = typeof WeakMap === 'function' ? new WeakMap<object, number>() : null;
  var winScrollY = w.scrollY || 0;
  var cdp = false;

  function now(): number {
    return perf && perf.now ? perf.now() : Date.now();
  }

  function fresh() {
    win = {
      t0: now(),
      m: [], c: [], k: [], s: [], t: [], f: [],
      n: { m: 0, mc: 0, c: 0, k: 0, s: 0, t: 0, u: 0, uk: 0 },
      nextMove: 0,
      lastTouch: -1e9,
      moveGap: FRAME
    };
    keysDown = {};
    ptrDown = {};
  }

  // Milliseconds since the window started, an integer. performance.now() is
  // monotonic, so rows pushed in handler order are non-decreasing.
  function rel() {
    var t = Math.round(now() - win.t0);
    return t > 0 ? t : 0;
  }

  // Pushes one row; false when the array is at its cap.
  function push(kind: Kind, row: number[]) {
    var a = win[kind];
    if (a.length >= CAP[kind] * STRIDE[kind]) return false;
    for (var i = 0; i < row.length; i++) a.push(row[i]);
    return true;
  }

  // `uk` (our extension of signals v1) counts the untrusted keyboard and
  // input events among `u`: a password manager's autofill announces the
  // values it sets with them, beside a person's real input, where an
  // untrusted pointer event is always a script's.
  // Whether the event was untrusted (a script's).
  function seen(e: any, keyboard?: boolean) {
    if (e.isTrusted !== false) return false;
    win.n.u++;
    if (keyboard) win.n.uk++;
    driverStack();
    return true;
  }

  // Script that a CDP or WebDriver client runs in the page names itself in
  // the stack of any event it dispatches synchronously (checked only on
  // untrusted events, so the cost is nil for real input). Verified in
  // Chromium 156; none of these occurs for a page's own dispatchEvent:
  //   Puppeteer (page.evaluate, $eval): frames named `pptr:evaluate;…`
  //   Playwright (page.evaluate, dispatchEvent): `UtilityScript.evaluate`,
  //     `InjectedScript.dispatchEvent`
  //   ChromeDriver (executeScript): `at executeScript (<anonymous>:…)`
  var DRIVER_FRAME = /\bpptr:|\bUtilityScript\.|\bInjectedScript\.|at executeScript \(<anonymous>/;
  function driverStack() {
    if (cdp) return;
    try {
      if (DRIVER_FRAME.test(String(new Error().stack))) cdp = true;
    } catch (x) {}
  }

  // ChromeDriver defines `cdc_<22 chars>_Array`, `_Promise`, `_Symbol`… on
  // every window it drives, before any page script runs (verified with
  // ChromeDriver 156; patched drivers rename the `cdc` prefix, so the shape
  // is matched, not the name).
  var CDC = /^[A-Za-z$]{3,4}_[A-Za-z0-9]{22}_(Array|Promise|Symbol|Object|Proxy|JSON|Window)$/;
  function driverGlobals() {
    try {
      var names = Object.getOwnPropertyNames(w);
      for (var i = 0; i < names.length; i++) if (CDC.test(names[i])) return (cdp = true);
    } catch (x) {}
    return false;
  }

  function int(x: any) {
    return Math.round(+x || 0);
  }

  // Halves the pointer trace (keeping every other sample) and the sampling
  // rate, so a full buffer still covers the whole window evenly.
  function thinMoves() {
    var a = win.m, out: number[] = [];
    for (var i = 0; i < a.length; i += 6) out.push(a[i], a[i + 1], a[i + 2]);
    win.m = out;
    win.moveGap *= 2;
  }

  function onMove(e: any) {
    if (e.pointerType === 'touch') return; // touches go to `t`
    seen(e);
    win.n.m++;
    if (e.getCoalescedEvents) {
      try {
        if (e.getCoalescedEvents().length > 1) win.n.mc++;
      } catch (x) {}
    }
    // A budget rather than a gap: a sample may come up to 1 ms early, which
    // keeps 60 Hz input at 60 Hz while the long-run rate never exceeds it.
    var p = now();
    if (p < win.nextMove - 1) return;
    win.nextMove = Math.max(p, win.nextMove) + win.moveGap;
    if (win.m.length >= CAP.m * 3) thinMoves();
    push('m', [rel(), int(e.clientX), int(e.clientY)]);
  }

  function onDown(e: any) {
    seen(e);
    win.n.c++;
    var flags = (e.isTrusted ? 1 : 0) | (e.button ? 2 : 0);
    var el = e.target;
    if (el && el.getBoundingClientRect) {
      var r = el.getBoundingClientRect();
      if (Math.abs(e.clientX - (r.left + r.width / 2)) <= 1 && Math.abs(e.clientY - (r.top + r.height / 2)) <= 1) flags |= 4;
    }
    // Bit 3: a mouse press with no pressure. Pointer Events requires 0.5
    // for a pressed button on hardware without pressure, and Chromium gives
    // it for real mice, touchpads and OS-injected input; a CDP client's
    // Input.dispatchMouseEvent without `force` (Puppeteer, ChromeDriver)
    // gives 0. Pens may touch down at 0 and touches are not mice, so only
    // `mouse` counts; the server decides what it means (docs/model-card.md).
    if (e.pointerType === 'mouse' && e.buttons && e.pressure === 0) flags |= 8;
    // Bit 4: a finger or a pen pressed, not the mouse pointer. On a laptop
    // with a touch screen a tap lands far from where the mouse last was;
    // it did not get there by moving the pointer, and is no teleport.
    if (e.pointerType === 'touch' || e.pointerType === 'pen') flags |= 16;
    if (push('c', [rel(), int(e.clientX), int(e.clientY), 0, flags])) ptrDown[e.pointerId || 0] = [win.c.length - 2, now()];
  }

  function onUp(e: any) {
    seen(e);
    var id = e.pointerId || 0, row = ptrDown[id];
    if (!row) return;
    delete ptrDown[id];
    win.c[row[0]] = int(now() - row[1]);
  }

  function keyClass(e: any) {
    var k = e.key || '';
    if (k === 'Backspace' || k === 'Delete') return 1;
    if (k === 'Enter' || k === 'Tab') return 3;
    if (e.ctrlKey || e.metaKey || e.altKey) return 2;
    if (k.length === 1 || k === 'Process' || k === 'Unidentified' || k === 'Dead') return 0;
    return 2;
  }

  // A script's key events (a password manager announcing a value it set)
  // are counted in `u` and `uk`, not recorded as keys: no finger made them,
  // and their 0 ms holds are not a person's typing.
  function onKeyDown(e: any) {
    if (seen(e, true) || e.repeat) return;
    win.n.k++;
    lastKeyAt = lastInput.key = now();
    var id = e.code || e.keyCode || 'k';
    if (push('k', [rel(), 0, keyClass(e)])) keysDown[id] = [win.k.length - 2, now()];
  }

  function onKeyUp(e: any) {
    if (seen(e, true)) return;
    var id = e.code || e.keyCode || 'k', row = keysDown[id];
    if (!row) return;
    delete keysDown[id];
    win.k[row[0]] = int(now() - row[1]);
  }

  // Whether a key is down (pressed and not yet released).
  function keyHeld() {
    for (var id in keysDown) return true;
    return false;
  }

  // A character typed with no key pressed for it: the DevTools protocol's
  // `Input.dispatchKeyEvent` of type `char` (nodriver's `send_keys`) fires
  // `keypress` and the text's `input` with no `keydown`, where a keyboard
  // (an on-screen one too) always sends its keydown first, in the same
  // task. Recorded as a printable key held 0 ms, so the typing terms judge
  // its pace; its `input` is then not a paste.
  function onKeyPress(e: any) {
    if (seen(e, true)) return;
    var p = now();
    if (keyHeld() || p - lastKeyAt < 50) return;
    lastCharAt = p;
    win.n.k++;
    push('k', [rel(), 0, 0]);
  }

  // An input change with no key pressed around it: paste, autofill, drop,
  // or a value set by script and announced with an input event.
  function onInput(e: any) {
    seen(e, true);
    var p = now();
    if (keyHeld() || p - lastKeyAt < 100 || p - lastCharAt < 100) return;
    win.n.k++;
    push('k', [rel(), 0, 4]);
  }

  function onScroll(e: any) {
    seen(e);
    var el = e.target, y, prev;
    if (el === d || el === w || el === d.documentElement || el === d.body) {
      y = w.scrollY || w.pageYOffset || 0;
      prev = winScrollY;
      winScrollY = y;
    } else if (el && scrollPos) {
      y = el.scrollTop || 0;
      prev = scrollPos.has(el) ? scrollPos.get(el) : 0;
      scrollPos.set(el, y);
    } else {
      return;
    }
    var dy = int(y - (prev as number));
    if (!dy) return;
    win.n.s++;
    var p = now(), src = 3;
    var recent = function (t: number) { return p - t < 250; };
    if (recent(lastInput.wheel)) src = 0;
    else if (recent(lastInput.touch)) src = 1;
    else if (recent(lastInput.key)) src = 2;
    push('s', [rel(), dy, src]);
  }

  function touchRow(e: any, phase: number) {
    seen(e);
    lastInput.touch = now();
    var list = e.changedTouches;
    if (!list || !list.length) return;
    if (phase === 1) {
      var p = now();
      if (p - win.lastTouch < FRAME - 0.5) return;
      win.lastTouch = p;
    }
    win.n.t++;
    push('t', [rel(), int(list[0].clientX), int(list[0].clientY), phase]);
  }

  function focusRow(state: number) {
    return function (e: any) {
      if (e && e.target && e.target !== w && e.target !== d) return;
      if (e) seen(e);
      push('f', [rel(), state]);
    };
  }

  // The classic CDP Runtime check: an object whose `stack` getter runs only
  // when a DevTools protocol client serialises console arguments. It no
  // longer fires in Chromium 156 (V8 no longer calls the getter) under
  // Playwright, Puppeteer or ChromeDriver; kept for older browsers.
  function cdpCheck() {
    try {
      var probe = new Error();
      Object.defineProperty(probe, 'stack', {
        configurable: false,
        enumerable: false,
        get: function () {
          cdp = true;
          return '';
        }
      });
      console.debug(probe);
    } catch (x) {}
  }

  // `navigator.webdriver` redefined by page script: stealth kits (and
  // undetected-driver recipes) hide automation with an init script that
  // puts a getter of their own on Navigator.prototype or on navigator
  // itself. In Chromium the property is a native accessor on the prototype
  // and nothing a person installs has a reason to touch it, so a getter
  // that is not native code means the flag was hidden: reported as
  // `webdriver`. (The launch flag that turns the flag off natively leaves
  // nothing to see; a kit that also patches Function.prototype.toString
  // passes.) Only where `window.chrome` exists, and in Firefox, whose
  // accessor is native on the prototype too (checked in Firefox ESR 153:
  // plain, it reads as native; Puppeteer's init script there is seen).
  var NATIVE = /\{\s*\[native code\]\s*\}\s*$/;
  function webdriverHidden(): boolean {
    if (!w.chrome && !/ Firefox\/\d/.test(nav.userAgent || '')) return false;
    try {
      if (Object.getOwnPropertyDescriptor(nav, 'webdriver')) return true;
      var proto = Object.getPrototypeOf(nav);
      var desc = proto && Object.getOwnPropertyDescriptor(proto, 'webdriver');
      if (!desc) return false;
      return typeof desc.get !== 'function' || !NATIVE.test(Function.prototype.toString.call(desc.get));
    } catch (x) {
      return false;
    }
  }

  // A user agent rewritten by its driver: Chromium answers the same brands
  // from `navigator.userAgentData` and from its high-entropy
  // `fullVersionList`, and never an empty list. A `--user-agent` launch
  // switch (the usual way to drop "HeadlessChrome") empties the
  // full-version list; Puppeteer's `setUserAgent` without metadata empties
  // both; stealth kits that patch `brands` leave the full-version list as
  // it was (all seen in Chromium 156; model card). GREASE brands ("Not…A…
  // Brand", any spelling) are left out of the comparison. Undefined until
  // the asynchronous answer arrives, and where the API is missing (not
  // Chromium, not a secure context, or a Chromium older than 98, whose
  // answer has no `fullVersionList`). Read at load and again a second
  // later: a kit that rewrites the agent over CDP can do so after the
  // page's scripts first ran (seen in Chromium 156 with
  // playwright-extra). A mismatch once seen stays: an unmodified Chromium
  // never shows one.
  var uaSpoofed: boolean | undefined;
  var GREASE = /not.?a.?brand/i;
  function brandNames(list: any): string[] {
    var out: string[] = [];
    for (var i = 0; list && i < list.length; i++) {
      var b = String(list[i] && list[i].brand);
      if (!GREASE.test(b)) out.push(b);
    }
    return out;
  }
  function uaCheck() {
    var ud = nav.userAgentData;
    if (!w.chrome || !ud || typeof ud.getHighEntropyValues !== 'function') return;
    try {
      var brands = brandNames(ud.brands);
      if (!brands.length) {
        uaSpoofed = true;
        return;
      }
      ud.getHighEntropyValues(['fullVersionList']).then(
        function (h: any) {
          // Chromium before 98 has no full-version list: nothing to compare.
          if (!h || !Array.isArray(h.fullVersionList)) return;
          var full = brandNames(h.fullVersionList);
          var missing = !full.length;
          for (var i = 0; i < brands.length; i++) if (full.indexOf(brands[i]) < 0) missing = true;
          uaSpoofed = uaSpoofed || missing;
        },
        function () {}
      );
    } catch (x) {}
  }

  function pair(a: any, b: any): [number, number] {
    return [int(a), int(b)];
  }

  function env() {
    var s = w.screen || {};
    var ua = nav.userAgent || '';
    cdpCheck();
    if (!cdp) driverGlobals();
    var e: any = {
      host: w.location.hostname || '',
      webdriver: !!nav.webdriver || webdriverHidden(),
      cdp: cdp,
      headless_ua: /HeadlessChrome/.test(ua),
      chrome_obj: !!w.chrome,
      plugins: nav.plugins ? nav.plugins.length : 0,
      languages: nav.languages ? nav.languages.length : 0,
      touch_points: nav.maxTouchPoints || 0,
      screen: pair(s.width, s.height),
      outer: pair(w.outerWidth, w.outerHeight),
      inner: pair(w.innerWidth, w.innerHeight),
      dpr: w.devicePixelRatio > 0 ? w.devicePixelRatio : 1
    };
    if (uaSpoofed !== undefined) e.ua_spoofed = uaSpoofed;
    return e;
  }

  // The current window as signals v1.
  function snapshot(): Signals {
    var n = win.n;
    return {
      v: 1,
      dur: rel(),
      m: win.m.slice(),
      c: win.c.slice(),
      k: win.k.slice(),
      s: win.s.slice(),
      t: win.t.slice(),
      f: win.f.slice(),
      n: { m: n.m, mc: n.mc, c: n.c, k: n.k, s: n.s, t: n.t, u: n.u, uk: n.uk },
      env: env()
    };
  }

  fresh();
  cdpCheck();
  uaCheck();
  setTimeout(uaCheck, 1000);
  var on = function (target: any, type: string, fn: (e: any) => void) {
    target.addEventListener(type, fn, OPT);
  };
  if (w.PointerEvent) {
    on(d, 'pointermove', onMove);
    on(d, 'pointerdown', onDown);
    on(d, 'pointerup', onUp);
    on(d, 'pointercancel', onUp);
  } else {
    on(d, 'mousemove', onMove);
    on(d, 'mousedown', onDown);
    on(d, 'mouseup', onUp);
  }
  // `element.click()` from script fires only `click`. It is not counted in
  // `n.u` (sites call it on their own widgets), but a client's evaluate
  // frames in its stack are automation (see driverStack). Clicks the browser
  // synthesises (labels, Enter/Space on buttons, implicit submission) are
  // trusted, so this costs real input nothing.
  on(d, 'click', function (e) {
    if (e.isTrusted === false) driverStack();
  });
  on(d, 'keydown', onKeyDown);
  on(d, 'keyup', onKeyUp);
  on(d, 'keypress', onKeyPress);
  on(d, 'input', onInput);
  on(d, 'scroll', onScroll);
  on(w, 'wheel', function (e) {
    seen(e);
    lastInput.wheel = now();
  });
  on(d, 'touchstart', function (e) { touchRow(e, 0); });
  on(d, 'touchmove', function (e) { touchRow(e, 1); });
  on(d, 'touchend', function (e) { touchRow(e, 2); });
  on(d, 'visibilitychange', function (e) {
    seen(e);
    push('f', [rel(), d.visibilityState === 'hidden' ? 0 : 1]);
  });
  w.addEventListener('blur', focusRow(0), { passive: true });
  w.addEventListener('focus', focusRow(1), { passive: true });

  return { snapshot: snapshot, fresh: fresh };
}
