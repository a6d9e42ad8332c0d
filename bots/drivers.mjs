// One small interface over Playwright, Puppeteer and Selenium driving
// Debian's Chromium, so that every style in styles.mjs runs unchanged on all
// three. Nothing here downloads a browser: the executable and chromedriver
// are Debian's, and selenium-manager is kept offline.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMEDRIVER = process.env.CHROMEDRIVER_PATH || '/usr/bin/chromedriver';
export const FRAMEWORKS = ['playwright', 'puppeteer', 'selenium'];

// The flags this machine needs (no background networking; also used by
// tests/browser), and a fixed window size, so that coordinates mean the
// same in every framework.
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const FLAGS = [...CHROMIUM_FLAGS, '--window-size=1280,800'];

// What a "stealth" bot adds: no AutomationControlled blink feature (so
// navigator.webdriver is false), and a user agent without "HeadlessChrome".
// `hideWebdriver` also redefines navigator.webdriver from an init script,
// as stealth kits do (redundant with the flag, and visible to the page).
const STEALTH_FLAGS = ['--disable-blink-features=AutomationControlled'];
const HIDE_WEBDRIVER = () => {
  Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false, configurable: true });
};

async function stealthUa() {
  const { execFileSync } = await import('node:child_process');
  const v = execFileSync(CHROMIUM, ['--version']).toString().match(/(\d+)\.\d+\.\d+\.\d+/);
  const major = v ? v[1] : '156';
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
}

/**
 * The frameworks a published stealth kit exists for: puppeteer-extra's
 * stealth plugin (its 17 evasions: user agent and its client hints,
 * `navigator.webdriver`, plugins, `window.chrome`, WebGL vendor, …), which
 * playwright-extra runs too. Selenium has none in Node.
 */
export const KIT_FRAMEWORKS = ['playwright', 'puppeteer'];

async function stealthKit(framework, core) {
  const { default: StealthPlugin } = await import('puppeteer-extra-plugin-stealth');
  const { addExtra } = await import(framework === 'playwright' ? 'playwright-extra' : 'puppeteer-extra');
  const extra = addExtra(core);
  extra.use(StealthPlugin());
  return extra;
}

/**
 * Stealth forks of the two CDP frameworks, with the same APIs: patchright-core
 * (Playwright that never enables CDP's Runtime domain and evaluates in an
 * isolated world unless told otherwise) and rebrowser-puppeteer-core
 * (Puppeteer with the same Runtime leak patched). They are run as their users
 * run them: headful, in a window of its own size (no viewport emulation), with
 * `navigator.webdriver` off by the launch flag — so there is no
 * "HeadlessChrome", no headless hint and no rewritten user agent to find.
 * They need an X display (`DISPLAY`; `xvfb-run -a node generate.mjs …`).
 * Not in FRAMEWORKS: the end-to-end test does not drive them.
 */
export const FORKS = ['patchright', 'rebrowser'];

/**
 * Debian's Firefox ESR, which Puppeteer drives over WebDriver BiDi (no
 * geckodriver) as the framework `puppeteer_firefox`, headless; and which
 * os_input.mjs runs with no driver at all. Firefox gives the page no
 * `window.chrome` and no CDP. Not in FRAMEWORKS: the end-to-end test drives
 * it separately.
 */
export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** The launch options of a style of styles.mjs. */
export function launchOptions(style) {
  if (style === 'stealth_kit') return { kit: true };
  return { stealth: style.startsWith('stealth'), hideWebdriver: style === 'stealth_script' };
}

/**
 * Starts `framework`'s browser; returns a driver (see the methods below).
 * `stealth`: launch flags and a user agent without "HeadlessChrome";
 * `hideWebdriver`: also an init script; `kit`: the published stealth kit
 * instead (Playwright and Puppeteer only, see KIT_FRAMEWORKS).
 */
