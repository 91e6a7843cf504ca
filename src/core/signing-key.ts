/**
 * The one seam between signing engines (PDF, OOXML, CMS) and whatever holds the key (a PKCS#11 token).
 * Engines build what is to be signed, hash it, and hand over only the digest: the key never leaves the token.
 */

export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type KeyType = 'RSA' | 'EC';

export interface SigningKey {
  /** DER X.509 certificate of the signer. */
  readonly certificate: Uint8Array;
  /** DER certificates of the issuing chain, nearest issuer first (may be empty). */
  readonly chain: readonly Uint8Array[];
  readonly keyType: KeyType;
  /** Key size in bits (RSA modulus, EC field size). */
  readonly keySize: number;
  /**
   * Signs a precomputed digest. RSA: PKCS#1 v1.5 signature over DigestInfo(digest).
   * EC: the DER `ECDSA-Sig-Value` SEQUENCE { r, s } as CMS and XML-DSig callers convert as they need.
   */
  signDigest(digest: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array>;
  /**
   * Signs (small) data such as CMS signed attributes or an XML SignedInfo, hashing with `hash`.
   * Lets the token use a hashing mechanism (CKM_SHA256_RSA_PKCS…) when it lacks the raw one.
   */
  signData(data: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array>;
}
