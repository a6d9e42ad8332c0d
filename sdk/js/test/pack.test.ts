// `npm pack`, install the tarball into a temp project, then: require and
// import each entry point in Node, and typecheck the seed's examples and a
// CommonJS file against the installed package (moduleResolution node16 and
// bundler). The temp project sits under node_modules/.cache so that react
// and @types/react resolve from this package's devDependencies.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const pkg = resolve(__dirname, '..');
const sh = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe' });

describe('npm pack', () => {
  it('produces a package whose exports resolve in Node (CJS, ESM) and TypeScript', () => {
    mkdirSync(join(pkg, 'node_modules/.cache'), { recursive: true });
    const dir = mkdtempSync(join(pkg, 'node_modules/.cache/pack-'));
    try {
      const out = sh('npm', ['pack', '--silent', '--pack-destination', dir], pkg).trim().split('\n').pop()!;
      const tgz = join(dir, out);
      const listing = sh('tar', ['tzf', tgz], dir);
      expect(listing).toContain('package/dist/index.cjs');
      expect(listing).toContain('package/dist/react.d.mts');
      expect(listing).toContain('package/README.md');
      expect(listing).not.toContain('package/src/');
      expect(listing).not.toContain('package/test/');

      const app = join(dir, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-consumer', private: true, type: 'module' }));
      sh('npm', ['install', '--offline', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', tgz], app);

      const cjs = sh('node', ['-e', `
        const core = require('usehuma'), react = require('usehuma/react'), next = require('usehuma/next');
        if (typeof core.verify !== 'function' || typeof core.verifyWithSignals !== 'function' || typeof core.HumaError !== 'function') throw new Error('core');
        if (typeof react.HumaGate !== 'function' || typeof react.useHuma !== 'function' || typeof react.HumaChallenge !== 'function' || typeof react.useHumaSession !== 'function') throw new Error('react');
        if (typeof next.humaFormCheck !== 'function' || typeof next.withHumaProtection !== 'function') throw new Error('next');
        console.log('cjs ok');`], app);
      expect(cjs).toContain('cjs ok');
      const esm = sh('node', ['--input-type=module', '-e', `
        import { verify, verifyWithSignals, startSession, stopSession, HumaError } from 'usehuma';
        import { HumaGate, HumaChallenge, useHuma, useHumaSession } from 'usehuma/react';
        import { humaFormCheck, withHumaProtection } from 'usehuma/next';
        for (const f of [verify, verifyWithSignals, startSession, stopSession, HumaError, HumaGate, HumaChallenge, useHuma, useHumaSession, humaFormCheck, withHumaProtection])
          if (typeof f !== 'function') throw new Error('missing export');
        console.log('esm ok');`], app);
      expect(esm).toContain('esm ok');

      // TypeScript: the seed's examples (ESM) and a CommonJS file.
      cpSync(join(pkg, 'test/seed'), join(app, 'src'), { recursive: true });
      cpSync(join(pkg, 'test/pack-consumer/cjs-check.cts'), join(app, 'src/cjs-check.cts'));
      const tsc = join(pkg, 'node_modules/typescript/bin/tsc');
      for (const [mod, res] of [['Node16', 'Node16'], ['ESNext', 'Bundler']]) {
        // `import x = require()` is CommonJS only: checked under Node16.
        if (res === 'Bundler') rmSync(join(app, 'src/cjs-check.cts'));
        writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
          compilerOptions: { target: 'ES2022', module: mod, moduleResolution: res, jsx: 'react-jsx', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: ['node'], skipLibCheck: false },
          include: ['src'],
        }));
        try {
          sh('node', [tsc, '-p', 'tsconfig.json'], app);
        } catch (e: any) {
          throw new Error(`tsc (${res}) failed:\n${e.stdout}${e.stderr}`);
        }
      }
      expect(readdirSync(join(app, 'node_modules/usehuma/dist')).length).toBeGreaterThan(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
