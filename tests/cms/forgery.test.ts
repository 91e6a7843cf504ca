/**
 * Forged signatures built from a real one: a PDF signed with the SoftHSM token, then the signer's certificate
 * edited in place inside /Contents (same lengths, so the ByteRange still holds and the signature value still
 * verifies with the unchanged key). Each must be reported INVALID with a reason by core verify and by
 * `kyso verify` (exit EXIT.invalid), never VALID with a warning and never INTERNAL.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { signPdf } from '../../src/core/pdf/sign.js';
import { verifyPdf } from '../../src/core/pdf/verify.js';
import { buildSignedData } from '../../src/core/cms/signed-data.js';
import { verifySignedData } from '../../src/core/cms/verify.js';
import { OID, digestAlgorithm, signatureAlgorithm } from '../../src/core/cms/algorithms.js';
import { explicit, integer, octetString, oid, retag, sequence, setOf } from '../../src/core/der.js';
import { certificateDerFields } from '../../src/core/cert/der-fields.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import type { SigningKey } from '../../src/core/signing-key.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { fixtures, softhsmEnv } from '../helpers/fixtures.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { editEmbeddedCertificate, impossibleNotBefore, replaceOnce } from '../helpers/forgery.js';

const KYSO = fileURLToPath(new URL('../../bin/kyso.js', import.meta.url));
/** `kyso verify` exit code for a file whose signatures are not all intact (src/cli/output.ts EXIT.invalid). */
const EXIT_INVALID = 1; // kyso verify: 1 a broken signature (docs/verification.md)

let tokens: TokenService;
let key: SigningKey;
let signed: Uint8Array;
beforeAll(async () => {
  tokens = openTestTokens();
  key = await testKey(tokens, 'rsa');
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Quyet dinh so 12/QD-UBND', { x: 50, y: 800, size: 12 });
  signed = (await signPdf(await pdf.save(), key, { reason: 'Phê duyệt' })).bytes;
});
afterAll(() => tokens.close());

/** The signed PDF with the signer certificate's bytes inside /Contents changed by `edit` (lengths kept). */
const editSignerCertificate = (pdf: Uint8Array, edit: (cert: Buffer) => void): Uint8Array => editEmbeddedCertificate(pdf, key.certificate, edit);

function kysoVerify(pdf: Uint8Array): { status: number | null; stdout: string; stderr: string } {
  return withTempFile(pdf, 'forged.pdf', (file) => {
    const r = spawnSync(process.execPath, [KYSO, 'verify', file, '--trust-anchor', fixtures().pki.rootCa], { encoding: 'utf8', env: softhsmEnv() });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  });
}

async function expectInvalid(pdf: Uint8Array, reason: RegExp): Promise<void> {
  const r = await verifyPdf(pdf);
  expect(r.signatures).toHaveLength(1);
  const s = r.signatures[0]!;
  expect(s.intact).toBe(false);
  expect(r.allIntact).toBe(false);
  expect(s.problems.join('\n')).toMatch(reason);
  const cli = kysoVerify(pdf);
  expect(cli.stderr).not.toMatch(/INTERNAL/);
  expect(cli.stdout).toMatch(/INVALID/);
  expect(cli.status, cli.stdout + cli.stderr).toBe(EXIT_INVALID);
}

