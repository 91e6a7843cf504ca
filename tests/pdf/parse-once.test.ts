/**
 * Issue 20, "parse the PDF once per request": the check before signing (assertSignable with `keep`) leaves the
 * PDF open in its worker and the signing takes it from there. Seen from outside by changing the file's bytes
 * behind the worker's back after the check: a signing that parses again refuses the damaged tail, one that took the
 * kept parse does not. The document is a real producer's (LibreOffice), the signature checked by pdfsig.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { assertSignable, signDocument } from '../../src/core/sign-document.js';
import { isKysoError } from '../../src/core/errors.js';
import { fixtures } from '../helpers/fixtures.js';
import { testKey } from '../helpers/token.js';
import { sharedTokens } from '../agent/harness.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';

/** A corpus PDF in shared memory, as the agent and the CLI hold documents. */
function sharedPdf(): Uint8Array {
  const entry = fixtures().corpus.entries.find((e) => e.file.endsWith('.pdf') && e.producer.startsWith('LibreOffice'))!;
  const file = readFileSync(entry.file);
  const bytes = new Uint8Array(new SharedArrayBuffer(file.length));
  bytes.set(file);
  return bytes;
}

/** Hides the file's last `startxref` (same length): parsing it now fails with DOCUMENT_CORRUPT. */
function breakTail(bytes: Uint8Array): void {
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset + bytes.length - 64, 64);
  const at = tail.lastIndexOf('startxref');
  expect(at).toBeGreaterThanOrEqual(0);
  tail.write('STARTXREF', at, 'latin1');
}

const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'OK', (e: unknown) => (isKysoError(e) ? e.code : `untyped: ${String(e)}`));

afterAll(() => sharedTokens().logoutAll());

describe('one parse per signing request', () => {
  it('the signing takes the PDF the check opened: a valid signature (pdfsig), the file not parsed again', async () => {
    const bytes = sharedPdf();
    const original = Buffer.from(bytes);
    const { format, kept } = await assertSignable(bytes, 'don.pdf', {}, true);
    expect(format).toBe('pdf');
    expect(kept).toBeDefined();
    const signed = await signDocument(bytes, await testKey(sharedTokens(), 'rsa'), {}, 'don.pdf', { kept: kept! });
    kept!.release();
    expect(Buffer.from(signed.original).equals(original)).toBe(true);
    const report = withTempFile(signed.bytes, 'signed.pdf', pdfsig);
    expect(report.signatures.at(-1)?.valid, report.output).toBe(true);

    // The probe: bytes damaged after the check. Kept, the signing does not read the tail again…
    const probe = sharedPdf();
    const check = await assertSignable(probe, 'don.pdf', {}, true);
    breakTail(probe);
    expect(await codeOf(signDocument(probe, await testKey(sharedTokens(), 'rsa'), {}, 'don.pdf', { kept: check.kept! }))).toBe('OK');
    check.kept!.release();
  });

  it('released before signing (the request ended), or never kept, the signing parses the file itself', async () => {
    const bytes = sharedPdf();
    const { kept } = await assertSignable(bytes, 'don.pdf', {}, true);
    kept!.release();
    breakTail(bytes);
    expect(await codeOf(signDocument(bytes, await testKey(sharedTokens(), 'rsa'), {}, 'don.pdf', { kept: kept! }))).toBe('DOCUMENT_CORRUPT');

    // Not asked to keep, or bytes the worker would have to copy (not shared): nothing is kept.
    expect((await assertSignable(sharedPdf(), 'don.pdf')).kept).toBeUndefined();
    expect((await assertSignable(new Uint8Array(sharedPdf()), 'don.pdf', {}, true)).kept).toBeUndefined();
  });

  it('a kept document is signed once: a second signing with the same ticket parses again', async () => {
    const bytes = sharedPdf();
    const { kept } = await assertSignable(bytes, 'don.pdf', {}, true);
    const key = await testKey(sharedTokens(), 'rsa');
    expect(await codeOf(signDocument(bytes, key, {}, 'don.pdf', { kept: kept! }))).toBe('OK');
    breakTail(bytes);
    expect(await codeOf(signDocument(bytes, key, {}, 'don.pdf', { kept: kept! }))).toBe('DOCUMENT_CORRUPT');
    kept!.release();
  });
});
