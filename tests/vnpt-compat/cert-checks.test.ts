/**
 * The plugin's certificate checks (14–22) against the test PKI's real OCSP responder and CRL
 * (tests/helpers/loopback-pki-services.ts): valid, expired, not yet valid, revoked by OCSP and CRL, revoked in
 * the CRL only, no key usage for signing, no revocation service. Answers are read as portals read them
 * (`Number(data) === 0` before signing, the status-number tables of the plugin's sample pages). Then a
 * portal's whole flow: getCertInfo, ValidateCertificateBase64, signArrDataAdvanced of hash items.
 */
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { generateLoopbackCertificates } from '../../src/agent/tls/generator.js';
import { hitsOn, ltvCertificateId, openLtvToken, startPkiServices, type LtvSigner, type PkiServices } from '../helpers/loopback-pki-services.js';
import { PORTAL, startTestAgent, type TestAgent } from '../agent/harness.js';
import { PluginPage, advancedItem } from './plugin-page.js';

let srv: PkiServices;
let agent: TestAgent;
let prompter: ScriptedPrompter;
let url: string;
const loopback = generateLoopbackCertificates();

const cert = (name: LtvSigner): X509Certificate => new X509Certificate(readFileSync(srv.pki.signer(name)));
const base64 = (name: LtvSigner): string => cert(name).raw.toString('base64');
const serial = (name: LtvSigner): string => cert(name).serialNumber;

beforeAll(async () => {
  srv = await startPkiServices();
  prompter = new ScriptedPrompter({ consent: (o) => o === PORTAL, confirm: true, pin: srv.token.pin, chooseCertificate: ltvCertificateId(srv, 'good') });
  agent = await startTestAgent(prompter, { tokens: openLtvToken(srv), tls: { key: loopback.serverKey, cert: loopback.serverCert }, vnpt: { ports: [0] } });
  url = `wss://localhost:${agent.server.vnptPort}/plugin`;
});
afterAll(async () => {
  await agent?.close();
  await srv?.close();
});
/** `openssl cms -verify` of a detached CMS over `content`, chained to the LTV PKI's root. */
function cmsVerifies(cms: Uint8Array, content: Uint8Array): boolean {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cms-'));
  try {
    writeFileSync(path.join(dir, 'sig.der'), cms);
    writeFileSync(path.join(dir, 'content'), content);
    return spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, 'sig.der'), '-content', path.join(dir, 'content'),
      '-CAfile', srv.pki.root, '-certfile', srv.pki.sub, '-purpose', 'any', '-out', '/dev/null']).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const open = (origin = PORTAL): Promise<PluginPage> => PluginPage.open(url, { origin, ca: loopback.caCert });

