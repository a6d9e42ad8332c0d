// Builds the package (dist/: ESM .mjs + CJS .cjs + .d.mts/.d.cts for each
// entry point) or the browser snippet web/huma.js (an IIFE of
// src/snippet.ts + src/collector.ts, committed: the Rust server embeds it).
//   node scripts/build.mjs            the package (npm run build)
//   node scripts/build.mjs --snippet  web/huma.js (npm run build:snippet)
//   node scripts/build.mjs --check    fail if web/huma.js differs from a fresh build
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SNIPPET_OUT = join(root, '../../web/huma.js');
const HEADER =
  '/*! huma.js: behavioural signals v1 for huma. No dependencies. GENERATED FILE, do not edit:\n' +
  ' * built from sdk/js/src/collector.ts and sdk/js/src/snippet.ts by `npm run build:snippet` in sdk/js.\n' +
  ' * Records raw input timing and geometry, never key values, text or URLs.\n' +
  ' * API: Huma.verify(userId, apiKey, opts?), Huma.startSession(userId, apiKey, token, opts?),\n' +
  ' * Huma.stopSession(), Huma.debug(). Collection starts when this script loads. */\n';

export async function snippet() {
  const r = await build({
    entryPoints: [join(root, 'src/snippet.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2017',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
  });
  return HEADER + r.outputFiles[0].text;
}

async function lib() {
  const dist = join(root, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const common = {
    bundle: true,
    platform: 'neutral',
    target: 'es2020',
    jsx: 'automatic',
    external: ['usehuma', 'react', 'react/jsx-runtime', 'react-dom'],
    logLevel: 'warning',
  };
  for (const [name, file] of [['index', 'src/index.ts'], ['react', 'src/react.tsx'], ['next', 'src/next.ts']]) {
    await build({ ...common, entryPoints: [join(root, file)], format: 'esm', outfile: join(dist, name + '.mjs') });
    await build({ ...common, entryPoints: [join(root, file)], format: 'cjs', outfile: join(dist, name + '.cjs') });
  }
  // Declarations: tsc emits .d.ts into dist/types, copied as .d.mts (ESM)
  // and .d.cts (CJS) with relative imports renamed to match.
  const types = join(dist, 'types');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  for (const f of readdirSync(types)) {
    if (!f.endsWith('.d.ts')) continue;
    const base = f.slice(0, -5);
    const src = readFileSync(join(types, f), 'utf8');
    for (const ext of ['mts', 'cts']) {
      const js = ext === 'mts' ? '.mjs' : '.cjs';
      writeFileSync(join(dist, `${base}.d.${ext}`), src.replace(/(from\s+['"]\.\/[^'"]+?)\.js(['"])/g, `$1${js}$2`));
    }
  }
  rmSync(types, { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    const fresh = await snippet();
    if (readFileSync(SNIPPET_OUT, 'utf8') !== fresh) {
      console.error('web/huma.js is out of date: run `npm run build:snippet` in sdk/js and commit it');
      process.exit(1);
    }
  } else if (args.includes('--snippet')) {
    mkdirSync(dirname(SNIPPET_OUT), { recursive: true });
    writeFileSync(SNIPPET_OUT, await snippet());
  } else {
    await lib();
  }
}
