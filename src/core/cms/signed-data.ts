/**
 * CAdES/PAdES baseline CMS SignedData, detached, signed through a SigningKey.
 * Signed attributes: content-type, message-digest, ESS signing-certificate-v2 — and deliberately no
 * signing-time (PAdES puts the claimed time in the signature dictionary's /M).
 */
import { createHash } from 'node:crypto';
import type { HashAlgorithm, SigningKey } from '../signing-key.js';
import { certificateDerFields } from '../cert/der-fields.js';
import {
  explicit, generalizedTime, integer, octetString, oid, retag, sequence, setOf, tlv,
} from '../der.js';
import { OID, digestAlgorithm, nodeHash, signatureAlgorithm } from './algorithms.js';

export interface SignedDataOptions {
  /** Digest of the signed content (the PDF byte ranges), computed with `hash`. */
  contentDigest: Uint8Array;
  hash: HashAlgorithm;
  /** Adds a CMS signing-time attribute: CAdES-only callers; PAdES must leave it off. */
  signingTime?: Date;
  /** Unsigned attributes computed from the signature value (e.g. a timestamp token); encoded Attribute TLVs. */
  unsignedAttributes?: (signatureValue: Uint8Array) => Promise<Uint8Array[]>;
}

export interface SignedDataResult {
  /** DER ContentInfo. */
  der: Uint8Array;
  signatureValue: Uint8Array;
}

const attribute = (type: string, ...values: Uint8Array[]): Uint8Array => sequence(oid(type), setOf(values));

/** ESS SigningCertificateV2 (RFC 5035) with the issuer Name copied verbatim. hashAlgorithm omitted when SHA-256 (DEFAULT). */
function signingCertificateV2(certificate: Uint8Array, hash: HashAlgorithm): Uint8Array {
  const { issuer, serial } = certificateDerFields(certificate);
  const certHash = createHash(nodeHash(hash)).update(certificate).digest();
  const issuerSerial = sequence(sequence(explicit(4, issuer)), serial);
  const essCertId = hash === 'SHA-256'
    ? sequence(octetString(certHash), issuerSerial)
    : sequence(digestAlgorithm(hash), octetString(certHash), issuerSerial);
  return sequence(sequence(essCertId));
}

export function signedAttributes(key: SigningKey, opts: SignedDataOptions): Uint8Array[] {
  const attrs = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(opts.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(key.certificate, opts.hash)),
  ];
  if (opts.signingTime) attrs.push(attribute(OID.signingTime, utcOrGeneralized(opts.signingTime)));
  return attrs;
}

function utcOrGeneralized(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  if (y < 1950 || y >= 2050) return generalizedTime(d);
  const s = d.toISOString().slice(2).replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
  return tlv(0x17, new TextEncoder().encode(s));
}

export async function buildSignedData(key: SigningKey, opts: SignedDataOptions): Promise<SignedDataResult> {
  const { issuer, serial } = certificateDerFields(key.certificate);
  const attrsSet = setOf(signedAttributes(key, opts)); // DER: sorted, tagged SET for hashing
  const signatureValue = await key.signData(attrsSet, opts.hash);
  const unsigned = opts.unsignedAttributes ? await opts.unsignedAttributes(signatureValue) : [];

  const signerInfo = sequence(
    integer(1),
    sequence(issuer, serial),
    digestAlgorithm(opts.hash),
    retag(attrsSet, 0xa0),
    signatureAlgorithm(key.keyType, opts.hash),
    octetString(signatureValue),
    ...(unsigned.length ? [retag(setOf(unsigned), 0xa1)] : []),
  );
  const certificates = retag(setOf([key.certificate, ...key.chain]), 0xa0);
  const signedData = sequence(
    integer(1),
    setOf([digestAlgorithm(opts.hash)]),
    sequence(oid(OID.data)),
    certificates,
    setOf([signerInfo]),
  );
  return { der: sequence(oid(OID.signedData), explicit(0, signedData)), signatureValue };
}
