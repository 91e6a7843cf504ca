/**
 * The certificate extensions revocation checking and timestamp validation need: where to ask (AIA OCSP,
 * CA issuers, CRL distribution points), what the key is for (extended key usage, with its criticality),
 * and whether an OCSP responder's own certificate is exempt from checking (id-pkix-ocsp-nocheck).
 */
import { children, contentOf, decodeOid, readTlv, type Tlv } from '../der.js';

export const EXT = {
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  crlDistributionPoints: '2.5.29.31',
  extendedKeyUsage: '2.5.29.37',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

export const ACCESS = { ocsp: '1.3.6.1.5.5.7.48.1', caIssuers: '1.3.6.1.5.5.7.48.2' } as const;
export const EKU = { timeStamping: '1.3.6.1.5.5.7.3.8', ocspSigning: '1.3.6.1.5.5.7.3.9' } as const;

export interface Extension {
  critical: boolean;
  /** DER of the extnValue's content (the extension's own encoding). */
  value: Uint8Array;
}

/** Extensions of a DER certificate (or of any TBS structure whose extensions are [3] EXPLICIT), by OID. */
export function certificateExtensions(der: Uint8Array): Map<string, Extension> {
  const out = new Map<string, Extension>();
  const tbs = children(der, readTlv(der, 0))[0];
  if (!tbs) return out;
  const wrapper = children(der, tbs).find((t) => t.tag === 0xa3);
  if (!wrapper) return out;
  for (const e of children(der, children(der, wrapper)[0]!)) {
    const f = children(der, e);
    if (!f[0] || f.length < 2) continue;
    const critical = f.length === 3 && f[1]!.tag === 0x01 && contentOf(der, f[1]!)[0] !== 0;
    out.set(decodeOid(der, f[0]), { critical, value: new Uint8Array(contentOf(der, f[f.length - 1]!)) });
  }
  return out;
}

/** URIs in a GeneralNames list (uniformResourceIdentifier [6] IA5String). */
function uris(buf: Uint8Array, names: Tlv): string[] {
  return children(buf, names).filter((n) => n.tag === 0x86).map((n) => Buffer.from(contentOf(buf, n)).toString('latin1'));
}

const httpOnly = (u: string): boolean => /^https?:\/\//i.test(u);

/** AIA URLs by access method: OCSP responders and CA issuer certificates (HTTP only; LDAP is skipped). */
export function authorityInfoAccess(der: Uint8Array): { ocsp: string[]; caIssuers: string[] } {
  const out = { ocsp: [] as string[], caIssuers: [] as string[] };
  const ext = certificateExtensions(der).get(EXT.authorityInfoAccess);
  if (!ext) return out;
  const v = ext.value;
  for (const ad of children(v, readTlv(v, 0))) {
    const [method, location] = children(v, ad);
    if (!method || !location || location.tag !== 0x86) continue;
    const url = Buffer.from(contentOf(v, location)).toString('latin1');
    if (!httpOnly(url)) continue;
    const m = decodeOid(v, method);
    if (m === ACCESS.ocsp) out.ocsp.push(url);
    else if (m === ACCESS.caIssuers) out.caIssuers.push(url);
  }
  return out;
}

/** HTTP URLs of the certificate's CRL distribution points (fullName only). */
export function crlDistributionPoints(der: Uint8Array): string[] {
  const ext = certificateExtensions(der).get(EXT.crlDistributionPoints);
  if (!ext) return [];
  const v = ext.value;
  const out: string[] = [];
  for (const dp of children(v, readTlv(v, 0))) {
    const name = children(v, dp).find((t) => t.tag === 0xa0); // distributionPoint [0]
    const full = name && children(v, name).find((t) => t.tag === 0xa0); // fullName [0] GeneralNames
    if (full) out.push(...uris(v, full).filter(httpOnly));
  }
  return out;
}

export function extendedKeyUsage(der: Uint8Array): { usages: string[]; critical: boolean } | undefined {
  const ext = certificateExtensions(der).get(EXT.extendedKeyUsage);
  if (!ext) return undefined;
  const v = ext.value;
  return { usages: children(v, readTlv(v, 0)).map((t) => decodeOid(v, t)), critical: ext.critical };
}
