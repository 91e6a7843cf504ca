/**
 * The raw encodings inside a certificate that CMS must copy byte for byte (issuer Name, serial INTEGER).
 */
import { bytesOf, children, readTlv } from '../der.js';
import { KysoError } from '../errors.js';

export interface CertificateDerFields {
  /** Full INTEGER TLV of the serial number. */
  serial: Uint8Array;
  /** Full Name TLV of the issuer, as encoded by the CA. */
  issuer: Uint8Array;
  subject: Uint8Array;
}

export function certificateDerFields(der: Uint8Array): CertificateDerFields {
  try {
    const cert = readTlv(der, 0);
    const [tbs] = children(der, cert);
    if (!tbs) throw new Error('no tbsCertificate');
    const f = children(der, tbs);
    const offset = f[0]?.tag === 0xa0 ? 1 : 0; // [0] version present in v3 certificates
    const serial = f[offset];
    const issuer = f[offset + 2];
    const subject = f[offset + 4];
    if (!serial || !issuer || !subject) throw new Error('short tbsCertificate');
    return { serial: bytesOf(der, serial), issuer: bytesOf(der, issuer), subject: bytesOf(der, subject) };
  } catch (cause) {
    throw new KysoError('INTERNAL', 'malformed certificate', { cause });
  }
}
