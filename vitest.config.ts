import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './tests/setup/sequencer.js';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    // Each file gets its own copy of the SoftHSM tokens (tests/setup/per-file.ts), its own servers on port 0
    // and its own temp folders, so files run in parallel and none depends on another.
    setupFiles: ['tests/setup/per-file.ts'],
    pool: 'forks',
    // Most of a file's time is spent waiting on SoftHSM, Chromium, LibreOffice or pdfsig, so three files at a
    // time keep 2 cores busy; vitest's default (cores − 1) would run them one by one here.
    maxWorkers: 3,
    // Longest files first, also in a fresh clone (tests/setup/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
