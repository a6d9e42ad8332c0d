// How the bots fill /demo: one function per style, each driving a driver
// from drivers.mjs up to the moment before the submit click, with every
// random choice drawn from a seeded generator (the same seed gives the same
// script; the browser's own timing still varies). `submit(d, rng)` then
// clicks #submit in the same style.

export const STYLES = ['defaults', 'steps', 'humanised', 'computer_use', 'dispatched', 'stealth', 'stealth_script', 'stealth_kit', 'tool_agent'];

/** Styles driven like `humanised`, in a browser set up by `launch`'s stealth options. */
const HUMANISED = new Set(['humanised', 'stealth', 'stealth_script', 'stealth_kit']);

export const EMAIL = (tag) => `${tag}@example.com`;
const PASSWORD = 'correct horse battery';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: a small seeded PRNG, returns floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.range = (lo, hi) => lo + (hi - lo) * next();
  next.int = (lo, hi) => Math.floor(next.range(lo, hi + 1));
  return next;
}

async function centre(d, sel) {
  const b = await d.box(sel);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2, w: b.width, h: b.height };
}

// A point inside the target, away from its centre (people rarely hit it).
function offCentre(c, r) {
  return { x: c.x + (r() - 0.5) * c.w * 0.6, y: c.y + (r() - 0.5) * c.h * 0.5 };
}

// A cubic Bezier from `a` to `b` with two random control points, walked with
// ease-in-out timing, ~60 Hz with jitter, sometimes overshooting and
// correcting: the usual "humanise the mouse" recipe.
async function bezier(d, a, b, r) {
  const dist = Math.hypot(b.x - a.x, b.y - a.y);
  const bow = () => (r() - 0.5) * Math.min(dist, 300) * 0.8;
  const c1 = { x: a.x + (b.x - a.x) * 0.3 + bow(), y: a.y + (b.y - a.y) * 0.3 + bow() };
  const c2 = { x: a.x + (b.x - a.x) * 0.7 + bow(), y: a.y + (b.y - a.y) * 0.7 + bow() };
  const n = Math.max(8, Math.round(dist / r.range(12, 25)));
  for (let i = 1; i <= n; i++) {
    const s = i / n;
    const u = s < 0.5 ? 2 * s * s : 1 - Math.pow(-2 * s + 2, 2) / 2; // ease-in-out
    const v = 1 - u;
    const x = v * v * v * a.x + 3 * v * v * u * c1.x + 3 * v * u * u * c2.x + u * u * u * b.x;
    const y = v * v * v * a.y + 3 * v * v * u * c1.y + 3 * v * u * u * c2.y + u * u * u * b.y;
    await d.move(x + (r() - 0.5) * 1.5, y + (r() - 0.5) * 1.5);
    await sleep(r.range(8, 24) + (r() < 0.05 ? r.range(40, 160) : 0));
  }
  if (r() < 0.3) {
    await d.move(b.x + r.range(-6, 6), b.y + r.range(-4, 4));
    await sleep(r.range(30, 90));
    await d.move(b.x, b.y);
  }
  return b;
}

async function humanType(d, text, r) {
  for (const ch of text) {
    await d.type(ch, 0);
    await sleep(r.range(45, 190) + (r() < 0.08 ? r.range(200, 600) : 0));
  }
}

async function humanClick(d, at, r) {
  await sleep(r.range(60, 250));
  await d.down();
  await sleep(r.range(60, 140));
  await d.up();
}

const FIELDS = ['#email', '#password'];

