/** Object identifiers and AlgorithmIdentifier encodings used by our CMS. */
import type { HashAlgorithm, KeyType } from '../signing-key.js';
import { NULL, oid, sequence } from '../der.js';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

export const HASH_OID: Record<HashAlgorithm, string> = { 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 };

/** node:crypto names for digest OIDs we accept when verifying. */
export const NODE_HASH_BY_OID: Record<string, string> = {
  [OID.sha1]: 'sha1', [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512',
};

export const nodeHash = (h: HashAlgorithm): string => h.replace('-', '').toLowerCase();

/** Digest AlgorithmIdentifier without parameters (RFC 5754 §2: absent is preferred). */
export const digestAlgorithm = (h: HashAlgorithm): Uint8Array => sequence(oid(HASH_OID[h]));

export function signatureAlgorithm(keyType: KeyType, h: HashAlgorithm): Uint8Array {
  if (keyType === 'RSA') {
    const o = { 'SHA-256': OID.sha256WithRSA, 'SHA-384': OID.sha384WithRSA, 'SHA-512': OID.sha512WithRSA }[h];
    return sequence(oid(o), NULL);
  }
  return sequence(oid({ 'SHA-256': OID.ecdsaWithSHA256, 'SHA-384': OID.ecdsaWithSHA384, 'SHA-512': OID.ecdsaWithSHA512 }[h]));
}
