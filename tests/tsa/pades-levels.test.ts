/**
 * PAdES B-T, B-LT and B-LTA with a key on a SoftHSM token, the loopback TSA, OCSP responder and CRLs:
 * what each level adds, that our verifier and poppler accept it, that OpenSSL accepts the timestamp token
 * over the signature value, and that a revoked or expired signer and a failing TSA produce no file.
 */
import { createHash } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { signDocument, timestampDocument, type DocumentSignOptions } from '../../src/core/sign-document.js';
import { HttpTimestampClient } from '../../src/core/tsa/index.js';
import { verifyPdf } from '../../src/core/pdf/verify.js';
import { parseSignedData } from '../../src/core/cms/verify.js';
import { KysoError } from '../../src/core/errors.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { ARTIFACTS_DIR, fixtures } from '../helpers/fixtures.js';
import { hitsOn, ltvKey, openLtvToken, startPkiServices, type LtvSigner, type PkiServices } from '../helpers/loopback-pki-services.js';
import { qpdfCheck } from '../helpers/tools.js';

const OUT = path.join(ARTIFACTS_DIR, 'tsa');
let srv: PkiServices;
let tokens: TokenService;
let input: Uint8Array;

beforeAll(async () => {
  srv = await startPkiServices();
  tokens = openLtvToken(srv);
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Don de nghi - PAdES levels', { x: 50, y: 800, size: 12 });
  input = await pdf.save();
  mkdirSync(OUT, { recursive: true });
});
afterAll(async () => { tokens?.close(); await srv?.close(); });

const tsa = (url = srv.tsa.plain): HttpTimestampClient => new HttpTimestampClient({ urls: [url] });

async function sign(signer: LtvSigner, options: DocumentSignOptions, bytes = input) {
  return signDocument(bytes, await ltvKey(tokens, srv, signer), options, 'in.pdf');
}

function save(name: string, bytes: Uint8Array): string {
  const file = path.join(OUT, name);
  writeFileSync(file, bytes);
  return file;
}

/**
 * pdfsig with the LTV PKI's NSS database. Asynchronous: NSS asks our OCSP responder (in this process) about
 * the signer, so a blocking spawn would deadlock.
 */
