/**
 * Revocation data a signer embedded in the CMS itself rather than in a DSS: Adobe's signed attribute
 * adbe-revocationInfoArchival (what Acrobat and iText-based signers write) and the SignedData `crls` field
 * (CRLs, and OCSP responses as OtherRevocationInfoFormat id-ri-ocsp-response, RFC 5940).
 */
import { bytesOf, children, decodeOid, readTlv, type Tlv } from '../der.js';
import { parseSignedData } from '../cms/verify.js';

const ADBE_REVOCATION = '1.2.840.113583.1.1.8';
const RI_OCSP_RESPONSE = '1.3.6.1.5.5.7.16.2';

export interface EmbeddedRevocation { ocsps: Uint8Array[]; crls: Uint8Array[] }

/** The SignedData's `crls` [1] field. */
function signedDataRevocations(der: Uint8Array, out: EmbeddedRevocation): void {
  const [, wrapped] = children(der, readTlv(der, 0));
  if (!wrapped) return;
  const sd = children(der, children(der, wrapped)[0]!);
  const crls = sd.find((t) => t.tag === 0xa1);
  if (!crls) return;
  for (const item of children(der, crls)) {
    if (item.tag === 0x30) out.crls.push(bytesOf(der, item));
    else if (item.tag === 0xa1) {
      const [format, info] = children(der, item);
      if (format && info && decodeOid(der, format) === RI_OCSP_RESPONSE) out.ocsps.push(bytesOf(der, info));
    }
  }
}

/** RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL, ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse, … } */
function adobeArchival(der: Uint8Array, value: Tlv, out: EmbeddedRevocation): void {
  for (const part of children(der, value)) {
    const list = children(der, part)[0];
    if (!list) continue;
    const items = children(der, list).map((t) => bytesOf(der, t));
    if (part.tag === 0xa0) out.crls.push(...items);
    else if (part.tag === 0xa1) out.ocsps.push(...items);
  }
}

/** Everything a signature's CMS carries about revocation; nothing (not an error) when it is unreadable. */
export function embeddedRevocation(contents: Uint8Array): EmbeddedRevocation {
  const out: EmbeddedRevocation = { ocsps: [], crls: [] };
  try {
    signedDataRevocations(contents, out);
    const si = parseSignedData(contents).signerInfos[0];
    const archival = si?.signedAttrs?.attrs.get(ADBE_REVOCATION)?.[0];
    if (archival) adobeArchival(contents, archival, out);
  } catch { /* a CMS we cannot read has no revocation data for us */ }
  return out;
}
