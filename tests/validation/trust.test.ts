/**
 * Chain building against anchors with certificates made by OpenSSL in the test: a self-signed TSA without
 * keyCertSign is recognised as a root (and trusted when it is an anchor), a root without keyCertSign still
 * issues, a self-made CA that copies the real root's name is not trusted, a certificate expired at the signing
 * time is not trusted, and the built-in anchors load only with their pinned fingerprint.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInAnchors, checkChain, parseAnchorFile } from '../../src/core/validation/trust.js';
import { BUILT_IN_ANCHORS } from '../../src/core/validation/anchors/built-in.js';
import { fixtures } from '../helpers/fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-trust-'));
const der = (pem: string): Uint8Array => parseAnchorFile(readFileSync(pem), pem)[0]!.der;
const none = { ocsps: [], crls: [] };

function openssl(...args: string[]): void { execFileSync('openssl', args, { stdio: 'ignore' }); }

/** A key and a certificate: self-signed when no issuer is given. */
function cert(name: string, subject: string, ext: string, issuer?: string): string {
  const key = path.join(dir, `${name}.key`);
  const pem = path.join(dir, `${name}.pem`);
  const extFile = path.join(dir, `${name}.ext`);
  writeFileSync(extFile, `[req]\ndistinguished_name=dn\n[dn]\n[x]\n${ext}\n`);
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
  if (!issuer) {
    openssl('req', '-new', '-x509', '-utf8', '-config', extFile, '-key', key, '-subj', subject, '-days', '30', '-extensions', 'x', '-out', pem);
  } else {
    const csr = path.join(dir, `${name}.csr`);
    openssl('req', '-new', '-utf8', '-config', extFile, '-key', key, '-subj', subject, '-out', csr);
    openssl('x509', '-req', '-in', csr, '-CA', path.join(dir, `${issuer}.pem`), '-CAkey', path.join(dir, `${issuer}.key`), '-days', '30', '-extfile', extFile, '-extensions', 'x', '-out', pem);
  }
  return pem;
}

describe('trust anchors and chains', () => {
  it('a self-signed TSA without keyCertSign is a root: trusted as an anchor, named when not', async () => {
    const tsa = der(cert('tsa', '/C=VN/O=Kiểm thử/CN=TSA tự ký', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping'));
    const now = new Date();
    const anchor = parseAnchorFile(readFileSync(path.join(dir, 'tsa.pem')), 'tsa.pem');
    const trusted = await checkChain(tsa, [], { at: now, atIsTrusted: true, anchors: anchor, material: none });
    expect(trusted.trusted, trusted.problems.join()).toBe(true);
    const unknown = await checkChain(tsa, [], { at: now, atIsTrusted: true, anchors: [], material: none });
    expect(unknown.trusted).toBe(false);
    expect(unknown.problems.join()).toContain('root "TSA tự ký" is not a trusted anchor');
  });

  it('a root without keyCertSign still issues (OpenSSL’s checkIssued would refuse it)', async () => {
    cert('oddroot', '/C=VN/CN=Gốc không keyCertSign', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,cRLSign');
    const leaf = der(cert('oddleaf', '/C=VN/CN=Dịch vụ dấu thời gian', 'keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping', 'oddroot'));
    const r = await checkChain(leaf, [], { at: new Date(), atIsTrusted: true, anchors: parseAnchorFile(readFileSync(path.join(dir, 'oddroot.pem')), 'x'), material: none });
    expect(r.trusted, r.problems.join()).toBe(true);
    expect(r.chain.map((l) => l.name)).toEqual(['Dịch vụ dấu thời gian', 'Gốc không keyCertSign']);
  });

  it('a self-made CA copying the real root’s name does not chain to it', async () => {
    const realRoot = readFileSync(fixtures().pki.rootCa);
    const subject = execFileSync('openssl', ['x509', '-in', fixtures().pki.rootCa, '-noout', '-subject', '-nameopt', 'compat,utf8'], { encoding: 'utf8' }).replace(/^subject=\s*/, '').trim().split(', ').map((rdn) => `/${rdn}`).join('');
    cert('fakeroot', subject, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign');
    const leaf = der(cert('fakeleaf', '/C=VN/CN=NGUYỄN VĂN GIẢ/UID=CCCD:001190099999', 'keyUsage=critical,digitalSignature,nonRepudiation', 'fakeroot'));
    const r = await checkChain(leaf, [der(path.join(dir, 'fakeroot.pem'))], { at: new Date(), atIsTrusted: false, anchors: parseAnchorFile(realRoot, 'root'), material: none });
    expect(r.trusted).toBe(false);
    expect(r.anchor).toBeUndefined();
  });

  it('a certificate that was not valid at the signing time is not trusted', async () => {
    const now = new Date();
    const leaf = der(fixtures().pki.signers.rsa.cert);
    const pool = [der(fixtures().pki.subCa)];
    const anchors = parseAnchorFile(readFileSync(fixtures().pki.rootCa), 'root');
    expect((await checkChain(leaf, pool, { at: now, atIsTrusted: false, anchors, material: none })).trusted).toBe(true);
    const later = await checkChain(leaf, pool, { at: new Date(now.getTime() + 100 * 365 * 86400_000), atIsTrusted: false, anchors, material: none });
    expect(later.trusted).toBe(false);
    expect(later.problems.join()).toContain('was not valid at the signing time');
  });

  it('built-in anchors load only with their pinned SHA-256', () => {
    const loaded = builtInAnchors();
    expect(loaded.map((a) => a.fingerprint)).toEqual(BUILT_IN_ANCHORS.map((a) => a.sha256));
    for (const a of loaded) expect(a.source).toBe('built-in');
    // Each is a self-signed root (its pinned bytes verify under their own key).
    for (const a of loaded) expect(new X509Certificate(a.der).verify(new X509Certificate(a.der).publicKey)).toBe(true);
  });

  it('a real public CA (Viettel-CA RS) chains to the built-in Vietnam National Root CA, offline', async () => {
    const rs = der(fileURLToPath(new URL('../fixtures/public-ca/viettel-ca-rs.pem', import.meta.url)));
    const r = await checkChain(rs, [], { at: new Date('2025-01-01T00:00:00Z'), atIsTrusted: true, anchors: builtInAnchors(), material: none });
    expect(r.trusted, r.problems.join()).toBe(true);
    expect(r.anchor).toMatch(/^Vietnam National Root CA/);
    expect(r.chain.map((l) => l.name)).toEqual(['Viettel-CA RS', 'Vietnam National Root CA']);
  });
});
