/**
 * The XML of an OPC package signature as Microsoft Office writes it ([MS-OFFCRYPTO] 2.5.2, ECMA-376 Part 2 §13):
 *
 *   Signature Id="idPackageSignature"
 *     SignedInfo (C14N, rsa-/ecdsa-shaN) → #idPackageObject, #idOfficeObject, #idSignedProperties
 *     SignatureValue, KeyInfo/X509Data (signer first, then its chain)
 *     Object idPackageObject: Manifest (parts and relationship parts) + SignatureTime
 *     Object idOfficeObject: SignatureInfoV1
 *     Object: xd:QualifyingProperties/xd:SignedProperties (XAdES: SigningTime, SigningCertificate)
 *             and, with a timestamp server, xd:UnsignedProperties/…/xd:SignatureTimeStamp (XAdES-T)
 *
 * Prefixes matter beyond namespaces: LibreOffice's parser (before 7.2) matched `mdssi:Value` and `xd:CertDigest`
 * literally, so the usual prefixes are kept. No whitespace between elements, as Office writes it.
 */
import { NS, OBJECT_TYPE, RELATIONSHIP_TRANSFORM, SIGNED_PROPERTIES_TYPE } from './constants.js';
import { C14N } from './c14n.js';
import { escapeAttr, escapeText } from './xml.js';
import { children, contentOf, decodeOid, readTlv } from '../der.js';

export const PACKAGE_SIGNATURE_ID = 'idPackageSignature';

