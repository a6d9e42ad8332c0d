import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  resolve: { alias: { usehuma: resolve(__dirname, 'src/index.ts') } },
  test: {
    globalSetup: ['./test/global-setup.ts'],
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 60000,
    hookTimeout: 120000,
  },
});
