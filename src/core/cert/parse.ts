/**
 * Reads what a Vietnamese signing certificate says about its holder.
 * Vietnamese CAs put the citizen ID (CCCD/CMND), tax code (MST) or other identifiers in the subject's UID
 * attribute as `KIND:value`; titles go in T (2.5.4.12); names are UTF8String with diacritics (normalised to NFC here).
 */
import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import type { KeyType } from '../signing-key.js';
import { KysoError } from '../errors.js';
import { children, contentOf, decodeOid, readTlv, type Tlv } from '../der.js';
import { certificateDerFields } from './der-fields.js';

export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

export interface SubjectFields {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  title?: string;
  email?: string;
  locality?: string;
  province?: string;
  country?: string;
  /** Identifiers from UID values such as `CCCD:001190012345`, keyed by kind (CCCD, CMND, MST, HC, …). */
  identifiers: Record<string, string>;
}

export interface CertificateInfo {
  /** SHA-256 of the DER certificate, lowercase hex: stable across sessions and modules. */
  fingerprint: string;
  serialNumber: string;
  subject: SubjectFields;
  issuer: SubjectFields;
  notBefore: Date;
  notAfter: Date;
  keyUsage: KeyUsage[];
  extendedKeyUsage: string[];
  keyType: KeyType;
  keySize: number;
  isCa: boolean;
}

const OID_UID = '0.9.2342.19200300.100.1.1';
const OID_TITLE = '2.5.4.12';
const OID_EMAIL = '1.2.840.113549.1.9.1';

const KEY_USAGE_NAMES: KeyUsage[] = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign',
];

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.6': 'C',
  [OID_TITLE]: 'T', [OID_EMAIL]: 'E', [OID_UID]: 'UID',
};

