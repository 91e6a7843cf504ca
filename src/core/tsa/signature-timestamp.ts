/**
 * The CAdES/PAdES signature timestamp (RFC 3161 Appendix A, ETSI EN 319 122-1 §5.3): a token over the
 * digest of the SignerInfo's signature value, carried as the unsigned attribute id-aa-signatureTimeStampToken.
 */
import { createHash } from 'node:crypto';
import { oid, sequence, setOf } from '../der.js';
import { OID, nodeHash } from '../cms/algorithms.js';
import type { HashAlgorithm } from '../signing-key.js';
import type { TimestampClient, TimestampToken } from './api.js';

export interface SignatureTimestamp {
  token: TimestampToken;
  /** Encoded Attribute for the SignerInfo's unsignedAttrs. */
  attribute: Uint8Array;
}

export async function timestampSignatureValue(client: TimestampClient, signatureValue: Uint8Array, hash: HashAlgorithm): Promise<SignatureTimestamp> {
  const digest = new Uint8Array(createHash(nodeHash(hash)).update(signatureValue).digest());
  const token = await client.timestamp(digest, hash);
  return { token, attribute: sequence(oid(OID.signatureTimeStampToken), setOf([token.der])) };
}
