import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    // Each file gets its own copy of the SoftHSM tokens (tests/setup/per-file.ts), its own servers on port 0
    // and its own temp folders, so files run in parallel and none depends on another.
    setupFiles: ['tests/setup/per-file.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
