// Generates bot sessions against a running huma's /demo in Debian's
// Chromium, with Playwright, Puppeteer and Selenium in every style of
// styles.mjs, and appends one JSONL line per session to the output:
//   {"framework","style","seed","sessionData":{…},"verdict":{…}}
// sessionData is Huma.debug().features read just before the submit click;
// verdict is what /demo's own Huma.verify call answered after it.
//
//   HUMA_URL=http://127.0.0.1:8080 node generate.mjs corpus/chromium.jsonl \
//     [--sessions 10] [--frameworks playwright,puppeteer] [--styles steps,humanised] [--seed 1]
//
// The server must run with HUMA_DEV_KEY (the demo calls verify with it).
// This script starts no server; it prints a caught-% table at the end.

import { appendFileSync } from 'node:fs';
import { FRAMEWORKS, KIT_FRAMEWORKS, launch, launchOptions } from './drivers.mjs';
import { DRIVE, STYLES, approachSubmit, rng, submit } from './styles.mjs';

/** Drives one /demo session; returns {sessionData, verdict}. */
export async function session(d, base, style, seed) {
  const r = rng(seed);
  const tag = `${d.framework}-${style}-${seed}`;
  await d.goto(`${base}/demo`);
  await d.evaluate(() => new Promise((ok) => (window.Huma ? ok() : addEventListener('load', () => ok()))));
  await DRIVE[style](d, r, tag);
  await approachSubmit(d, style, r);
  const sessionData = await d.evaluate(() => window.Huma.debug().features);
  await submit(d, style, r);
  const verdict = await waitVerdict(d);
  return { sessionData, verdict };
}

async function waitVerdict(d) {
  for (let i = 0; i < 150; i++) {
    const text = await d.evaluate(() => document.querySelector('#result').textContent.trim());
    if (text.startsWith('{')) return JSON.parse(text);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no verdict in #result after 15 s');
}

export const caught = (v) => v && (v.human === false || (v.agent && v.agent.is_agent === true));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const base = (process.env.HUMA_URL || '').replace(/\/+$/, '');
  const out = process.argv[2];
  if (!base || !out || out.startsWith('--')) {
    console.error('usage: HUMA_URL=http://host:port node generate.mjs OUT.jsonl [--sessions N] [--frameworks a,b] [--styles a,b] [--seed S]');
    process.exit(2);
  }
  const sessions = Number(arg('sessions', '10'));
  const seed0 = Number(arg('seed', '1'));
  const frameworks = arg('frameworks', FRAMEWORKS.join(',')).split(',');
  const styles = arg('styles', STYLES.join(',')).split(',');
  const table = [];
  for (const framework of frameworks) {
    for (const style of styles) {
      if (style === 'stealth_kit' && !KIT_FRAMEWORKS.includes(framework)) continue;
      const d = await launch(framework, launchOptions(style));
      let n = 0, hit = 0, failed = 0;
      try {
        for (let i = 0; i < sessions; i++) {
          const seed = seed0 * 1000 + i;
          try {
            const { sessionData, verdict } = await session(d, base, style, seed);
            appendFileSync(out, JSON.stringify({ framework, style, seed, sessionData, verdict }) + '\n');
            n++;
            if (caught(verdict)) hit++;
          } catch (e) {
            failed++;
            console.error(`${framework} ${style} seed ${seed}: ${e.message}`);
          }
        }
      } finally {
        await d.close();
      }
      const row = { framework, style, sessions: n, failed, caught_pct: n ? (100 * hit) / n : NaN };
      table.push(row);
      console.log(JSON.stringify(row));
    }
  }
  console.log('\nframework   style          sessions  caught% (live verdict, env as the page saw it)');
  for (const t of table) {
    console.log(`${t.framework.padEnd(11)} ${t.style.padEnd(14)} ${String(t.sessions).padStart(8)}  ${t.caught_pct.toFixed(1).padStart(7)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
