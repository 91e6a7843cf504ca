/**
 * The bundle's document worker runs from a V8 code cache made at build time (src/core/isolation/worker-loader.cjs,
 * scripts/bundle-cli.mjs): V8 takes that cache for the bundle it was made from, and a worker whose cache is not
 * its bundle's (another build, a damaged file) or has none still does its work, compiling as any script.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../agent/harness.js';

const BUNDLE = fileURLToPath(new URL('../../dist/bundle/', import.meta.url));
const LOADER = path.join(BUNDLE, 'worker-loader.cjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Loader { cachedDataFor(source: Buffer, cacheFile: string): Buffer | undefined; sourceText(bytes: Buffer): string }
const loader = createRequire(import.meta.url)(LOADER) as Loader;

/** A job through the worker protocol (src/core/isolation/messages.ts), answered by a worker started from `entry`. */
async function pageCount(entry: string, bytes: Uint8Array): Promise<unknown> {
  const worker = new Worker(entry);
  try {
    return await new Promise((resolve, reject) => {
      worker.on('error', reject);
      worker.on('message', (m: { type: string; ok?: boolean; value?: unknown; error?: unknown }) => {
        if (m.type === 'done') (m.ok ? resolve(m.value) : reject(new Error(JSON.stringify(m.error))));
      });
      worker.postMessage({ type: 'job', id: 1, kind: 'pdfPageCount', args: { bytes } });
    });
  } finally {
    await worker.terminate();
  }
}

describe('the document worker\'s code cache', () => {
  it('is made for this very bundle, and V8 takes it', () => {
    const source = readFileSync(path.join(BUNDLE, 'worker.cjs'));
    expect(loader.cachedDataFor(source, path.join(BUNDLE, 'worker.cjs.cache'))).toBeDefined();
    expect(loader.cachedDataFor(Buffer.concat([source, Buffer.from(' ')]), path.join(BUNDLE, 'worker.cjs.cache'))).toBeUndefined();
    // In a Node started without flags, as `kyso` is (V8 refuses a cache made under other V8 flags).
    const check = `const l = require(${JSON.stringify(LOADER)}); const fs = require('node:fs'); const f = ${JSON.stringify(path.join(BUNDLE, 'worker.cjs'))};
      const b = fs.readFileSync(f); const d = l.cachedDataFor(b, f + '.cache'); process.stdout.write(String(d !== undefined && !l.compile(f, l.sourceText(b), d).cachedDataRejected));`;
    const r = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true');
  });

  it('reads the bundle as the text its bytes are: ASCII at once, anything else as UTF-8', () => {
    const bundle = readFileSync(path.join(BUNDLE, 'worker.cjs'));
    expect(loader.sourceText(bundle)).toBe(bundle.toString('utf8'));
    expect(loader.sourceText(Buffer.from('const s = "Người ký";', 'utf8'))).toBe('const s = "Người ký";');
  });

  it('the signing and verifying engines load no network module until one goes online (tls, http: ~2.5 ms per worker)', () => {
    const jobs = new URL('../../dist/core/isolation/jobs.js', import.meta.url).href;
    const script = `const { loadEngine } = await import(${JSON.stringify(jobs)});
      for (const kind of ['assertSignable', 'sign', 'verify']) await loadEngine(kind);
      const loaded = process.moduleLoadList.filter((m) => /^NativeModule (https?|tls|net)$/.test(m));
      process.stdout.write(JSON.stringify(loaded)); // after: stdout, a pipe here, is a net.Socket`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('a worker whose cache is another bundle\'s, or that has none, compiles and works', async () => {
    const pdf = await samplePdf();
    // Two levels below a folder, as in the package (package-paths.ts counts them).
    const copy = path.join(dir, 'pkg', 'bundle');
    for (const cache of ['foreign', 'none'] as const) {
      rmSync(path.join(dir, 'pkg'), { recursive: true, force: true });
      mkdirSync(copy, { recursive: true });
      copyFileSync(LOADER, path.join(copy, 'worker-loader.cjs'));
      copyFileSync(path.join(BUNDLE, 'worker.cjs'), path.join(copy, 'worker.cjs'));
      if (cache === 'foreign') {
        const made = readFileSync(path.join(BUNDLE, 'worker.cjs.cache'));
        made[0] ^= 0xff; // another bundle's hash, same V8 data
        writeFileSync(path.join(copy, 'worker.cjs.cache'), made);
        expect(loader.cachedDataFor(readFileSync(path.join(copy, 'worker.cjs')), path.join(copy, 'worker.cjs.cache'))).toBeUndefined();
      }
      expect(await pageCount(path.join(copy, 'worker-loader.cjs'), pdf), cache).toBe(1);
    }
    expect(await pageCount(LOADER, pdf)).toBe(1);
  });
});