export const DRIVE = {
  // (a) The framework's own click/fill/type, nothing else.
  async defaults(d, r, tag) {
    await d.click('#email');
    await d.fill('#email', EMAIL(tag));
    await d.click('#password');
    await d.fill('#password', PASSWORD);
  },
  // (b) Straight step-wise moves (Playwright/Puppeteer `steps`, Selenium
  // Actions move with a duration), a click at the centre, typing with a
  // constant delay.
  async steps(d, r, tag) {
    await d.move(r.int(50, 400), r.int(450, 700));
    for (const [sel, text] of [['#email', EMAIL(tag)], ['#password', PASSWORD]]) {
      const c = await centre(d, sel);
      await d.move(c.x, c.y, r.int(5, 25));
      await d.clickAt(c.x, c.y);
      await d.type(text, 50);
    }
  },
  // (c) Bezier paths with ease-in-out and jitter, micro-pauses, off-centre
  // clicks with a held button, typing with random delays.
  async humanised(d, r, tag) {
    let at = { x: r.int(50, 1200), y: r.int(400, 750) };
    await d.move(at.x, at.y);
    for (const [sel, text] of [['#email', EMAIL(tag)], ['#password', PASSWORD]]) {
      await sleep(r.range(200, 700));
      at = await bezier(d, at, offCentre(await centre(d, sel), r), r);
      await humanClick(d, at, r);
      await sleep(r.range(150, 500));
      await humanType(d, text, r);
    }
  },
  // (d) A computer-use agent: think for 1-3 s (a screenshot and a model
  // call), then act at coordinates with no path in between.
  async computer_use(d, r, tag) {
    for (const [sel, text] of [['#email', EMAIL(tag)], ['#password', PASSWORD]]) {
      await sleep(r.range(1000, 3000));
      const c = await centre(d, sel);
      await d.clickAt(c.x + r.int(-3, 3), c.y + r.int(-2, 2));
      await sleep(r.range(1000, 3000));
      await d.type(text);
    }
  },
  // (i) A model driving the framework through tool calls (Playwright MCP's
  // browser_click and browser_type, browser-use, Stagehand): the
  // framework's own click and fill on elements, with the model's 1-4 s
  // between one call and the next.
  async tool_agent(d, r, tag) {
    for (const [sel, text] of [['#email', EMAIL(tag)], ['#password', PASSWORD]]) {
      await sleep(r.range(1000, 4000));
      await d.click(sel);
      await sleep(r.range(1000, 4000));
      await d.fill(sel, text);
    }
  },
  // (e) An extension agent: events built and dispatched by page script,
  // values set directly; the page sees them as untrusted.
  async dispatched(d, r, tag) {
    await d.evaluate(
      ({ email, password, keys }) => {
        const fire = (el, type, x, y) => {
          const init = { bubbles: true, cancelable: true, composed: true, clientX: x, clientY: y, view: window };
          const Ctor = type.startsWith('pointer') ? PointerEvent : MouseEvent;
          el.dispatchEvent(new Ctor(type, type.startsWith('pointer') ? { ...init, pointerId: 1, pointerType: 'mouse', isPrimary: true } : init));
        };
        for (const [sel, value] of [['#email', email], ['#password', password]]) {
          const el = document.querySelector(sel);
          const b = el.getBoundingClientRect();
          const x = b.left + b.width / 2, y = b.top + b.height / 2;
          fire(el, 'pointermove', x, y);
          fire(el, 'mousemove', x, y);
          for (const t of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click']) fire(el, t, x, y);
          el.focus();
          if (keys) {
            for (const ch of value) {
              el.dispatchEvent(new KeyboardEvent('keydown', { key: ch, bubbles: true }));
              el.value += ch;
              el.dispatchEvent(new Event('input', { bubbles: true }));
              el.dispatchEvent(new KeyboardEvent('keyup', { key: ch, bubbles: true }));
            }
          } else {
            el.value = value;
            el.dispatchEvent(new Event('input', { bubbles: true }));
          }
          el.dispatchEvent(new Event('change', { bubbles: true }));
        }
      },
      { email: EMAIL(tag), password: PASSWORD, keys: r() < 0.5 },
    );
  },
  // (f) (c) with navigator.webdriver off and a non-headless user agent,
  // set at launch by flags only (see drivers.mjs).
  async stealth(d, r, tag) {
    return DRIVE.humanised(d, r, tag);
  },
  // (g) (f) plus an init script that redefines navigator.webdriver, as
  // stealth kits and undetected-driver recipes do.
  async stealth_script(d, r, tag) {
    return DRIVE.humanised(d, r, tag);
  },
  // (h) (c) in a browser set up by a published stealth kit
  // (puppeteer-extra-plugin-stealth; Playwright and Puppeteer only).
  async stealth_kit(d, r, tag) {
    return DRIVE.humanised(d, r, tag);
  },
};

/** Moves to #submit the style's way (before the features are read). */
export async function approachSubmit(d, style, r) {
  const c = await centre(d, '#submit');
  if (style === 'steps') await d.move(c.x, c.y, r.int(5, 25));
  else if (HUMANISED.has(style)) {
    const t = offCentre(c, r);
    await bezier(d, await centre(d, '#password'), t, r);
  } else if (style === 'computer_use') await sleep(r.range(1000, 3000));
  else if (style === 'tool_agent') await sleep(r.range(1000, 4000));
}

/** Clicks #submit the style's way. */
export async function submit(d, style, r) {
  if (style === 'defaults' || style === 'tool_agent') return d.click('#submit');
  if (style === 'dispatched') {
    return d.evaluate(() => {
      const el = document.querySelector('#submit');
      const b = el.getBoundingClientRect();
      const init = { bubbles: true, cancelable: true, clientX: b.left + b.width / 2, clientY: b.top + b.height / 2 };
      for (const t of ['pointerdown', 'mousedown', 'pointerup', 'mouseup']) el.dispatchEvent(new (t.startsWith('pointer') ? PointerEvent : MouseEvent)(t, init));
      el.click();
    });
  }
  if (HUMANISED.has(style)) return humanClick(d, null, r);
  const c = await centre(d, '#submit');
  return d.clickAt(c.x, c.y);
}
