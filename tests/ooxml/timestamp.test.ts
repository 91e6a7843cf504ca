/**
 * XAdES-T for Office documents: a signature timestamp from a real TSA (`openssl ts -reply` on loopback) over the
 * canonical SignatureValue, checked by OpenSSL's own TS verifier against a canonical form written here by hand,
 * by our verifier, and by LibreOffice (the signature must stay valid there with the unsigned properties added).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOoxml } from '../../src/core/ooxml/sign.js';
import { verifyOoxml } from '../../src/core/ooxml/verify.js';
import { openPackage, writePackage } from '../../src/core/ooxml/package.js';
import { createTimestampClient } from '../../src/core/tsa/http-client.js';
import { signDocument } from '../../src/core/sign-document.js';
import { startPkiServices, type PkiServices } from '../helpers/loopback-pki-services.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes } from '../helpers/libreoffice-verify.js';
import { keyFor } from './keys.js';
import { makePandocDocuments } from './documents.js';

let srv: PkiServices;
beforeAll(async () => { srv = await startPkiServices(); });
afterAll(async () => { await srv?.close(); });

const DOCX = makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-xades-t-'));
const sigXml = (bytes: Uint8Array, part = '/_xmlsignatures/sig1.xml'): string => Buffer.from(openPackage(bytes).read(part)).toString('utf8');

describe('XAdES-T (signature timestamp) on a DOCX', () => {
  it('carries a token over the canonical SignatureValue: OpenSSL verifies it, Kyso and LibreOffice report the signature valid', async () => {
    const before = Date.now();
    const r = await signOoxml(DOCX.bytes, await keyFor('ec256'), { timestamp: createTimestampClient({ urls: [srv.tsa.plain] }) });
    expect(r.timestamp).toBeDefined();
    expect(r.timestamp!.info.genTime.getTime()).toBeGreaterThanOrEqual(before - 2000);

    const xml = sigXml(r.bytes);
    const value = /<SignatureValue>([^<]+)<\/SignatureValue>/.exec(xml)![1]!;
    const token = Buffer.from(/<xd:EncapsulatedTimeStamp>([^<]+)<\/xd:EncapsulatedTimeStamp>/.exec(xml)![1]!, 'base64');
    // Inclusive C14N 1.0 of ds:SignatureValue, written out by hand: the default namespace is rendered on the apex.
    const canonical = `<SignatureValue xmlns="http://www.w3.org/2000/09/xmldsig#">${value}</SignatureValue>`;
    const digest = createHash('sha256').update(canonical).digest('hex');
    const tokenFile = path.join(dir, 'token.der');
    writeFileSync(tokenFile, token);
    const o = spawnSync('openssl', ['ts', '-verify', '-digest', digest, '-in', tokenFile, '-token_in', '-CAfile', srv.pki.root, '-untrusted', srv.pki.sub], { encoding: 'utf8' });
    expect(o.stdout + o.stderr).toContain('Verification: OK');

    const v = await verifyOoxml(r.bytes);
    expect(v.allValid).toBe(true);
    expect(v.signatures[0]!.timestamp).toMatchObject({ imprintMatches: true, signatureValid: true, time: r.timestamp!.info.genTime });

    if (libreOfficeAvailable()) {
      const [lo] = libreOfficeVerifyBytes([{ name: 'xades-t.docx', bytes: r.bytes }]);
      expect(lo!.signatures).toHaveLength(1);
      expect(lo!.signatures[0]).toMatchObject({ valid: true, certificateStatus: 0 });
    } else if (process.env.CI) {
      throw new Error('LibreOffice (python3-uno) is needed in CI');
    }
  });

  it('a token moved from another signature (imprint of another value) makes the signature invalid', async () => {
    const client = createTimestampClient({ urls: [srv.tsa.plain] });
    // Different claimed times: RSA PKCS#1 v1.5 is deterministic, the same SignedInfo would give the same value.
    const a = await signOoxml(DOCX.bytes, await keyFor('rsa'), { timestamp: client, signingTime: new Date('2026-11-23T01:00:00Z') });
    const b = await signOoxml(DOCX.bytes, await keyFor('rsa'), { timestamp: client, signingTime: new Date('2026-11-23T02:00:00Z') });
    const tokenOf = (x: Uint8Array): string => /<xd:EncapsulatedTimeStamp>([^<]+)</.exec(sigXml(x))![1]!;
    const swapped = sigXml(a.bytes).replace(tokenOf(a.bytes), tokenOf(b.bytes));
    const pkg = openPackage(a.bytes);
    const out = writePackage(pkg, new Map([['/_xmlsignatures/sig1.xml', new Uint8Array(Buffer.from(swapped))]]), []);
    const v = await verifyOoxml(out);
    expect(v.allValid).toBe(false);
    expect(v.signatures[0]!.timestamp?.imprintMatches).toBe(false);
    expect(v.signatures[0]!.problems.join(' ')).toMatch(/signature timestamp/);
  });

  it('signDocument: B-T by default with a TSA; B-LT is refused for Office documents; a TSA that refuses leaves no file', async () => {
    const key = await keyFor('rsa');
    const r = await signDocument(DOCX.bytes, key, { timestamp: createTimestampClient({ urls: [srv.tsa.plain] }), certificateCheck: 'off' }, 'a.docx');
    expect(r).toMatchObject({ format: 'ooxml', level: 'B-T', ooxmlSignature: { part: '/_xmlsignatures/sig1.xml', hash: 'SHA-256' } });
    expect(r.timestamp?.tsa).toBeTruthy();
    await expect(signDocument(DOCX.bytes, key, { level: 'B-LT', timestamp: createTimestampClient({ urls: [srv.tsa.plain] }) }, 'a.docx')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(signDocument(DOCX.bytes, key, { timestamp: createTimestampClient({ urls: [srv.tsa.reject] }), certificateCheck: 'off' }, 'a.docx')).rejects.toMatchObject({ code: 'TSA_REJECTED' });
    const plain = await signDocument(DOCX.bytes, key, { certificateCheck: 'off' }, 'a.docx');
    expect(plain.level).toBe('B-B');
    expect(sigXml(plain.bytes)).not.toContain('SignatureTimeStamp');
  });
});
