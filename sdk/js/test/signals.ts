// Human-like signals v1 for tests that run outside a browser: a curved,
// jittered pointer path at 60 Hz, clicks with human holds, typing with
// varied rhythm.
import type { Signals } from 'usehuma';

export function humanSignals(seed = 1): Signals {
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const m: number[] = [];
  let t = 0;
  for (let i = 0; i < 240; i++) {
    t += 16 + Math.round(rnd() * 3);
    const a = i / 240;
    m.push(t, Math.round(200 + 600 * a + 40 * Math.sin(a * 7) + rnd() * 3), Math.round(300 + 120 * Math.sin(a * 3) + rnd() * 3));
  }
  const c = [t + 120, 640, 388, 96 + Math.round(rnd() * 30), 1, t + 1900, 520, 430, 110, 1];
  const k: number[] = [];
  let kt = t + 300;
  for (let i = 0; i < 14; i++) {
    kt += 90 + Math.round(rnd() * 160);
    k.push(kt, 60 + Math.round(rnd() * 50), i === 7 ? 1 : 0);
  }
  const dur = kt + 2000;
  return {
    v: 1, dur, m, c, k, s: [200, 120, 0, 320, 240, 0], t: [], f: [],
    n: { m: 700, mc: 500, c: 2, k: 14, s: 2, t: 0, u: 0 },
    env: { host: 'shop.example', webdriver: false, cdp: false, headless_ua: false, chrome_obj: true, plugins: 5, languages: 2, touch_points: 0, screen: [1920, 1080], outer: [1280, 800], inner: [1280, 689], dpr: 1 },
  };
}