describe('a signer certificate edited inside /Contents', () => {
  it('the untouched signature is VALID (the forgeries below start from it)', async () => {
    const r = await verifyPdf(signed);
    expect(r.allIntact).toBe(true);
    expect(kysoVerify(signed).status).toBe(0);
  });

  it('subject renamed to another person: INVALID (certificate signature broken, signing-certificate-v2 mismatch)', async () => {
    const original = Buffer.from('NGUYỄN THỊ ÁNH TUYẾT');
    const forged = editSignerCertificate(signed, (cert) => replaceOnce(cert, original, Buffer.concat([Buffer.from('LÊ VĂN MẠO DANH'), Buffer.alloc(8, 0x20)])));
    const r = await verifyPdf(forged);
    expect(r.signatures[0]!.signer?.commonName?.trim()).toBe('LÊ VĂN MẠO DANH');
    await expectInvalid(forged, /signing-certificate/);
    expect(r.signatures[0]!.problems.join('\n')).toMatch(/certificate's own signature|issuer/);
    // poppler's pdfsig says "Signature is Valid." (it checks the value over the signed attributes, not that they
    // name this certificate) and only its certificate check fails ("Unknown issue with Certificate").
    withTempFile(forged, 'forged.pdf', (file) => {
      const p = pdfsig(file);
      expect(p.signatures[0]?.trusted).toBe(false);
    });
  });

  it('a byte of the certificate changed outside any name: INVALID (signing-certificate-v2 hash)', async () => {
    const forged = editSignerCertificate(signed, (cert) => {
      // The last byte of the issuer's signature value over the certificate.
      cert[cert.length - 1] ^= 0x01;
    });
    await expectInvalid(forged, /signing-certificate/);
  });

  it('an impossible date in the certificate (month 13): a report, INVALID, never INTERNAL', async () => {
    const forged = editSignerCertificate(signed, impossibleNotBefore);
    await expectInvalid(forged, /validity dates are not valid times/);
  });

  it('a certificate whose dates are not digits: a report, INVALID, never INTERNAL', async () => {
    const forged = editSignerCertificate(signed, (cert) => {
      const at = cert.indexOf(Buffer.from([0x17, 0x0d]));
      cert.write('ZZZZZZZZZZZZ', at + 2, 'latin1');
    });
    await expectInvalid(forged, /validity dates are not valid times/);
  });
});

describe('ESS signing-certificate (v1, SHA-1)', () => {
  /**
   * A CMS signed by the token, as other signers build it: signed attributes with an ESS signing-certificate v1
   * over `certForHash` (none when undefined), and `embedded` as the signer certificate.
   */
  async function cmsWithEssV1(content: Uint8Array, certForHash: Uint8Array | undefined, embedded: Uint8Array = key.certificate): Promise<Uint8Array> {
    const { issuer, serial } = certificateDerFields(key.certificate);
    const essCertId = certForHash && sequence(octetString(createHash('sha1').update(certForHash).digest()), sequence(sequence(explicit(4, issuer)), serial));
    const attrs = setOf([
      sequence(oid(OID.contentType), setOf([oid(OID.data)])),
      sequence(oid(OID.messageDigest), setOf([octetString(createHash('sha256').update(content).digest())])),
      ...(essCertId ? [sequence(oid(OID.signingCertificate), setOf([sequence(sequence(essCertId))]))] : []),
    ]);
    const signature = await key.signData(attrs, 'SHA-256');
    const signerInfo = sequence(integer(1), sequence(issuer, serial), digestAlgorithm('SHA-256'), retag(attrs, 0xa0), signatureAlgorithm(key.keyType, 'SHA-256'), octetString(signature));
    const sd = sequence(integer(1), setOf([digestAlgorithm('SHA-256')]), sequence(oid(OID.data)), retag(setOf([embedded, ...key.chain]), 0xa0), setOf([signerInfo]));
    return sequence(oid(OID.signedData), explicit(0, sd));
  }
  const content = Buffer.from('Tờ khai lệ phí trước bạ');
  const digest = (h: string): Uint8Array => createHash(h).update(content).digest();

  it('matching: valid', async () => {
    const check = verifySignedData(await cmsWithEssV1(content, key.certificate), digest);
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ signatureValid: true, signingCertificateMatches: true });
  });

  it('hash of another certificate: the signature is invalid, with the reason', async () => {
    const other = Buffer.from(key.chain[0]!);
    const check = verifySignedData(await cmsWithEssV1(content, other), digest);
    expect(check.signingCertificateMatches).toBe(false);
    expect(check.signatureValid).toBe(false);
    expect(check.problems.join('\n')).toMatch(/signing-certificate/);
  });

  it("no signing-certificate attribute, certificate renamed: the issuer's signature over it catches the edit", async () => {
    const renamed = Buffer.from(key.certificate);
    replaceOnce(renamed, Buffer.from('NGUYỄN THỊ ÁNH TUYẾT'), Buffer.concat([Buffer.from('LÊ VĂN MẠO DANH'), Buffer.alloc(8, 0x20)]));
    const genuine = verifySignedData(await cmsWithEssV1(content, undefined), digest);
    expect(genuine).toMatchObject({ signatureValid: true, problems: [] });
    const check = verifySignedData(await cmsWithEssV1(content, undefined, renamed), digest);
    expect(check).toMatchObject({ signatureValid: false, signerCertificateIntact: false });
    expect(check.problems.join('\n')).toMatch(/own signature does not verify/);
  });
});

describe('malformed but parsable CMS', () => {
  it('gets a report with a reason, never INTERNAL', async () => {
    const content = Buffer.from('x');
    const { der } = await buildSignedData(key, { contentDigest: createHash('sha256').update(content).digest(), hash: 'SHA-256' });
    // Every UTCTime in every certificate made nonsense: still parsable DER.
    const broken = Buffer.from(der);
    let at = 0;
    while ((at = broken.indexOf(Buffer.from([0x17, 0x0d]), at + 1)) > 0) broken.write('99999999999', at + 2, 'latin1');
    const check = verifySignedData(broken, (h) => createHash(h).update(content).digest());
    expect(check.signatureValid).toBe(false);
    expect(check.problems.length).toBeGreaterThan(0);
  });
});
