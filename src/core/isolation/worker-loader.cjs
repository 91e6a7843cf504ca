'use strict';
/**
 * The document worker of the bundled CLI and agent (scripts/bundle-cli.mjs copies this file next to worker.cjs).
 * It runs worker.cjs from the V8 code cache the build made (worker.cjs.cache), so that a worker does not compile
 * its ~1.4 MB of JavaScript (@libpdf/core above all) every time it starts: from a worker's start to its first
 * check of a small PDF, ~130 ms as ES modules, ~75 ms from the cache, on the test machine. Node 20 has no module
 * compile cache (22.1+ has); a CommonJS script through vm.Script with cachedData is what it offers.
 *
 * The cache serves only the very bundle it was made from: its first 32 bytes are that bundle's SHA-256 (V8 itself
 * checks no more than the source's length). A cache made by another Node (another V8) is refused by V8. Without a
 * usable cache the bundle compiles as any script would.
 */
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { isMainThread, workerData } = require('node:worker_threads');

const HASH_BYTES = 32;
const sha256 = (source) => createHash('sha256').update(source).digest();

/**
 * The bundle's text from its bytes. esbuild writes ASCII (it escapes the rest), which latin1 turns into a one-byte
 * string at once: ~0.2 ms for the 1.4 MB here, where readFileSync(file, 'utf8') took ~5 ms. Any other byte: UTF-8.
 */
const sourceText = (bytes) => (isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8'));

/** The cache's V8 data if `cacheFile` was made from exactly these bytes (`source`, a Buffer), else undefined. */
function cachedDataFor(source, cacheFile) {
  let cache;
  try {
    cache = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  return cache.length > HASH_BYTES && cache.subarray(0, HASH_BYTES).equals(sha256(source)) ? cache.subarray(HASH_BYTES) : undefined;
}

/**
 * The bundle as one function of CommonJS's parameters and __kysoImport: its own dynamic imports (what stays outside
 * it: pdf.js) come there, because a script compiled from a code cache cannot import() by itself.
 */
function compile(file, source, cachedData) {
  return new vm.Script(`(function (exports, require, module, __filename, __dirname, __kysoImport) {${source}\n})`, { filename: file, cachedData });
}

/**
 * Runs the bundle in this worker. The making mode (the build: `makeCodeCache` is a MessagePort) compiles without
 * a cache, and writes one when told on that port, once the build has had the worker load its engines and check a
 * document, so that the code those compiled is in the cache too; then the worker ends.
 */
function run() {
  const file = path.join(__dirname, 'worker.cjs');
  const cacheFile = `${file}.cache`;
  // Hashed as bytes, before they become text (hashing the text would encode it back to UTF-8 first).
  const bytes = readFileSync(file);
  const making = workerData?.makeCodeCache;
  const script = compile(file, sourceText(bytes), making ? undefined : cachedDataFor(bytes, cacheFile));
  const exportsObject = {};
  // Specifiers resolve from this folder, as the bundle's would.
  script.runInThisContext().call(exportsObject, exportsObject, createRequire(file), { exports: exportsObject }, file, __dirname, (specifier) => import(specifier));
  making?.once('message', () => {
    // Whole or absent (a rename): V8 does not check a cache's bytes beyond its header.
    writeFileSync(`${cacheFile}.tmp`, Buffer.concat([sha256(bytes), script.createCachedData()]));
    renameSync(`${cacheFile}.tmp`, cacheFile);
    process.exit(0);
  });
}

if (!isMainThread) run();

module.exports = { cachedDataFor, compile, sourceText };
