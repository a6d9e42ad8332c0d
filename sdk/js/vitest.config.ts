import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: [
      { find: /^usehuma$/, replacement: resolve(__dirname, 'src/index.ts') },
      { find: /^usehuma\/react$/, replacement: resolve(__dirname, 'src/react.tsx') },
      { find: /^usehuma\/next$/, replacement: resolve(__dirname, 'src/next.ts') },
    ],
  },
  test: {
    globalSetup: ['./test/global-setup.ts'],
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 60000,
    hookTimeout: 120000,
  },
});
