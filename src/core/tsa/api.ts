/**
 * What signing needs from a time-stamping authority, apart from how it is reached (as pyHanko's
 * timestamps/api.py beside its HTTP client): a token over a digest. PAdES B-T, document timestamps and
 * XAdES SignatureTimeStamp all take a TimestampClient; tests and other transports implement it too.
 */
import type { HashAlgorithm } from '../signing-key.js';

/** The fields of an RFC 3161 TSTInfo a caller reports or checks. */
export interface TstInfo {
  policy: string;
  /** OID of the imprint's hash algorithm. */
  hashOid: string;
  imprint: Uint8Array;
  /** Serial number, lowercase hex. */
  serialNumber: string;
  genTime: Date;
  /** Accuracy in milliseconds, when the TSA states it. */
  accuracyMs?: number;
  /** Nonce, lowercase hex without leading zeros. */
  nonce?: string;
}

export interface TimestampToken {
  /** DER ContentInfo (SignedData over a TSTInfo): what goes into the signature or the PDF. */
  der: Uint8Array;
  info: TstInfo;
  /** The TSA's signing certificate, when the token carries it (we always ask for it). */
  tsaCertificate?: Uint8Array;
  /** Every certificate the token carries. */
  certificates: Uint8Array[];
  /** The TSA URL that issued it (without credentials), for reports. */
  source?: string;
}

export interface TimestampClient {
  /**
   * A validated token over `digest` (already computed with `hash`): status granted, imprint and nonce
   * ours, signed by a certificate for time stamping. Throws KysoError TSA_* otherwise.
   */
  timestamp(digest: Uint8Array, hash: HashAlgorithm): Promise<TimestampToken>;
  /** Bytes to reserve for one of this client's tokens; a guess until a token has been seen. */
  expectedTokenSize(): number;
}

/** Reserve for a token before any has been seen: real TSA tokens with their certificate chain run to about 12 KB. */
export const DEFAULT_TOKEN_RESERVE = 12 * 1024;
