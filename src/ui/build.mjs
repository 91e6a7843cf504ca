// Builds the dialog pages into dist/ui/<dialog>/ (esbuild bundle + static files), with pdf.js's worker in
// dist/ui/pdfjs/ and the appearance font in dist/ui/fonts/ (the same files the signer embeds).
// Usage: node src/ui/build.mjs [OUTDIR]   (default dist/ui; tests build their own copy, as files run in parallel)
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = path.join(root, 'src/ui');
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist/ui'));
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
// pdf.js: its worker, and the data real documents need — CMaps (CJK-encoded text), standard font metrics
// (non-embedded fonts), wasm decoders (JPEG 2000 and JBIG2 scans, colour profiles) and ICC profiles.
const pdfjs = path.dirname(require.resolve('pdfjs-dist/package.json'));
mkdirSync(path.join(out, 'pdfjs'), { recursive: true });
cpSync(path.join(pdfjs, 'build/pdf.worker.min.mjs'), path.join(out, 'pdfjs/pdf.worker.min.mjs'));
for (const dir of ['cmaps', 'standard_fonts', 'wasm', 'iccs']) cpSync(path.join(pdfjs, dir), path.join(out, 'pdfjs', dir), { recursive: true });
cpSync(path.join(root, 'assets/fonts'), path.join(out, 'fonts'), { recursive: true });
// The prompt windows' shared stylesheet (src/ui/kit/dialog.css).
mkdirSync(path.join(out, 'kit'), { recursive: true });
cpSync(path.join(src, 'kit/dialog.css'), path.join(out, 'kit/dialog.css'));
console.log(`ui: built ${dialogs.join(', ')} into ${path.relative(root, out)}`);
