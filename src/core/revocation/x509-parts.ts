/**
 * Pieces of certificates and signed structures that OCSP and CRL checking work with: the issuer's public key
 * bits (for OCSP's issuerKeyHash), serial numbers as comparable hex, and checking the signature of a
 * `SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }` (OCSP BasicResponse, CRL) with a certificate's key.
 */
import { X509Certificate, verify as cryptoVerify } from 'node:crypto';
import { bytesOf, children, contentOf, decodeOid, readTlv, type Tlv } from '../der.js';
import { certificateDerFields } from '../cert/der-fields.js';
import { hashFromSignatureOid } from '../cms/verify.js';

/** The subjectPublicKey BIT STRING's bits (without the unused-bits byte), as OCSP hashes them. */
export function publicKeyBits(certificate: Uint8Array): Uint8Array {
  const tbs = children(certificate, readTlv(certificate, 0))[0]!;
  const f = children(certificate, tbs);
  const o = f[0]?.tag === 0xa0 ? 1 : 0;
  const spki = f[o + 5]!;
  const bits = children(certificate, spki)[1]!;
  return contentOf(certificate, bits).subarray(1);
}

/** An INTEGER's magnitude as lowercase hex without leading zeros: comparable across encodings. */
export function serialHex(buf: Uint8Array, t: Tlv): string {
  return Buffer.from(contentOf(buf, t)).toString('hex').replace(/^0+(?=.)/, '');
}

export function certificateSerialHex(certificate: Uint8Array): string {
  const serial = certificateDerFields(certificate).serial;
  return serialHex(serial, readTlv(serial, 0));
}

export interface SignedParts {
  tbs: Uint8Array;
  algorithm: string;
  signature: Uint8Array;
}

/** Splits `SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }`. */
export function signedParts(buf: Uint8Array, outer: Tlv): SignedParts {
  const [tbs, alg, sig] = children(buf, outer);
  if (!tbs || !alg || !sig || sig.tag !== 0x03) throw new Error('not a signed structure');
  return { tbs: bytesOf(buf, tbs), algorithm: decodeOid(buf, children(buf, alg)[0]!), signature: contentOf(buf, sig).subarray(1) };
}

/** Whether `parts` is signed by `signer`'s key (RSA PKCS#1 v1.5 or ECDSA). */
export function signedBy(parts: SignedParts, signer: Uint8Array): boolean {
  const hash = hashFromSignatureOid(parts.algorithm);
  if (!hash) return false;
  try {
    return cryptoVerify(hash, parts.tbs, new X509Certificate(signer).publicKey, parts.signature);
  } catch {
    return false;
  }
}

/** `cert` names `issuer` as issuer and carries its signature. */
export function issuedBy(cert: Uint8Array, issuer: Uint8Array): boolean {
  try {
    const c = new X509Certificate(cert);
    const i = new X509Certificate(issuer);
    return c.checkIssued(i) && c.verify(i.publicKey);
  } catch {
    return false;
  }
}

export function isSelfSigned(cert: Uint8Array): boolean {
  return issuedBy(cert, cert);
}
