/** The CMS we build, checked field by field against what PAdES and strict validators require. */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedData } from '../../src/core/cms/signed-data.js';
import { verifySignedData } from '../../src/core/cms/verify.js';
import { certificateDerFields } from '../../src/core/cert/der-fields.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { opensslCmsVerify } from '../helpers/tools.js';

let tokens: TokenService;
beforeAll(() => { tokens = openTestTokens(); });
afterAll(() => tokens.close());

const content = Buffer.from('Nội dung văn bản cần ký — UBND phường Bến Nghé');

describe.each(['rsa', 'ec256', 'ec384'] as const)('CMS SignedData with %s', (signer) => {
  it('verifies with OpenSSL and carries exactly the PAdES baseline signed attributes', async () => {
    const key = await testKey(tokens, signer);
    const hash = signer === 'ec384' ? 'SHA-384' : 'SHA-256';
    const digest = createHash(hash.replace('-', '').toLowerCase()).update(content).digest();
    const { der } = await buildSignedData(key, { contentDigest: digest, hash });

    expect(opensslCmsVerify(der, content).ok).toBe(true);
    const check = verifySignedData(der, (h) => createHash(h).update(content).digest());
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ signatureValid: true, messageDigestMatches: true, attributesDer: true, hasSigningCertificateV2: true, signingCertificateMatches: true, hasSigningTime: false });

    // The issuer in the SignerInfo is the certificate's own bytes (UTF8String Vietnamese names intact).
    const issuer = Buffer.from(certificateDerFields(key.certificate).issuer);
    expect(Buffer.from(der).indexOf(issuer)).toBeGreaterThan(0);

    // OpenSSL's view of the signed attributes: content-type, message-digest, signing-certificate-v2, nothing else.
    const printed = spawnSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER'], { input: der, encoding: 'utf8' }).stdout;
    const attrs = [...printed.matchAll(/object: (\S+) \(/g)].map((m) => m[1]);
    expect(attrs).toEqual(expect.arrayContaining(['contentType', 'messageDigest', 'id-smime-aa-signingCertificateV2']));
    expect(attrs).not.toContain('signingTime');
  });

  it('fails verification when one content byte changes', async () => {
    const key = await testKey(tokens, signer);
    const hash = signer === 'ec384' ? 'SHA-384' : 'SHA-256';
    const digest = createHash(hash.replace('-', '').toLowerCase()).update(content).digest();
    const { der } = await buildSignedData(key, { contentDigest: digest, hash });
    const tampered = Buffer.from(content);
    tampered[3] ^= 1;
    expect(opensslCmsVerify(der, tampered).ok).toBe(false);
    expect(verifySignedData(der, (h) => createHash(h).update(tampered).digest()).messageDigestMatches).toBe(false);
  });
});
