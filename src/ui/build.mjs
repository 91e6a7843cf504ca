// Builds the dialog pages into dist/ui/<dialog>/ (esbuild bundle + static files), with pdf.js's worker in
// dist/ui/pdfjs/ and the appearance font in dist/ui/fonts/ (the same files the signer embeds).
// Usage: node src/ui/build.mjs
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = path.join(root, 'src/ui');
const out = path.join(root, 'dist/ui');
const require = createRequire(import.meta.url);

const dialogs = readdirSync(src).filter((d) => statSync(path.join(src, d)).isDirectory() && readdirSync(path.join(src, d)).includes('main.ts'));
for (const dialog of dialogs) {
  await build({
    entryPoints: [path.join(src, dialog, 'main.ts')],
    outfile: path.join(out, dialog, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120'],
    sourcemap: true,
    minify: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const f of readdirSync(path.join(src, dialog))) {
    if (/\.(html|css)$/.test(f)) cpSync(path.join(src, dialog, f), path.join(out, dialog, f));
  }
}
mkdirSync(path.join(out, 'pdfjs'), { recursive: true });
cpSync(path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'build/pdf.worker.min.mjs'), path.join(out, 'pdfjs/pdf.worker.min.mjs'));
cpSync(path.join(root, 'assets/fonts'), path.join(out, 'fonts'), { recursive: true });
console.log(`ui: built ${dialogs.join(', ')} into ${path.relative(root, out)}`);