/** Decodes the directory string types CAs use; BMPString is UTF-16BE, UniversalString UTF-32BE. */
function directoryString(buf: Uint8Array, t: Tlv): string {
  const c = contentOf(buf, t);
  switch (t.tag) {
    case 0x1e: { // BMPString
      let s = '';
      for (let i = 0; i + 1 < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case 0x1c: { // UniversalString
      let s = '';
      for (let i = 0; i + 3 < c.length; i += 4) s += String.fromCodePoint(((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0);
      return s;
    }
    case 0x14: // TeletexString: in practice Latin-1
      return Buffer.from(c).toString('latin1');
    default: // UTF8String, PrintableString, IA5String
      return Buffer.from(c).toString('utf8');
  }
}

/** Attribute values of a DER Name by short name (CN, O, …, UID), in order of appearance. */
export function parseName(nameDer: Uint8Array): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const name = readTlv(nameDer, 0);
  for (const rdn of children(nameDer, name)) {
    for (const atv of children(nameDer, rdn)) {
      const [type, value] = children(nameDer, atv);
      if (!type || !value) continue;
      const id = decodeOid(nameDer, type);
      const key = ATTRIBUTE_NAMES[id] ?? id;
      const list = out.get(key) ?? [];
      list.push(directoryString(nameDer, value).normalize('NFC'));
      out.set(key, list);
    }
  }
  return out;
}

/** KeyUsage BIT STRING bits from the certificate's extensions; undefined when the extension is absent. */
function keyUsageOf(der: Uint8Array): KeyUsage[] | undefined {
  const tbs = children(der, readTlv(der, 0))[0]!;
  const ext = children(der, tbs).find((t) => t.tag === 0xa3);
  if (!ext) return undefined;
  for (const e of children(der, children(der, ext)[0]!)) {
    const f = children(der, e);
    if (!f[0] || decodeOid(der, f[0]) !== '2.5.29.15') continue;
    const bits = contentOf(der, readTlv(der, f[f.length - 1]!.contentStart));
    const usages: KeyUsage[] = [];
    KEY_USAGE_NAMES.forEach((n, i) => {
      if ((bits[1 + (i >> 3)] ?? 0) & (0x80 >> (i & 7))) usages.push(n);
    });
    return usages;
  }
  return undefined;
}

/** `CCCD:0011…`, `CMND:…`, `MST:…`; a UID without a kind is kept under `UID`. */
export function parseIdentifiers(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const v = raw.normalize('NFC').trim();
    const m = /^([A-Za-z][A-Za-z0-9-]*)\s*[:\-]\s*(.+)$/.exec(v);
    if (m?.[1] && m[2]) out[m[1].toUpperCase()] = m[2].trim();
    else if (v) out.UID = v;
  }
  return out;
}

function subjectFields(nameDer: Uint8Array): SubjectFields {
  const attrs = parseName(nameDer);
  const fields: SubjectFields = { identifiers: parseIdentifiers(attrs.get('UID') ?? []) };
  const set = (key: Exclude<keyof SubjectFields, 'identifiers'>, short: string): void => {
    const v = attrs.get(short)?.[0];
    if (v !== undefined) fields[key] = v;
  };
  set('commonName', 'CN');
  set('organization', 'O');
  set('organizationalUnit', 'OU');
  set('title', 'T');
  set('email', 'E');
  set('locality', 'L');
  set('province', 'ST');
  set('country', 'C');
  return fields;
}

export function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Certificates parsed lately, by fingerprint: a batch signs hundreds of documents with one certificate, and
 * OpenSSL's parse costs more than the rest of a small signature's CMS.
 */
const parsed = new Map<string, CertificateInfo>();
const PARSED_KEPT = 64;

export function parseCertificate(der: Uint8Array): CertificateInfo {
  const fp = fingerprint(der);
  const known = parsed.get(fp);
  if (known) return { ...known };
  const info = parseCertificateUncached(der, fp);
  if (parsed.size >= PARSED_KEPT) parsed.clear();
  parsed.set(fp, info);
  return { ...info };
}

function parseCertificateUncached(der: Uint8Array, fp: string): CertificateInfo {
  let node: NodeX509;
  let fields: ReturnType<typeof certificateDerFields>;
  let keyUsage: KeyUsage[] | undefined;
  try {
    node = new NodeX509(der);
    fields = certificateDerFields(der);
    keyUsage = keyUsageOf(der);
  } catch (cause) {
    throw new KysoError('INTERNAL', 'unparseable certificate', { cause });
  }
  const notBefore = new Date(node.validFrom);
  const notAfter = new Date(node.validTo);
  // OpenSSL parses a certificate whose times are nonsense ("Bad time value"): a report must not carry Invalid Date.
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) throw new KysoError('INTERNAL', 'certificate validity dates are not valid times');
  const details = node.publicKey.asymmetricKeyDetails ?? {};
  const keyType: KeyType = node.publicKey.asymmetricKeyType === 'ec' ? 'EC' : 'RSA';
  const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
  const keySize = keyType === 'RSA' ? (details.modulusLength ?? 0) : (curveBits[details.namedCurve ?? ''] ?? 0);
  return {
    fingerprint: fp,
    serialNumber: node.serialNumber.toLowerCase(),
    subject: subjectFields(fields.subject),
    issuer: subjectFields(fields.issuer),
    notBefore,
    notAfter,
    keyUsage: keyUsage ?? [],
    extendedKeyUsage: node.keyUsage ?? [],
    keyType,
    keySize,
    isCa: node.ca,
  };
}

/** A certificate fit for signing documents: not a CA, and key usage (when present) allows signatures. */
export function canSignDocuments(info: CertificateInfo): boolean {
  if (info.isCa) return false;
  if (info.keyUsage.length === 0) return true;
  return info.keyUsage.includes('digitalSignature') || info.keyUsage.includes('nonRepudiation');
}

export function validityState(info: CertificateInfo, at: Date = new Date()): 'valid' | 'expired' | 'not-yet-valid' {
  if (at < info.notBefore) return 'not-yet-valid';
  if (at > info.notAfter) return 'expired';
  return 'valid';
}