export async function launch(framework, { stealth = false, hideWebdriver = false, kit = false } = {}) {
  process.env.SE_OFFLINE = 'true'; // selenium-manager: never touch the network
  if (kit && !KIT_FRAMEWORKS.includes(framework)) throw new Error(`no stealth kit for ${framework}`);
  const profile = mkdtempSync(join(tmpdir(), `huma-bots-${framework}-`));
  const args = [...FLAGS, ...(stealth ? STEALTH_FLAGS : [])];
  if (stealth) args.push(`--user-agent=${await stealthUa()}`);
  const cleanup = () => rmSync(profile, { recursive: true, force: true });
  if (FORKS.includes(framework)) {
    if (!process.env.DISPLAY) throw new Error(`${framework} runs headful: set DISPLAY (an X server such as Xvfb)`);
    if (kit) throw new Error(`no stealth kit for ${framework}`);
    const headful = [...FLAGS, ...STEALTH_FLAGS];
    if (framework === 'patchright') {
      const { chromium: core } = await import('patchright-core');
      return playwright(profile, headful, hideWebdriver, false, cleanup, { core, name: framework });
    }
    const { default: core } = await import('rebrowser-puppeteer-core');
    return puppeteer(profile, headful, hideWebdriver, false, cleanup, { core, name: framework });
  }
  if (framework === 'puppeteer_firefox') {
    if (kit) throw new Error('no stealth kit for puppeteer_firefox');
    const { default: core } = await import('puppeteer-core');
    // The launch flag is Chromium's; Firefox's own switch for the flag is
    // a preference (it stays true while a remote protocol is active).
    const prefs = stealth ? { 'dom.webdriver.enabled': false } : {};
    return puppeteer(profile, [], hideWebdriver, false, cleanup, {
      core,
      name: framework,
      // Firefox ignores the viewport setting here (its headless window stays
      // 1366 × 768): the window is sized like Chromium's instead.
      launch: { browser: 'firefox', executablePath: FIREFOX_PATH, extraPrefsFirefox: prefs, args: ['--width=1280', '--height=900'] },
    });
  }
  if (framework === 'playwright') return playwright(profile, args, hideWebdriver, kit, cleanup);
  if (framework === 'puppeteer') return puppeteer(profile, args, hideWebdriver, kit, cleanup);
  if (framework === 'selenium') return selenium(profile, args, stealth, hideWebdriver, cleanup);
  throw new Error(`unknown framework ${framework}`);
}

// `variant` {core, name}: a stealth fork's module instead of
// playwright-core, run headful.
async function playwright(profile, args, hideWebdriver, kit, cleanup, variant = null) {
  const core = variant ? variant.core : (await import('playwright-core')).chromium;
  const chromium = kit ? await stealthKit('playwright', core) : core;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: !variant,
    viewport: variant ? null : { width: 1280, height: 800 },
    args,
  });
  if (hideWebdriver) await context.addInitScript(HIDE_WEBDRIVER);
  // The kit patches pages as they are created: the one a persistent
  // context opens with predates it.
  const page = (!kit && context.pages()[0]) || (await context.newPage());
  return {
    framework: variant ? variant.name : 'playwright',
    goto: (url) => page.goto(url),
    // patchright evaluates in an isolated world unless its fourth argument
    // says otherwise, and the page's own globals (Huma) live in the main one.
    evaluate: (fn, arg) => (variant ? page.evaluate(fn, arg, undefined, false) : page.evaluate(fn, arg)),
    box: (sel) => page.locator(sel).boundingBox(),
    move: (x, y, steps = 1) => page.mouse.move(x, y, { steps }),
    down: () => page.mouse.down(),
    up: () => page.mouse.up(),
    clickAt: (x, y) => page.mouse.click(x, y),
    click: (sel) => page.click(sel),
    fill: (sel, text) => page.fill(sel, text),
    type: (text, delay = 0) => page.keyboard.type(text, { delay }),
    close: async () => {
      await context.close();
      cleanup();
    },
  };
}

