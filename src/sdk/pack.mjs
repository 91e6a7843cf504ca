// The SDK as files a portal can take (attached to each GitHub release by .github/workflows/release.yml):
//   release/sdk/kyso.mjs, kyso.js (+ .map)    single files: ESM, and a <script> tag build (global `Kyso`)
//   release/sdk/kyso-sdk-<version>.tgz        an npm package with both and the types (`npm i URL-of-the-tgz`)
// Usage: npm run build:sdk && node src/sdk/pack.mjs [OUTDIR [BUILT]]   (npm run pack:sdk; defaults release/sdk, dist/sdk)
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(root, 'release/sdk'));
const built = path.resolve(process.argv[3] ?? path.join(root, 'dist/sdk'));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
for (const f of ['kyso.mjs', 'kyso.js', 'index.d.ts']) {
  if (!existsSync(path.join(built, f))) throw new Error(`${f} missing in dist/sdk: run npm run build:sdk first`);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// The package: the single-file builds plus the modules and .d.ts tsc wrote (its types).
const pkgDir = path.join(out, 'package');
mkdirSync(pkgDir);
cpSync(built, pkgDir, { recursive: true });
for (const f of ['kyso.mjs', 'kyso.mjs.map', 'kyso.js', 'kyso.js.map']) copyFileSync(path.join(built, f), path.join(out, f));
writeFileSync(path.join(pkgDir, 'package.json'), `${JSON.stringify({
  name: 'kyso-sdk', version, description: 'Kyso browser SDK: sign documents with a USB token or remote certificate through the local Kyso agent',
  license: 'Apache-2.0', type: 'module', main: 'kyso.mjs', module: 'kyso.mjs', types: 'index.d.ts', browser: 'kyso.js',
  exports: { '.': { types: './index.d.ts', import: './kyso.mjs' }, './script': './kyso.js' }, sideEffects: false,
}, null, 2)}\n`);
execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: pkgDir, stdio: ['ignore', 'ignore', 'inherit'] });
rmSync(pkgDir, { recursive: true, force: true });
console.log(`SDK ${version} → ${out}`);
