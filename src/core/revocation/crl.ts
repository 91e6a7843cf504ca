/**
 * X.509 CRLs (RFC 5280 §5): parsed, checked against the certificate's issuer (same issuer name, signature
 * by the issuer's key, current), and searched for a serial number.
 */
import { bytesOf, children, contentOf, decodeOid, decodeTime, readTlv } from '../der.js';
import { certificateDerFields } from '../cert/der-fields.js';
import { serialHex, signedBy, signedParts } from './x509-parts.js';

export interface RevokedEntry { date?: Date; reason?: number }

export interface ParsedCrl {
  der: Uint8Array;
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: Map<string, RevokedEntry>;
  signatureBy(issuerCert: Uint8Array): boolean;
}

const REASON_CODE = '2.5.29.21';

/** Accepts DER, or PEM (`-----BEGIN X509 CRL-----`) as some CAs serve it. */
export function parseCrl(input: Uint8Array): ParsedCrl {
  let der = input;
  const head = Buffer.from(input.subarray(0, 64)).toString('latin1');
  if (head.includes('-----BEGIN')) {
    const b64 = Buffer.from(input).toString('latin1').replace(/-----[^-]+-----|\s/g, '');
    der = new Uint8Array(Buffer.from(b64, 'base64'));
  }
  const top = readTlv(der, 0);
  const parts = signedParts(der, top);
  const tbsBuf = parts.tbs;
  const f = children(tbsBuf, readTlv(tbsBuf, 0));
  let i = f[0]?.tag === 0x02 ? 1 : 0; // version
  i++; // signature algorithm
  const issuer = bytesOf(tbsBuf, f[i++]!);
  const thisUpdate = decodeTime(tbsBuf, f[i++]!);
  if (!thisUpdate) throw new Error('bad thisUpdate');
  let nextUpdate: Date | undefined;
  if (f[i] && (f[i]!.tag === 0x17 || f[i]!.tag === 0x18)) nextUpdate = decodeTime(tbsBuf, f[i++]!);
  const revoked = new Map<string, RevokedEntry>();
  if (f[i]?.tag === 0x30) {
    for (const entry of children(tbsBuf, f[i]!)) {
      const e = children(tbsBuf, entry);
      const item: RevokedEntry = {};
      const d = e[1] && decodeTime(tbsBuf, e[1]);
      if (d) item.date = d;
      if (e[2]) {
        for (const ext of children(tbsBuf, e[2])) {
          const x = children(tbsBuf, ext);
          if (decodeOid(tbsBuf, x[0]!) !== REASON_CODE) continue;
          const v = contentOf(tbsBuf, x[x.length - 1]!);
          item.reason = contentOf(v, readTlv(v, 0))[0] ?? 0;
        }
      }
      revoked.set(serialHex(tbsBuf, e[0]!), item);
    }
  }
  return {
    der: new Uint8Array(der),
    issuer: new Uint8Array(issuer),
    thisUpdate,
    ...(nextUpdate ? { nextUpdate } : {}),
    revoked,
    signatureBy: (issuerCert) => signedBy(parts, issuerCert),
  };
}

/** Throws with the reason when the CRL cannot speak for `cert` (wrong issuer, bad signature, out of date). */
export function checkCrlFor(crl: ParsedCrl, cert: Uint8Array, issuer: Uint8Array, at: Date | 'any-time' = new Date()): void {
  if (Buffer.compare(Buffer.from(crl.issuer), Buffer.from(certificateDerFields(cert).issuer)) !== 0) throw new Error('CRL is from another issuer');
  if (!crl.signatureBy(issuer)) throw new Error('CRL signature does not verify with the issuer key');
  if (at === 'any-time') return;
  const skew = 5 * 60_000;
  if (crl.thisUpdate.getTime() > at.getTime() + skew) throw new Error('CRL is from the future');
  if (crl.nextUpdate && crl.nextUpdate.getTime() < at.getTime() - skew) throw new Error('CRL is out of date');
}
