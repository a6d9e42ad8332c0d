// HumaGate in real Chromium (Debian's /usr/bin/chromium through
// playwright-core, flags as tests/browser/harness.mjs): the page is an
// esbuild bundle of test/browser-app.tsx importing `usehuma/react` through
// the package's exports map, served at the huma server's origin (page.route)
// so the API calls are same-origin.
import { describe, expect, inject, it } from 'vitest';
import { build } from 'esbuild';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const baseUrl = inject('humaUrl');

async function bundle(): Promise<string> {
  const r = await build({
    entryPoints: [resolve(__dirname, 'browser-app.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    // No tsconfig paths: `usehuma/react` resolves through package.json's exports map (self-reference) to dist/.
    tsconfigRaw: {},
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const inputs = Object.keys(r.metafile!.inputs);
  expect(inputs).toContain('dist/react.mjs');
  expect(inputs).toContain('dist/index.mjs');
  expect(inputs.some((f) => f.startsWith('src/'))).toBe(false);
  return r.outputFiles[0].text;
}

async function withPage(cfg: object, body: (page: import('playwright-core').Page, sent: { path: string; body: any }[]) => Promise<void>) {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  const js = await bundle();
  const profile = mkdtempSync(join(tmpdir(), 'usehuma-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const sent: { path: string; body: any }[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/v1/')) sent.push({ path: u.pathname, body: JSON.parse(r.postData() || 'null') });
    });
    await page.route(`${baseUrl}/sdk-gate`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><meta charset="utf-8"><title>gate</title><div id="root"></div>
<script>window.__HUMA__ = ${JSON.stringify(cfg)};</script><script>${js.replace(/<\/script/g, '<\\/script')}</script>`,
      })
    );
    await page.goto(`${baseUrl}/sdk-gate`);
    await body(page, sent);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function fillLikeAPerson(page: import('playwright-core').Page) {
  await page.mouse.move(100, 100);
  await page.mouse.move(300, 160, { steps: 25 });
  await page.getByLabel('Email').click();
  await page.keyboard.type('ada@example.com', { delay: 60 });
}

describe('HumaGate in Chromium', () => {
  it('verifies on submit with the DOM signals (publishable key) and blocks the automated browser', { timeout: 90_000 }, async () => {
    await withPage({ apiKey: inject('pubKey'), userId: 'browser_user_1', baseUrl }, async (page, sent) => {
      await fillLikeAPerson(page);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (window as any).__gate, null, { timeout: 20_000 });
      const gate = await page.evaluate(() => (window as any).__gate);
      const v = sent.find((s) => s.path === '/api/v1/verify')!;
      expect(v.body.userId).toBe('browser_user_1');
      expect(v.body.sessionData.v).toBe(1);
      expect(v.body.sessionData.n.m).toBeGreaterThan(5);
      expect(v.body.sessionData.n.k).toBeGreaterThanOrEqual(15);
      expect(v.body.sessionData.env.webdriver).toBe(true);
      // Playwright sets navigator.webdriver: the agent block catches it.
      expect(gate.kind).toBe('block');
      expect(gate.result.agent.is_agent).toBe(true);
      expect(await page.locator('#outcome').textContent()).toBe('block');
    });
  });

  it('shows the challenge in the borderline band and submits a keyboard solve with its behaviour', { timeout: 90_000 }, async () => {
    await withPage({ apiKey: inject('testKey'), userId: 'borderline_browser', baseUrl }, async (page, sent) => {
      await fillLikeAPerson(page);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor({ timeout: 20_000 });
      const ch = sent.find((s) => s.path === '/api/v1/challenge/create');
      expect(ch?.body.userId).toBe('borderline_browser');
      const title = await dialog.getAttribute('aria-labelledby');
      expect(title).toBeTruthy();
      const instruction = await page.locator(`[id="${title}"]`).textContent();
      // The first control has focus; solve with the keyboard only.
      const isTargets = (await page.getByRole('group', { name: 'Targets' }).count()) > 0;
      if (isTargets) {
        const wanted = instruction!.split(' ').pop();
        const labels = await page.getByRole('group', { name: 'Targets' }).locator('button').allTextContents();
        for (let i = 0; i < labels.indexOf(wanted!); i++) await page.keyboard.press('ArrowRight');
        await page.keyboard.press('Enter');
      } else {
        const seq = instruction!.match(/\d/g)!.map(Number);
        let at = 1;
        for (const dot of seq) {
          const [r0, c0, r1, c1] = [Math.floor((at - 1) / 3), (at - 1) % 3, Math.floor((dot - 1) / 3), (dot - 1) % 3];
          for (let i = 0; i < Math.abs(r1 - r0); i++) await page.keyboard.press(r1 > r0 ? 'ArrowDown' : 'ArrowUp');
          for (let i = 0; i < Math.abs(c1 - c0); i++) await page.keyboard.press(c1 > c0 ? 'ArrowRight' : 'ArrowLeft');
          await page.keyboard.press('Enter');
          at = dot;
        }
        await page.getByRole('button', { name: 'Submit' }).focus();
        await page.keyboard.press('Enter');
      }
      await expect.poll(() => sent.some((s) => s.path === '/api/v1/challenge/verify'), { timeout: 20_000 }).toBe(true);
      const answer = sent.find((s) => s.path === '/api/v1/challenge/verify')!;
      expect(answer.body.challenge_id).toMatch(/^ch_/);
      expect(answer.body.sessionData.v).toBe(1);
      expect(answer.body.sessionData.n.k).toBeGreaterThan(0);
      // Either a pass (then onPass) or a counted failed attempt shown in the status line.
      await page.waitForFunction(() => (window as any).__gate || /Attempts left|failed|closed/i.test(document.body.innerText), null, { timeout: 10_000 });
    });
  });
});
