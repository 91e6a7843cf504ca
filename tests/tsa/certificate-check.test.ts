/** Certificate checks before signing, against the loopback OCSP responder and CRLs of the LTV test PKI. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMaySign, checkCertificate, checkCrlFor, checkOcspResponse, parseCrl, RevocationSource } from '../../src/core/revocation/index.js';
import { isKysoError } from '../../src/core/errors.js';
import { hitsOn, pemToDer, startPkiServices, type LtvSigner, type PkiServices } from '../helpers/loopback-pki-services.js';

let srv: PkiServices;
let sub: Uint8Array;
let root: Uint8Array;
beforeAll(async () => {
  srv = await startPkiServices();
  sub = pemToDer(srv.pki.sub);
  root = pemToDer(srv.pki.root);
});
afterAll(async () => { await srv?.close(); });

const cert = (name: LtvSigner): Uint8Array => pemToDer(srv.pki.signer(name));
const codes = (c: { problems: { code: string }[] }): string[] => c.problems.map((p) => p.code);

describe('checkCertificate', () => {
  it('a valid certificate online: good by OCSP, nothing to warn about', async () => {
    const before = hitsOn(srv, '/ocsp/sub');
    const c = await checkCertificate(cert('good'), [sub, root], { online: true });
    expect(c.status).toBe('ok');
    expect(c.problems).toEqual([]);
    expect(c.revocation).toMatchObject({ status: 'good', via: 'ocsp' });
    expect(hitsOn(srv, '/ocsp/sub')).toBe(before + 1);
  });

  it('offline: validity and key usage only, revocation reported as not checked', async () => {
    const c = await checkCertificate(cert('good'), [sub, root], { online: false });
    expect(c.status).toBe('ok');
    expect(codes(c)).toEqual(['revocation-not-checked']);
  });

  it('revoked (OCSP says so) stops signing with CERTIFICATE_REVOKED', async () => {
    const c = await checkCertificate(cert('revoked'), [sub, root], { online: true });
    expect(c.status).toBe('blocked');
    expect(c.revocation).toMatchObject({ status: 'revoked', via: 'ocsp', revocationReason: 1 });
    expect(() => assertMaySign(c)).toThrow(expect.objectContaining({ code: 'CERTIFICATE_REVOKED' }));
  });

  it('revoked with no OCSP URL: the CRL tells', async () => {
    const before = hitsOn(srv, '/crl/sub.crl');
    const c = await checkCertificate(cert('crlrevoked'), [sub, root], { online: true });
    expect(c.revocation).toMatchObject({ status: 'revoked', via: 'crl' });
    expect(hitsOn(srv, '/crl/sub.crl')).toBe(before + 1);
    try { assertMaySign(c); throw new Error('not stopped'); } catch (e) { expect(isKysoError(e, 'CERTIFICATE_REVOKED')).toBe(true); }
  });

  it('OCSP down: falls back to the CRL; both down: revocation unknown is a warning', async () => {
    srv.revocationDown = true;
    try {
      const c = await checkCertificate(cert('good'), [sub, root], { online: true });
      expect(c.status).toBe('warning');
      expect(codes(c)).toEqual(['revocation-unknown']);
      expect(c.problems[0]!.detail).toMatch(/OCSP .*HTTP 503.*CRL .*HTTP 503/);
    } finally { srv.revocationDown = false; }
  });

  it('expired stops signing even offline; not yet valid and wrong key usage warn', async () => {
    const expired = await checkCertificate(cert('expired'), [sub, root], { online: true });
    expect(expired.status).toBe('blocked');
    expect(() => assertMaySign(expired)).toThrow(expect.objectContaining({ code: 'CERTIFICATE_EXPIRED' }));
    const notyet = await checkCertificate(cert('notyet'), [sub, root], { online: false });
    expect(notyet.status).toBe('warning');
    expect(codes(notyet)).toContain('not-yet-valid');
    expect(() => assertMaySign(notyet)).not.toThrow();
    const noku = await checkCertificate(cert('noku'), [sub, root], { online: true });
    expect(noku.status).toBe('warning');
    expect(codes(noku)).toEqual(['key-usage']);
    expect(noku.problems[0]!.vi).toContain('không dành cho ký số');
  });

  it('a certificate naming no OCSP responder and no CRL: unknown, with the reason', async () => {
    const c = await checkCertificate(cert('nourls'), [sub, root], { online: true });
    expect(codes(c)).toEqual(['revocation-unknown']);
    expect(c.problems[0]!.detail).toContain('no OCSP responder and no CRL');
  });

  it('completes a missing chain from the AIA caIssuers URLs', async () => {
    const c = await checkCertificate(cert('good'), [], { online: true });
    expect(c.chain.map((d) => Buffer.from(d))).toEqual([Buffer.from(sub), Buffer.from(root)]);
    expect(c.revocation?.status).toBe('good');
  });

  it('one source answers the same question once', async () => {
    const source = new RevocationSource();
    const before = hitsOn(srv, '/ocsp/sub');
    await source.status(cert('good'), sub);
    await source.status(cert('good'), sub);
    expect(hitsOn(srv, '/ocsp/sub')).toBe(before + 1);
  });
});

describe('OCSP response checks', () => {
  it('rejects a response with a tampered signature or about another certificate', async () => {
    const source = new RevocationSource();
    const { ocsp } = await source.status(cert('good'), sub);
    expect(ocsp).toBeDefined();
    const der = Uint8Array.from(ocsp!.der);
    expect(checkOcspResponse(der, cert('good'), sub).status).toBe('good');
    expect(() => checkOcspResponse(der, cert('revoked'), sub)).toThrow(/another certificate/);
    der[der.length - 5] ^= 0xff;
    expect(() => checkOcspResponse(der, cert('good'), sub)).toThrow(/not signed/);
    expect(() => checkOcspResponse(ocsp!.der, cert('good'), sub, { at: new Date(Date.now() + 7 * 86400_000) })).toThrow(/out of date/);
  });
  it('CRLs: both revoked serials listed, and a CRL is refused for a certificate of another issuer', () => {
    const crl = parseCrl(readFileSync(path.join(srv.dir, 'crl', 'sub.crl')));
    expect(crl.revoked.size).toBe(2);
    expect(() => checkCrlFor(crl, cert('good'), sub)).not.toThrow();
    expect(() => checkCrlFor(crl, sub, root)).toThrow(/another issuer/);
    expect(() => checkCrlFor(crl, cert('good'), root)).toThrow(/signature/);
  });
});
