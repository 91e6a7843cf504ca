// Bundles the CLI (and the document worker it starts) into dist/bundle/ with esbuild, so `kyso` loads a few files
// instead of ~300 modules (issue 20: start-up). Commands stay lazy: each is its own chunk. @libpdf/core gets the
// same tokenizer mend the loader hook applies to unbundled code (src/core/isolation/libpdf-hook.ts), at build time.
// bin/kyso.js uses the bundle when it exists, else dist/cli/main.js (an install without dev dependencies).
// Usage: node scripts/bundle-cli.mjs   (after `tsc -p tsconfig.json`, whose output provides the mend function)
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const { mendLibpdfSource } = await import(new URL('../dist/core/isolation/libpdf-hook.js', import.meta.url).href);

const mendLibpdf = {
  name: 'mend-libpdf',
  setup(b) {
    b.onLoad({ filter: /[\\/]@libpdf[\\/]core[\\/]dist[\\/]index\.mjs$/ }, async (args) => {
      const mended = mendLibpdfSource(await readFile(args.path, 'utf8'));
      if (mended === undefined) throw new Error('@libpdf/core changed: the tokenizer mend no longer applies (see docs/upstream/libpdf-stray-brace.md)');
      return { contents: mended, loader: 'js' };
    });
  },
};

// zod re-exports all of its ~50 message locales as `z.locales`, which a namespace import keeps whole: a third of
// the zod chunk that every command parses at start. Kyso sets no locale (its messages are its own), so only the
// default English one, which zod installs itself, is kept.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: "export { default as en } from './en.js';", loader: 'js' }));
  },
};

const outdir = `${root}dist/bundle`;
await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', worker: 'src/core/isolation/worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // From node_modules at run time: the native binding; pdf.js (it resolves its own worker and font files); pako,
  // whose module record the inflate budget patches (src/core/pdf/decode-budget.ts) and @libpdf/core must share.
  external: ['pkcs11js', 'pdfjs-dist', 'pdfjs-dist/*', 'pako', 'bufferutil', 'utf-8-validate'],
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __kysoCreateRequire } from 'node:module'; const require = __kysoCreateRequire(import.meta.url);" },
  define: { KYSO_BUNDLED: 'true' },
  plugins: [mendLibpdf, zodEnglishOnly],
  // Flat: every file two levels below the package root, as src/core/package-paths.ts counts.
  chunkNames: '[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});
