/** A checked timestamp token as verification reports it (PDF signature and document timestamps, XAdES-T). */
import { parseCertificate } from '../cert/parse.js';
import type { TokenCheck } from './rfc3161.js';

export interface TimestampReport {
  /** genTime of the token. */
  time: Date;
  /** The TSA certificate's CN. */
  tsa?: string;
  /** The imprint is the digest of what the token covers (signature value, or the ByteRange of a document timestamp). */
  imprintMatches: boolean;
  /** The token's CMS signature verifies with the TSA certificate. */
  signatureValid: boolean;
  problems: string[];
}

export function timestampReport(check: TokenCheck): TimestampReport | undefined {
  if (!check.token) return undefined;
  let tsa: string | undefined;
  try { tsa = check.token.tsaCertificate ? parseCertificate(check.token.tsaCertificate).subject.commonName : undefined; } catch { /* unreadable */ }
  return {
    time: check.token.info.genTime,
    ...(tsa ? { tsa } : {}),
    imprintMatches: check.imprintMatches,
    signatureValid: check.signatureValid,
    problems: check.problems,
  };
}

/**
 * Whether a token leaves the signature intact: the imprint must match, and a token that carries its TSA
 * certificate must verify with it. A token without the certificate is reported, not counted as tampering.
 */
export const timestampIntact = (check: TokenCheck): boolean => check.imprintMatches && (check.signatureValid || !check.token?.tsaCertificate);
