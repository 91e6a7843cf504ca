// Bundles the CLI (and the document worker it starts) into dist/bundle/ with esbuild, so `kyso` loads a few files
// instead of ~300 modules (issue 20: start-up). Commands stay lazy: each is its own chunk. The document worker is
// one CommonJS file run from a V8 code cache made here (worker-loader.cjs), so that a worker does not compile it
// at each start. @libpdf/core gets the same tokenizer mend the loader hook applies to unbundled code
// (src/core/isolation/libpdf-hook.ts), at build time.
// bin/kyso.js uses the bundle when it exists, else dist/cli/main.js (an install without dev dependencies).
// Usage: node scripts/bundle-cli.mjs   (after `tsc -p tsconfig.json`, whose output provides the mend function)
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { makeLargePdf } from './make-large-pdf.mjs';

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

// @libpdf/core imports pkijs and asn1js (0.9 MB of the 2.2 MB it bundles to) for features Kyso does not use: its own
// CMS signer, LTV gathering and PKCS#12 keys. Kyso's CMS, chains and revocation are its own (src/core/cms, …), so
// the bundle gives libpdf stand-ins that throw if ever reached: every document worker and every `kyso` run loads
// that much less. The names come from libpdf's own source, so an update that uses another one still builds.
const UNUSED_BY_KYSO = ['pkijs', 'asn1js'];
const libpdfWithoutPki = {
  name: 'libpdf-without-pki',
  setup(b) {
    const filter = new RegExp(`^(${UNUSED_BY_KYSO.join('|')})$`);
    b.onResolve({ filter }, (args) => (/[\\/]@libpdf[\\/]core[\\/]/.test(args.importer)
      ? { path: args.path, namespace: 'unused-by-kyso', pluginData: { importer: args.importer } } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'unused-by-kyso' }, async (args) => {
      const libpdf = await readFile(args.pluginData.importer, 'utf8');
      const names = new Set();
      for (const m of libpdf.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*"${args.path}"`, 'g'))) {
        for (const n of m[1].split(',')) if (n.trim()) names.add(n.trim().split(/\s+as\s+/)[0]);
      }
      for (const m of libpdf.matchAll(new RegExp(`import\\s*\\*\\s*as\\s+(\\w+)\\s+from\\s*"${args.path}"`, 'g'))) {
        for (const use of libpdf.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, 'g'))) names.add(use[1]);
      }
      // Functions, so that `class X extends pkijs.Y` still loads; calling or constructing one throws.
      const stub = (n) => `export function ${n}() { throw new Error('${args.path}.${n}: not in the Kyso bundle (scripts/bundle-cli.mjs)'); }`;
      return { contents: [...names].map(stub).join('\n'), loader: 'js' };
    });
  },
};

// @noble/ciphers (AES, for encrypted PDFs) builds its two 256 KiB lookup tables when it loads: about 20 ms of every
// document worker's start, for tables only an encrypted PDF needs. They are built on first use instead. The
// declarations are matched exactly: a release that changes them fails the build instead of shipping unmended.
const AES_TABLES = ['tableEncoding', 'tableDecoding'];
const lazyAesTables = {
  name: 'lazy-aes-tables',
  setup(b) {
    b.onLoad({ filter: /[\\/]@noble[\\/]ciphers[\\/]aes\.js$/ }, async (args) => {
      let source = await readFile(args.path, 'utf8');
      for (const name of AES_TABLES) {
        const declaration = new RegExp(`const ${name} = /\\* @__PURE__ \\*/ (genTtable\\([^\\n]*\\));\\n`);
        if (!declaration.test(source)) throw new Error(`@noble/ciphers changed: no "const ${name} = genTtable(...)" to make lazy (scripts/bundle-cli.mjs)`);
        source = source
          .replace(new RegExp(`\\b${name}\\b(?! = )`, 'g'), `${name}()`)
          .replace(declaration, (_, call) => `let ${name}Built;\nconst ${name} = () => (${name}Built ??= ${call});\n`);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

const outdir = `${root}dist/bundle`;
await rm(outdir, { recursive: true, force: true });
/** What both builds share: Node 20, libpdf mended and trimmed, minified. */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  plugins: [mendLibpdf, libpdfWithoutPki, lazyAesTables],
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir,
  splitting: true,
  format: 'esm',
  // From node_modules at run time: the native binding; pdf.js (it resolves its own worker and font files); pako,
  // whose module record the inflate budget patches (src/core/pdf/decode-budget.ts) and @libpdf/core must share.
  external: ['pkcs11js', 'pdfjs-dist', 'pdfjs-dist/*', 'pako', 'bufferutil', 'utf-8-validate'],
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __kysoCreateRequire } from 'node:module'; const require = __kysoCreateRequire(import.meta.url);" },
  define: { KYSO_BUNDLED: 'true' },
  // Flat: every file two levels below the package root, as src/core/package-paths.ts counts.
  chunkNames: '[name]-[hash]',
});

// The document worker: one CommonJS file (a script V8 can cache; ES modules it cannot on Node 20), its lazy engines
// inside it. pako is bundled too: @libpdf/core and the inflate budget (decode-budget.ts) import the one copy.
const worker = `${outdir}/worker.cjs`;
await build({
  ...common,
  entryPoints: ['src/core/isolation/worker.ts'],
  outfile: worker,
  format: 'cjs',
  external: ['pdfjs-dist', 'pdfjs-dist/*'],
  banner: { js: "const __kysoImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { KYSO_BUNDLED: 'true', 'import.meta.url': '__kysoImportMetaUrl' },
});
// What the bundle still imports at run time (pdf.js, and whatever a dependency names but never loads) goes through
// the loader's __kysoImport: a script run from a code cache cannot import() by itself. Only literal specifiers can
// be rewritten, so any other import() fails the build.
const source = await readFile(worker, 'utf8');
if (/\bimport\((?!")/.test(source)) throw new Error('worker.cjs has an import() of a computed specifier: the loader cannot serve it (scripts/bundle-cli.mjs)');
await writeFile(worker, source.replaceAll('import("', '__kysoImport("'));
await copyFile(`${root}src/core/isolation/worker-loader.cjs`, `${outdir}/worker-loader.cjs`);
// The code cache, made by this Node: a worker in the loader's making mode loads the engines `kyso sign` and
// `kyso verify` use and checks a small PDF (so that what those compile is cached too), then writes it and ends.
const scratch = await mkdtemp(path.join(os.tmpdir(), 'kyso-bundle-'));
let samplePdf;
try {
  makeLargePdf(path.join(scratch, 'sample.pdf'), 16 * 1024, 1);
  samplePdf = new Uint8Array(await readFile(path.join(scratch, 'sample.pdf')));
} finally {
  await rm(scratch, { recursive: true, force: true });
}
await new Promise((resolve, reject) => {
  const { port1, port2 } = new MessageChannel();
  const w = new Worker(`${outdir}/worker-loader.cjs`, { workerData: { makeCodeCache: port2, preload: ['sign', 'verify'] }, transferList: [port2] });
  w.once('error', reject);
  w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`making the worker's code cache failed (exit ${code})`))));
  w.on('message', (m) => {
    if (m.type !== 'done') return;
    if (!m.ok) return reject(new Error(`the bundled worker failed to check a PDF: ${JSON.stringify(m.error)}`));
    port1.postMessage('write');
    port1.close();
  });
  w.postMessage({ type: 'job', id: 1, kind: 'assertSignable', args: { bytes: samplePdf, fileName: 'sample.pdf' } });
});