export interface ManifestReference {
  /** `/word/document.xml?ContentType=…` */
  uri: string;
  /** Set for relationship parts: the relationships signed (RelationshipTransform, then C14N). */
  sourceIds?: readonly string[];
  digest: Uint8Array;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** `2026-11-23T08:15:00Z`: the SignatureTime format Office declares (YYYY-MM-DDThh:mm:ssTZD), no fractions. */
export function signatureTimeString(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function digestElements(digestUri: string, digest: Uint8Array): string {
  return `<DigestMethod Algorithm="${escapeAttr(digestUri)}"></DigestMethod><DigestValue>${b64(digest)}</DigestValue>`;
}

export function packageObject(refs: readonly ManifestReference[], digestUri: string, time: string): string {
  const manifest = refs.map((r) => {
    const transforms = r.sourceIds
      ? `<Transforms><Transform Algorithm="${RELATIONSHIP_TRANSFORM}">${r.sourceIds
        .map((id) => `<mdssi:RelationshipReference xmlns:mdssi="${NS.mdssi}" SourceId="${escapeAttr(id)}"></mdssi:RelationshipReference>`)
        .join('')}</Transform><Transform Algorithm="${C14N}"></Transform></Transforms>`
      : '';
    return `<Reference URI="${escapeAttr(r.uri)}">${transforms}${digestElements(digestUri, r.digest)}</Reference>`;
  }).join('');
  return `<Object Id="idPackageObject"><Manifest>${manifest}</Manifest>`
    + `<SignatureProperties><SignatureProperty Id="idSignatureTime" Target="#${PACKAGE_SIGNATURE_ID}">`
    + `<mdssi:SignatureTime xmlns:mdssi="${NS.mdssi}"><mdssi:Format>YYYY-MM-DDThh:mm:ssTZD</mdssi:Format>`
    + `<mdssi:Value>${escapeText(time)}</mdssi:Value></mdssi:SignatureTime></SignatureProperty></SignatureProperties></Object>`;
}

/** SignatureInfoV1 as Office 2016 writes it for a signature without a signature line (SignatureType 1). */
export function officeObject(comment: string): string {
  const el = (name: string, value = ''): string => `<${name}>${escapeText(value)}</${name}>`;
  return `<Object Id="idOfficeObject"><SignatureProperties><SignatureProperty Id="idOfficeV1Details" Target="#${PACKAGE_SIGNATURE_ID}">`
    + `<SignatureInfoV1 xmlns="${NS.msdigsig}">`
    + el('SetupID') + el('SignatureText') + el('SignatureImage') + el('SignatureComments', comment)
    + el('WindowsVersion', '10.0') + el('OfficeVersion', '16.0') + el('ApplicationVersion', '16.0')
    + el('Monitors', '1') + el('HorizontalResolution', '1920') + el('VerticalResolution', '1080') + el('ColorDepth', '32')
    + el('SignatureProviderId', '{00000000-0000-0000-0000-000000000000}') + el('SignatureProviderUrl')
    + el('SignatureProviderDetails', '9') + el('SignatureType', '1')
    + '</SignatureInfoV1></SignatureProperty></SignatureProperties></Object>';
}

export interface SigningCertificateInfo {
  digestUri: string;
  certDigest: Uint8Array;
  issuerName: string;
  serialNumber: string;
}

/** XAdES-BES SignedProperties (1.3.2), with an implied signature policy as Office writes. */
export function xadesObject(time: string, cert: SigningCertificateInfo): string {
  return `<Object><xd:QualifyingProperties xmlns:xd="${NS.xades}" Target="#${PACKAGE_SIGNATURE_ID}">`
    + '<xd:SignedProperties Id="idSignedProperties"><xd:SignedSignatureProperties>'
    + `<xd:SigningTime>${escapeText(time)}</xd:SigningTime>`
    + '<xd:SigningCertificate><xd:Cert><xd:CertDigest>' + digestElements(cert.digestUri, cert.certDigest) + '</xd:CertDigest>'
    + `<xd:IssuerSerial><X509IssuerName>${escapeText(cert.issuerName)}</X509IssuerName>`
    + `<X509SerialNumber>${escapeText(cert.serialNumber)}</X509SerialNumber></xd:IssuerSerial></xd:Cert></xd:SigningCertificate>`
    + '<xd:SignaturePolicyIdentifier><xd:SignaturePolicyImplied></xd:SignaturePolicyImplied></xd:SignaturePolicyIdentifier>'
    + '</xd:SignedSignatureProperties></xd:SignedProperties></xd:QualifyingProperties></Object>';
}

/** Where the XAdES-T timestamp goes: after SignedProperties, inside QualifyingProperties (unsigned, so added after signing). */
export const SIGNED_PROPERTIES_END = '</xd:SignedProperties></xd:QualifyingProperties>';

/**
 * XAdES SignatureTimeStamp (ETSI EN 319 132-1 §5.3): an RFC 3161 token over the digest of the canonicalised
 * ds:SignatureValue element, as Office writes it when a TSA is configured.
 */
export function unsignedTimestampProperties(token: Uint8Array): string {
  return '<xd:UnsignedProperties><xd:UnsignedSignatureProperties><xd:SignatureTimeStamp Id="idSignatureTimeStamp">'
    + `<CanonicalizationMethod Algorithm="${C14N}"></CanonicalizationMethod>`
    + `<xd:EncapsulatedTimeStamp>${b64(token)}</xd:EncapsulatedTimeStamp>`
    + '</xd:SignatureTimeStamp></xd:UnsignedSignatureProperties></xd:UnsignedProperties>';
}

export function signedInfo(signatureUri: string, digestUri: string, digests: { packageObject: Uint8Array; officeObject: Uint8Array; signedProperties: Uint8Array }): string {
  return '<SignedInfo>'
    + `<CanonicalizationMethod Algorithm="${C14N}"></CanonicalizationMethod>`
    + `<SignatureMethod Algorithm="${escapeAttr(signatureUri)}"></SignatureMethod>`
    + `<Reference Type="${OBJECT_TYPE}" URI="#idPackageObject">${digestElements(digestUri, digests.packageObject)}</Reference>`
    + `<Reference Type="${OBJECT_TYPE}" URI="#idOfficeObject">${digestElements(digestUri, digests.officeObject)}</Reference>`
    + `<Reference Type="${SIGNED_PROPERTIES_TYPE}" URI="#idSignedProperties"><Transforms><Transform Algorithm="${C14N}"></Transform></Transforms>`
    + `${digestElements(digestUri, digests.signedProperties)}</Reference>`
    + '</SignedInfo>';
}

export function keyInfo(certificates: readonly Uint8Array[]): string {
  return `<KeyInfo><X509Data>${certificates.map((c) => `<X509Certificate>${b64(c)}</X509Certificate>`).join('')}</X509Data></KeyInfo>`;
}

export function signatureDocument(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Signature xmlns="${NS.dsig}" Id="${PACKAGE_SIGNATURE_ID}">${inner}</Signature>`;
}

const RFC4514_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C',
  '2.5.4.9': 'STREET', '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
};
const STRING_TAGS = new Set([0x0c, 0x13, 0x16, 0x14, 0x1e, 0x1c]);

function rfc4514Value(s: string): string {
  let v = s.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\u0000/g, '\\00');
  if (v.startsWith('#') || v.startsWith(' ')) v = `\\${v}`;
  if (v.endsWith(' ') && v.length > 1) v = `${v.slice(0, -1)}\\ `;
  return v;
}

function directoryString(tag: number, c: Uint8Array): string {
  if (tag === 0x1e) return Buffer.from(c).swap16().toString('utf16le');
  if (tag === 0x1c) {
    let s = '';
    for (let i = 0; i + 3 < c.length; i += 4) s += String.fromCodePoint(((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0);
    return s;
  }
  if (tag === 0x14) return Buffer.from(c).toString('latin1');
  return Buffer.from(c).toString('utf8');
}

/** A DER Name as an RFC 4514 string (last RDN first), e.g. `CN=Sub CA,O=Kyso Test,C=VN`, for X509IssuerName. */
export function rfc4514(nameDer: Uint8Array): string {
  const name = readTlv(nameDer, 0);
  const rdns = children(nameDer, name).map((rdn) => children(nameDer, rdn).map((atv) => {
    const [type, value] = children(nameDer, atv);
    if (!type || !value) return '';
    const oid = decodeOid(nameDer, type);
    const short = RFC4514_NAMES[oid];
    if (short && STRING_TAGS.has(value.tag)) return `${short}=${rfc4514Value(directoryString(value.tag, contentOf(nameDer, value)))}`;
    return `${oid}=#${Buffer.from(nameDer.subarray(value.start, value.end)).toString('hex')}`;
  }).join('+'));
  return rdns.reverse().join(',');
}

/** A DER INTEGER TLV (certificate serial) as a decimal string. */
export function integerToDecimal(integerTlv: Uint8Array): string {
  const t = readTlv(integerTlv, 0);
  const c = contentOf(integerTlv, t);
  let n = 0n;
  for (const byte of c) n = (n << 8n) | BigInt(byte);
  if (c.length && (c[0]! & 0x80)) n -= 1n << BigInt(8 * c.length);
  return n.toString(10);
}
