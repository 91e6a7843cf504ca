#!/usr/bin/env node
// Thin launcher. `npm ci` (prepare) and `npm run build` compile the CLI to dist/ and bundle it to dist/bundle/
// (scripts/bundle-cli.mjs: a few files instead of ~300 modules, so every command starts faster). The bundle is used
// only when it is at least as new as the compiled CLI, so a `tsc` run after it is never shadowed by an old bundle.
import { statSync } from 'node:fs';
import nodeModule from 'node:module';

// Node 22.1+ keeps compiled code between runs (a no-op on Node 20, which has no such cache).
nodeModule.enableCompileCache?.();

const at = (p) => new URL(p, import.meta.url);
const mtime = (p) => { try { return statSync(at(p)).mtimeMs; } catch { return -1; } };
const bundled = mtime('../dist/bundle/main.js');
const entry = bundled >= 0 && bundled >= mtime('../dist/cli/main.js') ? '../dist/bundle/main.js' : '../dist/cli/main.js';

import(at(entry).href).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('kyso: chưa được build — hãy chạy `npm run build` / not built yet — run `npm run build` first.\n');
    process.exit(70);
  }
  throw err;
});
