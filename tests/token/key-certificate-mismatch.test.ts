/**
 * A token whose certificate and key do not belong together: the signer's certificate (CKA_ID 01) replaced by
 * another person's, as a badly provisioned token or a certificate swapped after it was read would have it.
 * Pairing by CKA_ID offers that certificate with key 01; what the key signs does not verify with it. Kyso must
 * stop with SIGNING_FAILED and write nothing, not hand back a file that every verifier rejects.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/core/token/token-service.js';
import { fixtures } from '../helpers/fixtures.js';
import { provisionOwnTokens } from '../helpers/token.js';
import { kyso, mod, writePdf } from '../cli/cli.js';

let dir: string;
let conf: string;
const otherPem = readFileSync(path.join(fixtures().pki.dir, 'presigner.pem'), 'utf8');
const other = new X509Certificate(otherPem);
const otherId = other.fingerprint256.replace(/:/g, '').toLowerCase();
let service: TokenService | undefined;

beforeAll(() => {
  ({ dir, conf } = provisionOwnTokens('kyso-mismatch-'));
  const f = fixtures().softhsm;
  const p11 = (...args: string[]): void => {
    execFileSync('pkcs11-tool', ['--module', f.module, '--token-label', f.tokenLabel, '--login', '--pin', f.pin, ...args], { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'ignore' });
  };
  const der = path.join(dir, 'other.der');
  writeFileSync(der, other.raw);
  p11('--delete-object', '--type', 'cert', '--id', '01');
  p11('--write-object', der, '--type', 'cert', '--id', '01', '--label', 'Chứng thư số thay thế');
});
afterAll(() => service?.close());

describe('a certificate on the token that does not belong to its key', () => {
  it('is offered with key 01, and its signature is refused with SIGNING_FAILED', async () => {
    process.env.SOFTHSM2_CONF = conf;
    try {
      service = new TokenService([{ path: fixtures().softhsm.module, vendor: 'softhsm', displayName: 'SoftHSM' }]);
    } finally {
      process.env.SOFTHSM2_CONF = fixtures().softhsm.conf; // read at C_Initialize only
    }
    const offered = service.certificates().find((c) => c.id === otherId);
    expect(offered?.keyVisible, 'paired with key 01 by CKA_ID').toBe(true);
    const key = await service.signingKey(otherId, async () => fixtures().softhsm.pin);
    await expect(key.signData(new TextEncoder().encode('thuộc tính đã ký'), 'SHA-256'))
      .rejects.toMatchObject({ code: 'SIGNING_FAILED', detail: expect.stringContaining('does not verify with the certificate') });
    // A bare digest (hash.sign without CMS): RSA is checked too.
    await expect(key.signDigest(createHash('sha256').update('tài liệu').digest(), 'SHA-256'))
      .rejects.toMatchObject({ code: 'SIGNING_FAILED', detail: expect.stringContaining('not over the digest sent') });
  });

  it('kyso sign stops with SIGNING_FAILED in both languages and writes no file', async () => {
    const input = await writePdf(path.join(dir, 'in.pdf'));
    const output = path.join(dir, 'out.pdf');
    const r = kyso(['sign', input, '-o', output, ...mod(), '--cert', otherId, '--pin-stdin'], `${fixtures().softhsm.pin}\n`, { SOFTHSM2_CONF: conf });
    expect(r.stderr).toContain('SIGNING_FAILED');
    expect(r.stderr).toContain('Ký số không thành công');
    expect(r.stderr).toContain('Signing failed');
    expect(r.status).toBe(1);
    expect(existsSync(output)).toBe(false);
  });
});
