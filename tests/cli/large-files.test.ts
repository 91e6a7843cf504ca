/**
 * Large files through `kyso sign`: the output is the input's bytes unchanged followed by the update (written in
 * two pieces, never joined), checked by pdfsig and qpdf; a file past what Kyso can hold is TOO_LARGE with the
 * limit named, tested on a sparse file that costs no disk.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, qpdfCheck } from '../helpers/tools.js';
import { kyso, mod } from './cli.js';
import { makeLargePdf } from '../../scripts/make-large-pdf.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether the first `length` bytes of two files are the same, read in pieces (no whole-file copy in the test). */
function samePrefix(a: string, b: string, length: number): boolean {
  const [fa, fb] = [openSync(a, 'r'), openSync(b, 'r')];
  try {
    const [ba, bb] = [Buffer.alloc(1 << 20), Buffer.alloc(1 << 20)];
    for (let at = 0; at < length; at += ba.length) {
      const n = Math.min(ba.length, length - at);
      if (readSync(fa, ba, 0, n, at) !== n || readSync(fb, bb, 0, n, at) !== n) return false;
      if (!ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
    }
    return true;
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

describe('kyso sign, large files', () => {
  it('signs a ~50 MB PDF as its bytes followed by the update; pdfsig and qpdf agree', () => {
    const input = path.join(dir, 'large.pdf');
    const size: number = makeLargePdf(input, 50 * 1024 * 1024, 6);
    const output = path.join(dir, 'large-signed.pdf');
    const r = kyso(['sign', input, '-o', output, ...mod(), '--cert', certificateId('rsa'), '--pin-stdin'], `${fixtures().softhsm.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    const signed = statSync(output).size;
    expect(signed).toBeGreaterThan(size);
    expect(signed - size, 'an update, not a rewrite').toBeLessThan(64 * 1024);
    expect(samePrefix(input, output, size), 'the original bytes come first, unchanged').toBe(true);
    const sig = pdfsig(output).signatures;
    expect(sig).toHaveLength(1);
    expect(sig[0]?.valid, pdfsig(output).output).toBe(true);
    expect(sig[0]?.totalDocumentSigned).toBe(true);
    expect(qpdfCheck(output).status).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp')), 'no temporary file left').toEqual([]);
  });

  it('a file past the largest PDF is TOO_LARGE with the limit named, before any PIN; nothing written', () => {
    const input = path.join(dir, 'huge.pdf');
    writeFileSync(input, '%PDF-1.7\n');
    truncateSync(input, 2 ** 31); // sparse: no disk used, no bytes read
    const output = path.join(dir, 'huge-signed.pdf');
    const r = kyso(['sign', input, '-o', output, ...mod(), '--cert', certificateId('rsa'), '--pin-stdin'], '000000\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TOO_LARGE');
    expect(r.stderr).toContain(String(2 ** 31 - 1));
    expect(r.stderr).not.toContain('FILE_NOT_FOUND');
    expect(existsSync(output)).toBe(false);
  });
});
