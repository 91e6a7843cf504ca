/**
 * A file signed twice on the LTV token, then given a DSS and a document timestamp (B-LTA) by the loopback
 * TSA/OCSP: every later update is an allowed addition for the first signature, times come from the TSA,
 * and every signer and TSA chains to the roots given with --trust-anchor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signDocument } from '../../src/core/sign-document.js';
import { HttpTimestampClient } from '../../src/core/tsa/index.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { ltvKey, openLtvToken, startPkiServices, type PkiServices } from '../helpers/loopback-pki-services.js';
import { kyso, scratch } from './cli.js';
import { embeddedRevocation } from '../../src/core/validation/embedded-revocation.js';
import { checkChain, parseAnchorFile } from '../../src/core/validation/trust.js';
import { parseCrl } from '../../src/core/revocation/index.js';

const save = scratch('kyso-verify-lta-');

/** pdfsig's integrity verdicts; asynchronous because NSS asks the loopback OCSP responder in this process. */
function pdfsigValid(file: string): Promise<boolean[]> {
  return new Promise((resolve) => {
    execFile('pdfsig', ['-nssdir', srv.pki.nssdb, file], { encoding: 'utf8' }, (_e, stdout, stderr) => {
      resolve([...(stdout + stderr).matchAll(/Signature Validation: (.*)/g)].map((m) => m[1]!.trim() === 'Signature is Valid.'));
    });
  });
}
let tokens: TokenService;
let srv: PkiServices;
let input: Uint8Array;

beforeAll(async () => {
  srv = await startPkiServices();
  tokens = openLtvToken(srv);
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Ho so xin cap phep', { x: 50, y: 780, size: 14 });
  input = await pdf.save();
});
afterAll(async () => { tokens?.close(); await srv?.close(); });

describe('kyso verify: B-LTA history', () => {
  it('a second signature, then a DSS and a document timestamp (B-LTA): all allowed, TSA time, every chain trusted', async () => {
    const tsa = new HttpTimestampClient({ urls: [srv.tsa.plain] });
    const bb = await signDocument(input, await ltvKey(tokens, srv, 'good'), { level: 'B-B' }, 'in.pdf');
    const first = await signDocument(bb.bytes, await ltvKey(tokens, srv, 'good'), { level: 'B-LTA', timestamp: tsa }, 'in.pdf');
    const file = save('lta.pdf', first.bytes);
    const r = await kyso(['verify', file, '--trust-anchor', srv.pki.root, '--offline', '--json']);
    const json = JSON.parse(r.stdout) as { exitCode: number; validation: { signatures: { kind: string; verdict: string; level?: string; time?: { source: string; local: string }; history: { verdict: string; updates: { changes: { kind: string }[] }[] }; trust?: { trusted: boolean } }[] } };
    const sigs = json.validation.signatures;
    expect(sigs.map((s) => s.kind)).toEqual(['signature', 'signature', 'document-timestamp']);
    expect(sigs.map((s) => s.verdict), r.stdout).toEqual(['valid', 'valid', 'valid']);
    expect(json.exitCode).toBe(0);
    expect(sigs[0]!.history.verdict).toBe('allowed-changes');
    const kinds = new Set(sigs[0]!.history.updates.flatMap((u) => u.changes.map((c) => c.kind)));
    for (const k of ['signature', 'dss', 'document-timestamp']) expect(kinds).toContain(k);
    expect(sigs[1]!.level).toBe('B-LTA');
    expect(sigs[1]!.time).toMatchObject({ source: 'tsa', local: expect.stringMatching(/\+07:00$/) });
    expect(sigs[2]!.trust?.trusted).toBe(true);
    // poppler agrees on both signatures; it lists the document timestamp but does not check ETSI.RFC3161.
    expect((await pdfsigValid(file)).slice(0, 2)).toEqual([true, true]);
    const human = await kyso(['verify', file, '--trust-anchor', srv.pki.root, '--offline']);
    expect(human.status, human.stdout).toBe(0);
    expect(human.stdout).toContain('PAdES B-LTA; LTV data complete');
    expect(human.stdout).toContain('theo dấu thời gian / timestamped by "Kyso LTV Test TSA"');
    // Without the LTV root, the signers and the TSA are untrusted.
    expect((await kyso(['verify', file, '--offline'])).status).toBe(3);
  });

  it('a signer revoked before signing: intact but not trusted (exit 3), the revocation named from the online OCSP answer', async () => {
    const signed = await signDocument(input, await ltvKey(tokens, srv, 'revoked'), { level: 'B-B', certificateCheck: 'off' }, 'in.pdf');
    const file = save('revoked.pdf', signed.bytes);
    const r = await kyso(['verify', file, '--trust-anchor', srv.pki.root]);
    expect(r.status, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain('has been revoked');
    const offline = await kyso(['verify', file, '--trust-anchor', srv.pki.root, '--offline']);
    expect(offline.status, offline.stdout).toBe(0);
    expect(offline.stdout).toContain('revocation of "TRẦN THỊ BÌNH" unknown (offline)');
  });

  it('a CRL embedded in a CMS (SignedData crls, as OpenSSL writes it) revokes the signer offline', async () => {
    const cms = new Uint8Array(execFileSync('openssl', ['crl2pkcs7', '-inform', 'DER', '-in', path.join(srv.dir, 'crl', 'sub.crl'), '-outform', 'DER']));
    const embedded = embeddedRevocation(cms);
    expect(embedded.crls).toHaveLength(1);
    const der = (pem: string): Uint8Array => parseAnchorFile(readFileSync(pem), pem)[0]!.der;
    const r = await checkChain(der(srv.pki.signer('revoked')), [der(srv.pki.sub)], {
      at: new Date(), atIsTrusted: false, anchors: parseAnchorFile(readFileSync(srv.pki.root), 'root'),
      material: { ocsps: [], crls: embedded.crls.map(parseCrl) },
    });
    expect(r.trusted).toBe(false);
    expect(r.chain[0]).toMatchObject({ revocation: 'revoked', revocationSource: 'file' });
  });
});
