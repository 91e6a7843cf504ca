/**
 * A key source's signature, checked with its certificate's public key before an engine puts it in a document.
 * A token whose key and certificate do not belong together (two keys under one CKA_ID, a badly provisioned token,
 * a certificate replaced since it was read), a driver that signed with another mechanism, or a remote service that
 * signed something else must end in SIGNING_FAILED, not in a file that looks signed and that every verifier rejects.
 * Checked over the data (CMS signed attributes, XML SignedInfo), or for RSA over a bare digest too; node:crypto
 * cannot check ECDSA over a bare digest, so that one alone (hash.sign without CMS) goes unchecked.
 */
import { constants, publicDecrypt, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { KysoError } from './errors.js';
import { nodeHash } from './cms/algorithms.js';
import { digestInfo } from './token/signature-encoding.js';
import type { HashAlgorithm, KeyType } from './signing-key.js';

/** Public keys by certificate (the key sources keep their certificate's bytes while they sign). */
const publicKeys = new WeakMap<Uint8Array, KeyObject>();

function publicKeyOf(certificate: Uint8Array): KeyObject {
  let key = publicKeys.get(certificate);
  if (!key) {
    key = new X509Certificate(certificate).publicKey;
    publicKeys.set(certificate, key);
  }
  return key;
}

/** Throws SIGNING_FAILED (naming `source`) unless `signature` over `data` verifies with `certificate`'s key. */
export function assertSignatureVerifies(
  certificate: Uint8Array, keyType: KeyType, data: Uint8Array, hash: HashAlgorithm, signature: Uint8Array, source: string,
): void {
  let ok: boolean;
  try {
    const key = publicKeyOf(certificate);
    ok = verify(nodeHash(hash), data, keyType === 'EC' ? { key, dsaEncoding: 'der' } : key, signature);
  } catch {
    ok = false; // a signature not even well formed for the key, or a certificate node:crypto cannot read
  }
  if (!ok) throw new KysoError('SIGNING_FAILED', `${source} returned a signature that does not verify with the certificate`);
}

/** Throws SIGNING_FAILED unless the RSA PKCS#1 v1.5 `signature` is over `digest` with `certificate`'s key. */
export function assertRsaDigestSignatureVerifies(certificate: Uint8Array, digest: Uint8Array, hash: HashAlgorithm, signature: Uint8Array, source: string): void {
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key: publicKeyOf(certificate), padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    recovered = Buffer.alloc(0);
  }
  if (!recovered.equals(digestInfo(digest, hash))) throw new KysoError('SIGNING_FAILED', `${source} returned a signature that is not over the digest sent with the certificate's key`);
}
