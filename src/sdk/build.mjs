// Single-file builds of the SDK (esbuild): dist/sdk/kyso.mjs (ESM) and dist/sdk/kyso.js (a <script> tag
// build that defines the global `Kyso`). `tsc -p src/sdk/tsconfig.json` emits the modules and .d.ts beside them.
// Usage: node src/sdk/build.mjs [OUTDIR]   (default dist/sdk)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = path.join(root, 'src/sdk/index.ts');
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist/sdk'));
const common = { entryPoints: [entry], bundle: true, platform: 'browser', target: ['chrome100', 'firefox100', 'safari15'], sourcemap: true, logLevel: 'warning', legalComments: 'none' };
await build({ ...common, format: 'esm', outfile: path.join(out, 'kyso.mjs') });
await build({ ...common, format: 'iife', globalName: 'Kyso', outfile: path.join(out, 'kyso.js') });
