/**
 * Orders a signer's issuing chain from a pool of certificates (those stored on the token, or embedded in a CMS),
 * and tells a certificate edited after its CA signed it (a forgery) from one merely without a known issuer.
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

/**
 * What is wrong with the certificate itself, whoever trusts it: unreadable, validity dates that are not times,
 * or a signature that no issuer in `pool` (nor itself, when self-issued) verifies although one is named there.
 * An issuer absent from the pool is not a problem here: that is a trust question, not a forgery.
 */
export function certificateIntegrityProblems(der: Uint8Array, pool: readonly Uint8Array[]): string[] {
  const cert = tryParse(der);
  if (!cert) return ['certificate unreadable'];
  const problems: string[] = [];
  if (Number.isNaN(Date.parse(cert.validFrom)) || Number.isNaN(Date.parse(cert.validTo))) problems.push('certificate validity dates are not valid times');
  const candidates = [cert, ...pool.map(tryParse).filter((c): c is X509Certificate => c !== undefined)].filter((c) => cert.checkIssued(c));
  if (candidates.length > 0 && !candidates.some((c) => verifies(cert, c))) {
    problems.push("certificate's own signature does not verify with its issuer (edited after it was issued)");
  }
  return problems;
}

function verifies(cert: X509Certificate, issuer: X509Certificate): boolean {
  try { return cert.verify(issuer.publicKey); } catch { return false; }
}