async function pdfsig(file: string): Promise<{ output: string; valid: number; total: number }> {
  const r = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
    execFile('pdfsig', ['-nssdir', srv.pki.nssdb, file], { encoding: 'utf8' }, (_e, stdout, stderr) => resolve({ stdout, stderr }));
  });
  const output = r.stdout + r.stderr;
  return { output, valid: (output.match(/Signature Validation: Signature is Valid\./g) ?? []).length, total: (output.match(/^Signature #\d+:/gm) ?? []).length };
}

async function failure(p: Promise<unknown>): Promise<KysoError> {
  try { await p; } catch (e) { if (e instanceof KysoError) return e; throw e; }
  throw new Error('expected a KysoError');
}

describe('PAdES levels', () => {
  it('B-T: the signature timestamp is over the signature value, verified by us and by OpenSSL', async () => {
    const r = await sign('good', { level: 'B-T', timestamp: tsa(), reason: 'Nộp hồ sơ' });
    const file = save('b-t.pdf', r.bytes);
    expect(r.level).toBe('B-T');
    expect(r.certificateCheck?.status).toBe('ok');
    expect(r.timestamp?.tsa).toBe('Kyso LTV Test TSA');
    expect(Math.abs(r.timestamp!.time.getTime() - Date.now())).toBeLessThan(60_000);

    const v = await verifyPdf(r.bytes);
    const s = v.signatures[0]!;
    expect(s.problems).toEqual([]);
    expect(s).toMatchObject({ kind: 'signature', intact: true, hasTimestamp: true, coversWholeFile: true });
    expect(s.timestamp).toMatchObject({ imprintMatches: true, signatureValid: true, tsa: 'Kyso LTV Test TSA' });
    expect(v.dss).toBeUndefined();
    const sig = await pdfsig(file);
    expect(sig.valid, sig.output).toBe(1);

    // OpenSSL's own TS verifier: token imprint = SHA-256 of the SignerInfo's signature value, chain to our root.
    const contents = Buffer.from(/\/Contents <([0-9A-F]+)>/.exec(Buffer.from(r.bytes).toString('latin1'))![1]!, 'hex');
    const cms = parseSignedData(contents);
    const si = cms.signerInfos[0]!;
    const token = si.unsigned.get('1.2.840.113549.1.9.16.2.14')![0]!;
    const tokenFile = save('b-t.token.der', token);
    const digest = createHash('sha256').update(si.signature).digest('hex');
    const o = spawnSync('openssl', ['ts', '-verify', '-digest', digest, '-in', tokenFile, '-token_in', '-CAfile', srv.pki.root, '-untrusted', srv.pki.sub], { encoding: 'utf8' });
    expect(o.stdout + o.stderr).toContain('Verification: OK');
    // A timestamp whose imprint no longer matches the signature value: the signature is not intact any more.
    const imprintHex = digest.toUpperCase();
    const text = Buffer.from(r.bytes).toString('latin1');
    const at = text.indexOf(imprintHex);
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(r.bytes);
    tampered[at] = tampered[at] === 0x30 ? 0x31 : 0x30;
    const tv = (await verifyPdf(new Uint8Array(tampered))).signatures[0]!;
    expect(tv.cmsValid).toBe(true);
    expect(tv.timestamp?.imprintMatches).toBe(false);
    expect(tv.intact).toBe(false);

    const cmsLength = (contents[1]! & 0x80 ? contents.subarray(2, 2 + (contents[1]! & 0x7f)).reduce((n, x) => n * 256 + x, 0) + 2 + (contents[1]! & 0x7f) : contents[1]! + 2);
    console.log(`[B-T] token ${token.length} B, CMS ${cmsLength} B in ${contents.length} B reserved, file ${r.bytes.length} B (input ${input.length} B)`);
  });

  it('B-LT: a DSS with the chains of signer and TSA and a revocation answer for each certificate below the root', async () => {
    const before = { ocsp: hitsOn(srv, '/ocsp/sub'), crl: hitsOn(srv, '/crl/') };
    const r = await sign('good', { level: 'B-LT', timestamp: tsa() });
    const file = save('b-lt.pdf', r.bytes);
    // The pre-signing check's OCSP answer for the signer is reused in the DSS: signer + TSA = 2 OCSP requests; root CRL once.
    expect(hitsOn(srv, '/ocsp/sub') - before.ocsp).toBe(2);
    expect(hitsOn(srv, '/crl/') - before.crl).toBe(1);
    const v = await verifyPdf(r.bytes);
    const s = v.signatures[0]!;
    expect(s.problems).toEqual([]);
    expect(s.intact).toBe(true);
    expect(s.coversWholeFile).toBe(false); // the DSS update follows the signature
    expect(v.dss).toMatchObject({ ocsps: 2, crls: 1, vri: 1 });
    expect(v.dss!.certs).toBe(5); // signer, TSA, OCSP responder, sub CA, root
    expect(s.ltv).toMatchObject({ vri: true, complete: true });
    expect(s.ltv!.certificates).toEqual(expect.arrayContaining([
      { name: 'NGUYỄN VĂN AN', status: 'good', via: 'ocsp' },
      { name: 'Kyso LTV Test TSA', status: 'good', via: 'ocsp' },
      { name: 'Kyso LTV Test Sub CA — Dấu thời gian', status: 'good', via: 'crl' },
    ]));
    expect(qpdfCheck(file).status).toBe(0);
    const sig = await pdfsig(file);
    expect(sig.valid, sig.output).toBe(1);
    // NSS builds the chain to our root and asks our OCSP responder itself.
    expect(sig.output).toContain('Certificate Validation: Certificate is Trusted.');
  });

  it('B-LTA: a document timestamp over the signed file and its DSS', async () => {
    const r = await sign('good', { level: 'B-LTA', timestamp: tsa() });
    const file = save('b-lta.pdf', r.bytes);
    const v = await verifyPdf(r.bytes);
    expect(v.signatures.map((s) => s.kind)).toEqual(['signature', 'document-timestamp']);
    const [s, dts] = v.signatures as [typeof v.signatures[0], typeof v.signatures[0]];
    expect(s.intact && s.ltv?.complete).toBe(true);
    expect(dts.problems).toEqual([]);
    expect(dts).toMatchObject({ subFilter: 'ETSI.RFC3161', intact: true, coversWholeFile: true, digestMatches: true, cmsValid: true });
    expect(dts.timestamp?.tsa).toBe('Kyso LTV Test TSA');
    expect(dts.signer?.commonName).toBe('Kyso LTV Test TSA');
    expect(v.allIntact).toBe(true);
    expect(qpdfCheck(file).status).toBe(0);
    // poppler 22.12 lists the document timestamp but does not check ETSI.RFC3161: it must still accept the signature.
    const sig = await pdfsig(file);
    expect(sig.total, sig.output).toBe(2);
    expect(sig.valid, sig.output).toBe(1);
    // OpenSSL checks the document timestamp token over the bytes its ByteRange names.
    const [a, b, c, d] = dts.byteRange as [number, number, number, number];
    const covered = save('b-lta.covered.bin', Buffer.concat([r.bytes.subarray(a, a + b), r.bytes.subarray(c, c + d)]));
    const hex = Buffer.from(r.bytes.subarray(b + 1, c - 1)).toString('latin1');
    const token = save('b-lta.doc-timestamp.der', Buffer.from(hex, 'hex'));
    const o = spawnSync('openssl', ['ts', '-verify', '-data', covered, '-in', token, '-token_in', '-CAfile', srv.pki.root, '-untrusted', srv.pki.sub], { encoding: 'utf8' });
    expect(o.stdout + o.stderr).toContain('Verification: OK');
    // Tampering with one byte the document timestamp covers breaks it.
    const tampered = Uint8Array.from(r.bytes);
    const at = Buffer.from(tampered).indexOf('/DSS');
    tampered[at + 1] = 'd'.charCodeAt(0);
    const tv = await verifyPdf(tampered).catch(() => undefined);
    if (tv) expect(tv.signatures.find((x) => x.kind === 'document-timestamp')?.intact).toBe(false);
  });

  it('a signature on a file already signed by someone else keeps theirs intact; B-LT gathers data for ours only', async () => {
    const prior = fixtures().corpus.entries.find((e) => e.priorSignatures > 0 && e.expect === 'sign');
    if (!prior) return; // corpus skipped (KYSO_SKIP_CORPUS=1)
    const r = await sign('good', { level: 'B-LT', timestamp: tsa() }, new Uint8Array(readFileSync(prior.file)));
    save('b-lt-second-signer.pdf', r.bytes);
    const v = await verifyPdf(r.bytes);
    expect(v.signatures.length).toBe(prior.priorSignatures + 1);
    expect(v.allIntact).toBe(true);
    expect(v.signatures[v.signatures.length - 1]!.ltv?.complete).toBe(true);
  });

  it('a second B-LT signature extends the DSS: both VRI entries, shared certificates stored once, the first signature intact', async () => {
    const first = await sign('good', { level: 'B-LT', timestamp: tsa() });
    const second = await sign('noku', { level: 'B-LT', timestamp: tsa() }, first.bytes);
    save('b-lt-two-signers.pdf', second.bytes);
    const v = await verifyPdf(second.bytes);
    expect(v.signatures.map((s) => [s.intact, s.ltv?.complete, s.ltv?.vri])).toEqual([[true, true, true], [true, true, true]]);
    expect(v.dss?.vri).toBe(2);
    expect(v.dss?.certs).toBe(6); // + the second signer's certificate only
    expect(v.dss?.crls).toBe(1);
  });

  it('a token larger than reserved: one retry with room for it, still one valid signature', async () => {
    const real = tsa();
    let asked = 0;
    const stingy = { expectedTokenSize: () => 0, timestamp: (d: Uint8Array, h: 'SHA-256' | 'SHA-384' | 'SHA-512') => { asked++; return real.timestamp(d, h); } };
    const r = await sign('good', { level: 'B-T', timestamp: stingy });
    expect(asked).toBe(2);
    const v = await verifyPdf(r.bytes);
    expect(v.signatures).toHaveLength(1);
    expect(v.signatures[0]).toMatchObject({ intact: true, timestamp: { imprintMatches: true } });
  });

  it('a document timestamp alone, and archive renewal: DSS for the signatures present, then a timestamp', async () => {
    const alone = await timestampDocument(input, { timestamp: tsa() });
    save('doc-timestamp.pdf', alone.bytes);
    const v = await verifyPdf(alone.bytes);
    expect(v.signatures).toHaveLength(1);
    expect(v.signatures[0]).toMatchObject({ kind: 'document-timestamp', intact: true, coversWholeFile: true });
    expect(alone.tsa).toBe('Kyso LTV Test TSA');

    const bt = await sign('good', { level: 'B-T', timestamp: tsa() });
    const renewed = await timestampDocument(bt.bytes, { timestamp: tsa(), addValidationData: true });
    save('b-t-renewed-to-lta.pdf', renewed.bytes);
    const rv = await verifyPdf(renewed.bytes);
    expect(rv.signatures.map((s) => [s.kind, s.intact])).toEqual([['signature', true], ['document-timestamp', true]]);
    expect(rv.signatures[0]!.ltv?.complete).toBe(true);
  });
});

describe('what stops a signature (no file is produced)', () => {
  it('revoked signer: CERTIFICATE_REVOKED before the token signs or the TSA is asked', async () => {
    const tsaHits = hitsOn(srv, '/tsa');
    const e = await failure(sign('revoked', { level: 'B-T', timestamp: tsa() }));
    expect(e.code).toBe('CERTIFICATE_REVOKED');
    expect(e.detail).toContain('OCSP');
    expect(hitsOn(srv, '/tsa')).toBe(tsaHits);
    const crl = await failure(sign('crlrevoked', { level: 'B-B', certificateCheck: 'online' }));
    expect(crl.code).toBe('CERTIFICATE_REVOKED');
  });

  it('expired signer: CERTIFICATE_EXPIRED, even at B-B offline', async () => {
    expect((await failure(sign('expired', {}))).code).toBe('CERTIFICATE_EXPIRED');
  });

  it('warnings reach the caller before the token signs, and the caller may stop there', async () => {
    const seen: string[] = [];
    const r = await sign('noku', { level: 'B-T', timestamp: tsa(), onCertificateCheck: (c) => { seen.push(...c.problems.map((p) => p.code)); } });
    expect(seen).toEqual(['key-usage']);
    expect(r.certificateCheck?.status).toBe('warning');
    const stop = await failure(sign('noku', { onCertificateCheck: () => { throw new KysoError('USER_CANCELLED'); } }));
    expect(stop.code).toBe('USER_CANCELLED');
  });

  it('each TSA failure gives its own error', async () => {
    const cases: [string, string][] = [
      [srv.tsa.unreachable, 'TSA_UNREACHABLE'], [srv.tsa.garbage, 'TSA_BAD_RESPONSE'], [srv.tsa.reject, 'TSA_REJECTED'],
      [srv.tsa.auth, 'TSA_AUTH_REQUIRED'], [srv.tsa.wrongImprint, 'TSA_BAD_RESPONSE'],
    ];
    for (const [url, code] of cases) {
      const e = await failure(sign('good', { level: 'B-T', timestamp: tsa(url) }));
      expect(e.code, url).toBe(code);
    }
  });

  it('B-LT when revocation data cannot be had: REVOCATION_UNAVAILABLE', async () => {
    const client = tsa();
    const key = await ltvKey(tokens, srv, 'nourls');
    const tsaHits = hitsOn(srv, '/tsa');
    const e = await failure(signDocument(input, key, { level: 'B-LT', timestamp: client }));
    expect(e.code).toBe('REVOCATION_UNAVAILABLE');
    expect(e.detail).toContain('no OCSP responder and no CRL');
    expect(hitsOn(srv, '/tsa')).toBe(tsaHits); // found out before the token signed
    // When the signer was fine but the TSA's status cannot be had, the DSS step says whose data is missing.
    srv.revocationDown = true;
    try {
      const late = await failure(signDocument(input, await ltvKey(tokens, srv, 'good'), { level: 'B-LT', timestamp: client, certificateCheck: 'offline' }));
      expect(late.code).toBe('REVOCATION_UNAVAILABLE');
      expect(late.detail).toContain('NGUYỄN VĂN AN');
      expect(late.detail).toContain('Kyso LTV Test TSA');
    } finally { srv.revocationDown = false; }
  });

  it('B-T without a TSA is a bad request', async () => {
    expect((await failure(sign('good', { level: 'B-T' }))).code).toBe('BAD_REQUEST');
  });
});

it('artifacts are where the README of this folder says', () => {
  expect(existsSync(path.join(OUT, 'b-lta.pdf'))).toBe(true);
});
