/** The SoftHSM token of the fixtures, opened through Kyso's own token layer. */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
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