// `variant` {core, name, launch?}: a stealth fork's module instead of
// puppeteer-core, run headful; or, with `launch`, Puppeteer's options for
// another browser (Firefox: headless, its own profile).
async function puppeteer(profile, args, hideWebdriver, kit, cleanup, variant = null) {
  const core = variant ? variant.core : (await import('puppeteer-core')).default;
  const pptr = kit ? await stealthKit('puppeteer', core) : core;
  const fork = variant && !variant.launch;
  const browser = await pptr.launch(
    variant && variant.launch
      ? { ...variant.launch, headless: true, defaultViewport: { width: 1280, height: 800 } }
      : {
          executablePath: CHROMIUM,
          headless: !fork,
          userDataDir: profile,
          defaultViewport: fork ? null : { width: 1280, height: 800 },
          args,
        },
  );
  const page = (!kit && (await browser.pages())[0]) || (await browser.newPage());
  if (hideWebdriver) await page.evaluateOnNewDocument(HIDE_WEBDRIVER);
  return {
    framework: variant ? variant.name : 'puppeteer',
    goto: (url) => page.goto(url),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    box: async (sel) => (await page.$(sel)).boundingBox(),
    move: (x, y, steps = 1) => page.mouse.move(x, y, { steps }),
    down: () => page.mouse.down(),
    up: () => page.mouse.up(),
    clickAt: (x, y) => page.mouse.click(x, y),
    click: (sel) => page.click(sel),
    // Puppeteer has no fill: its default is type() with no delay.
    fill: (sel, text) => page.type(sel, text),
    type: (text, delay = 0) => page.keyboard.type(text, { delay }),
    close: async () => {
      await browser.close();
      cleanup();
    },
  };
}

async function selenium(profile, args, stealth, hideWebdriver, cleanup) {
  const { Builder, By, Origin } = await import('selenium-webdriver');
  const chrome = await import('selenium-webdriver/chrome.js');
  const options = new chrome.Options();
  options.setChromeBinaryPath(CHROMIUM);
  options.addArguments('--headless', `--user-data-dir=${profile}`, ...args);
  if (stealth) options.excludeSwitches('enable-automation');
  const driver = await new Builder()
    .forBrowser('chrome')
    .setChromeOptions(options)
    .setChromeService(new chrome.ServiceBuilder(CHROMEDRIVER))
    .build();
  if (hideWebdriver) {
    await driver.sendDevToolsCommand('Page.addScriptToEvaluateOnNewDocument', { source: `(${HIDE_WEBDRIVER})()` });
  }
  // Selenium evaluates a function body: pass the function's source and call it.
  const evaluate = (fn, arg) => driver.executeScript(`return (${fn})(arguments[0]);`, arg);
  // ChromeDriver refuses moves outside the viewport (the others clamp).
  let view = null;
  const clamp = async (x, y) => {
    view = view || (await evaluate(() => [innerWidth, innerHeight]));
    return { x: Math.max(0, Math.min(view[0] - 1, Math.round(x))), y: Math.max(0, Math.min(view[1] - 1, Math.round(y))) };
  };

  return {
    framework: 'selenium',
    goto: (url) => ((view = null), driver.get(url)),
    evaluate,
    box: (sel) =>
      evaluate((s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return { x: r.left, y: r.top, width: r.width, height: r.height };
      }, sel),
    // Actions move with a duration: ChromeDriver interpolates the path.
    move: async (x, y, steps = 1) => {
      const at = await clamp(x, y);
      await driver
        .actions()
        .move({ x: at.x, y: at.y, origin: Origin.VIEWPORT, duration: steps > 1 ? steps * 16 : 0 })
        .perform();
    },
    down: () => driver.actions().press().perform(),
    up: () => driver.actions().release().perform(),
    clickAt: async (x, y) => {
      const at = await clamp(x, y);
      await driver.actions().move({ x: at.x, y: at.y, origin: Origin.VIEWPORT, duration: 0 }).click().perform();
    },
    click: async (sel) => (await driver.findElement(By.css(sel))).click(),
    fill: async (sel, text) => (await driver.findElement(By.css(sel))).sendKeys(text),
    type: async (text, delay = 0) => {
      if (!delay) return driver.actions().sendKeys(text).perform();
      let a = driver.actions();
      for (const ch of text) a = a.keyDown(ch).keyUp(ch).pause(delay);
      return a.perform();
    },
    close: async () => {
      await driver.quit();
      cleanup();
    },
  };
}
