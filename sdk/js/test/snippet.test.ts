// web/huma.js is generated from src/collector.ts + src/snippet.ts; the
// committed file must be exactly what a fresh build makes, and the served
// snippet (with web/challenge.js) must stay within the 8 KB gzip budget.
import { describe, expect, it, inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
// @ts-expect-error plain ESM build script without types
import { snippet } from '../scripts/build.mjs';

const web = resolve(__dirname, '../../../web');

describe('the browser snippet', () => {
  it('the committed web/huma.js is a fresh build of the SDK collector', async () => {
    const committed = readFileSync(resolve(web, 'huma.js'), 'utf8');
    expect(committed.startsWith('/*! huma.js')).toBe(true);
    expect(committed).toContain('GENERATED FILE');
    expect(committed === (await snippet()), 'web/huma.js differs from a fresh build: run `npm run build:snippet` in sdk/js').toBe(true);
  });

  it('fits 8 KB gzipped with challenge.js, as served', async () => {
    const served = readFileSync(resolve(web, 'huma.js'), 'utf8') + '\n' + readFileSync(resolve(web, 'challenge.js'), 'utf8');
    const size = gzipSync(served).length;
    console.log(`/v1/huma.js: ${served.length} bytes, ${size} gzipped`);
    expect(size).toBeLessThan(8 * 1024);
    // The served snippet is what the server returns too.
    const live = await (await fetch(`${inject('humaUrl')}/v1/huma.js`)).text();
    expect(live).toBe(served);
  });
});
