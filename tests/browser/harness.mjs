// Shared by the browser tests: Debian's Chromium started by playwright-core
// in a throwaway profile (with the flags this machine needs: no background
// networking), and the server's validation rules for sessionData.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../../bots/drivers.mjs';

export const BASE = (process.env.HUMA_URL || '').replace(/\/+$/, '');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CAPS = { m: [3, 1024], c: [5, 128], k: [3, 512], s: [3, 256], t: [4, 512], f: [2, 64] };
// The switches this machine's Chromium runs with, in the tests as in bots/.
export { CHROMIUM_FLAGS };

/** Runs `body(context)` in a fresh headless Chromium and always cleans up. */
export async function withChromium(body) {
  assert.ok(BASE, 'set HUMA_URL to the server under test, e.g. http://127.0.0.1:8080');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'huma-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: CHROMIUM_FLAGS,
  });
  try {
    return await body(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// The server's rules for sessionData (docs: signals.md, "Validation").
export function checkSignals(sd) {
  assert.equal(sd.v, 1);
  assert.ok(Number.isInteger(sd.dur) && sd.dur >= 0, 'dur');
  for (const [field, [stride, cap]] of Object.entries(CAPS)) {
    const a = sd[field];
    assert.ok(Array.isArray(a), `${field} is an array`);
    assert.equal(a.length % stride, 0, `${field} length is a multiple of ${stride}`);
    assert.ok(a.length / stride <= cap, `${field} within its cap`);
    let last = 0;
    for (let i = 0; i < a.length; i++) {
      assert.ok(Number.isFinite(a[i]), `${field}[${i}] is finite`);
      if (i % stride === 0) {
        assert.ok(Number.isInteger(a[i]) && a[i] >= last && a[i] <= sd.dur + 1000, `${field}[${i}] time ${a[i]}`);
        last = a[i];
      }
    }
  }
  for (const k of ['m', 'mc', 'c', 'k', 's', 't', 'u']) assert.ok(Number.isInteger(sd.n[k]), `n.${k}`);
}