describe('certificate checks', () => {
  it('ValidateCertificateBase64: 0 valid, 2 expired, 3 not yet valid, 4 revoked (OCSP or CRL), 5 not for signing, 9 issuer not found, 6 no revocation answer', async () => {
    const page = await open();
    const status = async (name: LtvSigner): Promise<number> => Number(await page.ValidateCertificateBase64(base64(name), null, null));
    expect(await status('good')).toBe(0);
    expect(await status('expired')).toBe(2);
    expect(await status('notyet')).toBe(3);
    expect(await status('revoked')).toBe(4);
    expect(await status('crlrevoked')).toBe(4);
    expect(await status('noku')).toBe(5);
    // No AIA: the issuer cannot be fetched (9). With it, the OCSP responder and the CRL down: 6.
    expect(await status('nourls')).toBe(9);
    srv.revocationDown = true;
    try {
      expect(await status('good')).toBe(6);
    } finally {
      srv.revocationDown = false;
    }
    page.close();
  });

  it('CheckOCSPBase64 asks the OCSP responder only; CheckCRLBase64 the CRL; CheckValidTimeBase64 the dates, at the time the page gives', async () => {
    const page = await open();
    const ocspBefore = hitsOn(srv, '/ocsp');
    expect(await page.CheckOCSPBase64(base64('good'), null, null)).toBe('0');
    expect(await page.CheckOCSPBase64(base64('revoked'), null, null)).toBe('4');
    expect(hitsOn(srv, '/ocsp')).toBeGreaterThan(ocspBefore);
    // No OCSP URL in the certificate: 10 ("không tìm thấy đường dẫn tới server ocsp").
    expect(await page.CheckOCSPBase64(base64('crlrevoked'), null, null)).toBe('10');
    expect(await page.CheckCRLBase64(base64('crlrevoked'), null, null, null)).toBe('4');
    expect(await page.CheckCRLBase64(base64('good'), null, null, null)).toBe('0');
    expect(await page.CheckValidTimeBase64(base64('good'), null)).toBe('0');
    expect(await page.CheckValidTimeBase64(base64('expired'), null)).toBe('2');
    const notAfter = new Date(cert('good').validTo);
    const later = new Date(notAfter.getTime() + 86_400_000);
    const pageTime = `${later.getDate()}/${later.getMonth() + 1}/${later.getFullYear()} ${later.getHours()}:${later.getMinutes()}:${later.getSeconds()}`;
    expect(await page.CheckValidTimeBase64(base64('good'), pageTime)).toBe('2');
    page.close();
  });

  it('the serial forms read the token (after consent); an unknown serial is 8', async () => {
    const page = await open();
    expect(await page.ValidateCertificate(serial('good'), null, null)).toBe('0');
    expect(await page.CheckOCSP(serial('revoked'), null, null)).toBe('4');
    expect(await page.CheckCRL(serial('crlrevoked'), null, null, null)).toBe('4');
    expect(await page.CheckValidTime(serial('expired'), null)).toBe('2');
    expect(await page.ValidateCertificate('0BADC0FFEE', null, null)).toBe('8');
    page.close();
  });

  it('a URL the page names is never fetched; a CRL the page sends counts only if the issuer signed it', async () => {
    const page = await open();
    expect(await page.CheckOCSPBase64(base64('good'), null, `${srv.base}/page-ocsp`)).toBe('0');
    expect(await page.CheckCRLBase64(base64('good'), null, `${srv.base}/page-crl`, null)).toBe('0');
    expect(srv.hits.get('/page-ocsp')).toBeUndefined();
    expect(srv.hits.get('/page-crl')).toBeUndefined();
    const crl = readFileSync(`${srv.dir}/crl/sub.crl`).toString('base64');
    srv.revocationDown = true;
    try {
      expect(await page.CheckCRLBase64(base64('crlrevoked'), null, null, crl)).toBe('4');
      expect(await page.CheckCRLBase64(base64('crlrevoked'), null, null, Buffer.from('not a CRL').toString('base64'))).toBe('6');
    } finally {
      srv.revocationDown = false;
    }
    page.close();
  });

  it('a site the user refused learns nothing and makes Kyso fetch nothing', async () => {
    const page = await open('https://evil.example');
    const before = hitsOn(srv, '/');
    expect(await page.ValidateCertificateBase64(base64('good'), null, null)).toBe('8');
    expect(hitsOn(srv, '/')).toBe(before);
    page.close();
  });
});

describe('a portal\'s flow: getCertInfo, ValidateCertificateBase64, then hash items', () => {
  it('signs SHA-256 digests with the valid certificate; a revoked one is stopped by the portal\'s own check', async () => {
    const page = await open();
    expect(await page.checkPlugin()).toBe('1');
    expect(await page.getVersion()).toBe('1.0.4.3');
    const licence = await page.setLicenseKey('key');
    expect(licence.split(':').length > 1 && licence.split(':')[1]![0] !== '1').toBe(false);
    const jsOb = JSON.parse(await page.getCertInfo(null, undefined)) as { serial: string; base64: string };
    expect(Number(await page.ValidateCertificateBase64(jsOb.base64, null, null))).toBe(0);
    const records = ['hồ sơ 1', 'hồ sơ 2'].map((t) => Buffer.from(t));
    const arr = records.map((r) => advancedItem(createHash('sha256').update(r).digest('base64'), 'hash', { DigestAlgorithm: 'SHA256', encoding: 'utf8', detached: true }));
    const before = prompter.count('pin');
    const reply = await page.signArrDataAdvanced(arr, jsOb.serial, false);
    const signed = (JSON.parse(reply) as string[]).map((s) => JSON.parse(s) as { code: number; data: string; serial: string });
    expect(signed.map((s) => s.code)).toEqual([0, 0]);
    expect(prompter.count('pin')).toBe(before + 1);
    signed.forEach((s, i) => expect(cmsVerifies(new Uint8Array(Buffer.from(s.data, 'base64')), records[i]!)).toBe(true));
    expect(signed[0]!.serial).toBe(jsOb.serial);

    prompter.answers.chooseCertificate = ltvCertificateId(srv, 'revoked');
    try {
      const revoked = JSON.parse(await page.getCertInfo(null, undefined)) as { base64: string };
      expect(Number(await page.ValidateCertificateBase64(revoked.base64, null, null))).toBe(4);
    } finally {
      prompter.answers.chooseCertificate = ltvCertificateId(srv, 'good');
    }
    page.close();
  });
});
