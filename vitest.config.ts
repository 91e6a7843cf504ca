import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // SoftHSM token files are shared state: test files run one at a time.
    fileParallelism: false,
  },
});
