/**
 * Orders a signer's issuing chain from a pool of certificates (those stored on the token, or embedded in a CMS).
 * A candidate issuer must both name the subject's issuer and verify its signature.
 */
import { X509Certificate } from 'node:crypto';

function tryParse(der: Uint8Array): X509Certificate | undefined {
  try { return new X509Certificate(der); } catch { return undefined; }
}

/** Returns the chain above `leaf`, nearest issuer first, stopping at a self-signed root or a missing link. */
export function buildChain(leaf: Uint8Array, pool: readonly Uint8Array[], maxDepth = 8): Uint8Array[] {
  const parsed = pool.map((der) => ({ der, cert: tryParse(der) })).filter((c) => c.cert !== undefined) as {
    der: Uint8Array; cert: X509Certificate;
  }[];
  const chain: Uint8Array[] = [];
  let current = tryParse(leaf);
  const used = new Set<string>([current?.fingerprint256 ?? '']);
  while (current && chain.length < maxDepth) {
    if (current.checkIssued(current) && current.verify(current.publicKey)) break; // self-signed root
    const subject = current;
    const issuer = parsed.find(({ cert }) => !used.has(cert.fingerprint256) && subject.checkIssued(cert) && subject.verify(cert.publicKey));
    if (!issuer) break;
    used.add(issuer.cert.fingerprint256);
    chain.push(issuer.der);
    current = issuer.cert;
  }
  return chain;
}
