/** The SoftHSM token of the fixtures, opened through Kyso's own token layer. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { TokenService } from '../../src/core/token/token-service.js';
import type { SigningKey } from '../../src/core/signing-key.js';
import { fixtures } from './fixtures.js';

export type SignerName = 'rsa' | 'ec256' | 'ec384';

export function openTestTokens(): TokenService {
  const f = fixtures();
  process.env.SOFTHSM2_CONF = f.softhsm.conf;
  return new TokenService([{ path: f.softhsm.module, vendor: 'softhsm', displayName: 'SoftHSM' }]);
}

/** Certificate id (SHA-256 fingerprint) of a fixture signer, computed from its PEM — not from the token. */
export function certificateId(signer: SignerName): string {
  const pem = readFileSync(fixtures().pki.signers[signer].cert, 'utf8');
  return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
}

export async function testKey(service: TokenService, signer: SignerName): Promise<SigningKey> {
  return service.signingKey(certificateId(signer), async () => fixtures().softhsm.pin);
}

/**
 * Tokens of a test's own, provisioned as the fixtures' are, so that a test that changes or removes them disturbs no
 * other: their folder and the softhsm2.conf that points at them.
 */
export function provisionOwnTokens(prefix: string): { dir: string; conf: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  execFileSync('bash', [fileURLToPath(new URL('../fixtures/pki/provision-softhsm.sh', import.meta.url)), fixtures().pki.dir, dir], { stdio: 'ignore' });
  return { dir, conf: path.join(dir, 'softhsm2.conf') };
}
