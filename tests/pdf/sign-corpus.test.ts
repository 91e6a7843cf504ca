/**
 * Signs every readable file of the real-producer corpus on the SoftHSM token and checks each output with
 * tools we did not write (pdfsig, qpdf, openssl cms) plus our own strict CMS/PAdES checks.
 * Unreadable files must fail with their typed error and produce nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../../src/core/pdf/sign.js';
import { verifyPdf } from '../../src/core/pdf/verify.js';
import { isKysoError } from '../../src/core/errors.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { fixtures, type CorpusEntry } from '../helpers/fixtures.js';
import { openTestTokens, testKey, type SignerName } from '../helpers/token.js';
import { opensslCmsVerify, pdfsig, pdftotext, qpdfCheck, withTempFile } from '../helpers/tools.js';

const entries = fixtures().corpus.entries;
const readable = entries.filter((e) => e.expect === 'sign');
const unreadable = entries.filter((e) => e.expect !== 'sign');

let tokens: TokenService;
beforeAll(() => { tokens = openTestTokens(); });
afterAll(() => tokens.close());

/** Independent checks of a signed output, given how many signatures the input already had. */
function checkSigned(original: Uint8Array, signed: Uint8Array, name: string, expectedCount: number, ourField: string): void {
  // The update is appended: the original bytes are a prefix, so earlier signatures still cover what they covered.
  expect(Buffer.compare(Buffer.from(signed.subarray(0, original.length)), Buffer.from(original))).toBe(0);
  withTempFile(signed, name, (file) => {
    const sig = pdfsig(file);
    expect(sig.signatures.length, sig.output).toBe(expectedCount);
    for (const s of sig.signatures) {
      expect(s.valid, `${name}: ${s.validation}\n${sig.output}`).toBe(true);
      expect(s.trusted, sig.output).toBe(true);
    }
    // pdfsig lists fields in form order (a field missing from /Fields comes last), so find ours by name.
    const ours = sig.signatures.filter((s) => s.fieldName === ourField);
    expect(ours, sig.output).toHaveLength(1);
    expect(ours[0]!.totalDocumentSigned, sig.output).toBe(true);
    expect(sig.signatures.filter((s) => s.totalDocumentSigned), sig.output).toHaveLength(1);
    const q = qpdfCheck(file);
    expect([0, 3], q.output).toContain(q.status);
  });
}

describe('corpus', () => {
  it('has real-producer files of every kind', () => {
    expect(readable.length).toBeGreaterThanOrEqual(10);
    const features = new Set(readable.flatMap((e) => e.features));
    for (const f of ['xref-stream', 'object-streams', 'classic-xref', 'linearized', 'signed', 'large']) expect(features).toContain(f);
    expect(unreadable.map((e) => e.expect)).toContain('DOCUMENT_ENCRYPTED');
    expect(unreadable.map((e) => e.expect)).toContain('DOCUMENT_SIGNING_FORBIDDEN');
    expect(unreadable.map((e) => e.expect)).toContain('DOCUMENT_CORRUPT');
  });
});

describe.each(readable.map((e) => [path.basename(e.file), e] as [string, CorpusEntry]))('sign %s', (name, entry) => {
  const signers: SignerName[] = ['rsa', 'ec256'];
  it(`keeps ${entry.priorSignatures} prior signature(s) valid and adds RSA then ECDSA signatures (${entry.producer})`, async () => {
    const original = new Uint8Array(readFileSync(entry.file));
    let current = original;
    for (const [i, signer] of signers.entries()) {
      const key = await testKey(tokens, signer);
      const result = await signPdf(current, key, { reason: 'Phê duyệt hồ sơ', location: 'Thành phố Hồ Chí Minh' });
      checkSigned(current, result.bytes, name, entry.priorSignatures + i + 1, result.fieldName);

      const report = await verifyPdf(result.bytes);
      expect(report.signatures).toHaveLength(entry.priorSignatures + i + 1); // prior ones found too (pdfsig's, BER-encoded)
      expect(report.allIntact, JSON.stringify(report.signatures.map((s) => s.problems))).toBe(true);
      const ours = report.signatures.at(-1)!;
      expect(ours.coversWholeFile).toBe(true);
      expect(ours.subFilter).toBe('ETSI.CAdES.detached');
      expect(ours.pades).toEqual({ signingCertificateV2: true, noSigningTimeAttribute: true, attributesDer: true, signingCertificateMatches: true });
      expect(ours.signer?.commonName).toBe(fixtures().pki.signers[signer].cn);
      expect(ours.reason).toBe('Phê duyệt hồ sơ');
      expect(ours.location).toBe('Thành phố Hồ Chí Minh');
      for (const earlier of report.signatures.slice(0, -1)) expect(earlier.coversWholeFile).toBe(false);

      // OpenSSL's CMS verifier over exactly the ByteRange bytes, chaining to the test root.
      const [a, b, c, d] = result.byteRange;
      const content = Buffer.concat([result.bytes.subarray(a, a + b), result.bytes.subarray(c, c + d)]);
      const cmsHex = Buffer.from(result.bytes.subarray(b + 1, c - 1)).toString('latin1');
      const cms = Buffer.from(cmsHex, 'hex');
      const ossl = opensslCmsVerify(cms.subarray(0, cmsLength(cms)), content);
      expect(ossl.ok, ossl.output).toBe(true);
      current = result.bytes;
    }
    // What a reader shows is unchanged.
    const before = withTempFile(original, 'a.pdf', pdftotext);
    const after = withTempFile(current, 'b.pdf', pdftotext);
    expect(after).toBe(before);
  });
});

/** Length of the DER TLV at the start of a zero-padded buffer. */
function cmsLength(b: Uint8Array): number {
  const first = b[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len;
}

describe.each(unreadable.map((e) => [path.basename(e.file), e] as [string, CorpusEntry]))('refuse %s', (_name, entry) => {
  it(`fails with ${entry.expect}`, async () => {
    const key = await testKey(tokens, 'rsa');
    const bytes = new Uint8Array(readFileSync(entry.file));
    const err = await signPdf(bytes, key).then(() => undefined, (e: unknown) => e);
    expect(isKysoError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe(entry.expect);
  });
});
