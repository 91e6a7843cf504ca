/**
 * Parses and checks a detached CMS SignedData the way strict (BouncyCastle-based) validators do:
 * signer found by issuer+serial byte match, signed attributes must be DER (sorted), message-digest must
 * match, signature checked over the re-tagged attribute SET. Reports PAdES baseline attribute rules too.
 *
 * The SignerInfo's issuer+serial and the embedded certificates are not covered by the signature: anyone can
 * edit the signer's certificate in place (another name, same key) and the signature value still verifies.
 * So a signature is valid only when it is also bound to that certificate: the signed ESS signing-certificate
 * (v1 SHA-1 or v2) hash, when present, must be the certificate's, and the certificate's own signature must
 * verify with its issuer when that issuer is embedded. A CMS that parses but is malformed inside is reported
 * invalid with a reason; only garbage that is not SignedData at all throws.
 */
import { createHash, createPublicKey, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { bytesOf, children, contentOf, decodeOid, readTlv, setOf, tlv, type Tlv } from '../der.js';
import { KysoError } from '../errors.js';
import { certificateDerFields } from '../cert/der-fields.js';
import { certificateIntegrityProblems } from '../cert/chain.js';
import { NODE_HASH_BY_OID, OID } from './algorithms.js';

export interface CmsSignerCheck {
  /** DER of the signer certificate, when found among the embedded certificates. */
  signerCertificate?: Uint8Array;
  certificates: Uint8Array[];
  digestAlgorithm: string;
  signatureAlgorithm: string;
  contentType?: string;
  messageDigestMatches: boolean;
  signatureValid: boolean;
  /** The signer certificate is readable, with real dates, and not edited since its issuer (when embedded) signed it. */
  signerCertificateIntact: boolean;
  /** Signed attributes are in DER order (sorted SET OF). */
  attributesDer: boolean;
  hasSigningCertificateV2: boolean;
  /** signing-certificate(-v2) hash equals the signer certificate's hash (false when the attribute is absent). */
  signingCertificateMatches: boolean;
  hasSigningTime: boolean;
  signingTime?: Date;
  /** Raw unsigned attributes by OID (e.g. the signature timestamp token). */
  unsignedAttributes: Map<string, Uint8Array[]>;
  signatureValue: Uint8Array;
  problems: string[];
}

/** `signatureValid` means all of these: the value verifies, and binds to this certificate. */
interface Binding { valueVerifies: boolean; essPresent: boolean }

interface ParsedSignerInfo {
  sidIssuer?: Uint8Array;
  sidSerial?: Uint8Array;
  digestOid: string;
  signedAttrs?: { tlv: Tlv; attrs: Map<string, Tlv[]> };
  sigOid: string;
  sigParams?: Tlv;
  signature: Uint8Array;
  unsigned: Map<string, Uint8Array[]>;
}

function attributeMap(buf: Uint8Array, set: Tlv): Map<string, Tlv[]> {
  const map = new Map<string, Tlv[]>();
  for (const attr of children(buf, set)) {
    const [type, values] = children(buf, attr);
    if (!type || !values) continue;
    map.set(decodeOid(buf, type), children(buf, values));
  }
  return map;
}

function parseSignerInfo(buf: Uint8Array, si: Tlv): ParsedSignerInfo {
  const f = children(buf, si);
  let i = 1; // skip version
  const sid = f[i++]!;
  const out: Partial<ParsedSignerInfo> & { unsigned: Map<string, Uint8Array[]> } = { unsigned: new Map() };
  if (sid.tag === 0x30) {
    const [issuer, serial] = children(buf, sid);
    out.sidIssuer = issuer && bytesOf(buf, issuer);
    out.sidSerial = serial && bytesOf(buf, serial);
  }
  out.digestOid = decodeOid(buf, children(buf, f[i++]!)[0]!);
  if (f[i]?.tag === 0xa0) {
    const t = f[i++]!;
    out.signedAttrs = { tlv: t, attrs: attributeMap(buf, t) };
  }
  const sigAlg = children(buf, f[i++]!);
  out.sigOid = decodeOid(buf, sigAlg[0]!);
  if (sigAlg[1]) out.sigParams = sigAlg[1];
  out.signature = contentOf(buf, f[i++]!);
  if (f[i]?.tag === 0xa1) {
    for (const [k, v] of attributeMap(buf, f[i]!)) out.unsigned.set(k, v.map((t) => bytesOf(buf, t)));
  }
  return out as ParsedSignerInfo;
}

function decodeTime(buf: Uint8Array, t: Tlv): Date | undefined {
  const s = new TextDecoder().decode(contentOf(buf, t));
  const m = /^(\d{2,4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?/.exec(s);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (m[1]!.length === 2) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

const equal = (a?: Uint8Array, b?: Uint8Array): boolean => !!a && !!b && Buffer.compare(a, b) === 0;

/** The SignedData inside a ContentInfo, with our error codes for garbage. */
export function parseSignedData(der: Uint8Array): { certificates: Uint8Array[]; signerInfos: ParsedSignerInfo[]; eContentType: string; eContent?: Uint8Array } {
  try {
    const ci = readTlv(der, 0);
    const [type, wrapped] = children(der, ci);
    if (!type || decodeOid(der, type) !== OID.signedData || !wrapped) throw new Error('not SignedData');
    const sd = children(der, children(der, wrapped)[0]!);
    let i = 2; // version, digestAlgorithms
    const encap = children(der, sd[i++]!);
    const eContentType = decodeOid(der, encap[0]!);
    const eContent = encap[1] ? contentOf(der, children(der, encap[1])[0]!) : undefined;
    const certificates: Uint8Array[] = [];
    if (sd[i]?.tag === 0xa0) for (const c of children(der, sd[i++]!)) if (c.tag === 0x30) certificates.push(bytesOf(der, c));
    if (sd[i]?.tag === 0xa1) i++; // CRLs
    const signerInfos = children(der, sd[i]!).map((si) => parseSignerInfo(der, si));
    return { certificates, signerInfos, eContentType, ...(eContent ? { eContent } : {}) };
  } catch (cause) {
    throw new KysoError('SIGNING_FAILED', 'malformed CMS SignedData', { cause });
  }
}

/**
 * Verifies the first SignerInfo. `digestContent(hashName)` returns the digest of the detached content
 * (or of eContent when encapsulated) with the signer's digest algorithm.
 */
export function verifySignedData(der: Uint8Array, digestContent: (nodeHashName: string) => Uint8Array): CmsSignerCheck {
  const parsed = parseSignedData(der);
  const si = parsed.signerInfos[0];
  const problems: string[] = [];
  if (!si) throw new KysoError('SIGNING_FAILED', 'CMS has no SignerInfo');
  if (parsed.signerInfos.length > 1) problems.push('more than one SignerInfo');
  const signerCertificate = parsed.certificates.find((c) => {
    try {
      const f = certificateDerFields(c);
      return equal(f.issuer, si.sidIssuer) && equal(f.serial, si.sidSerial);
    } catch { return false; }
  });
  if (!signerCertificate) problems.push('signer certificate not found by issuer and serial');
  const certificateProblems = signerCertificate ? certificateIntegrityProblems(signerCertificate, parsed.certificates) : [];
  problems.push(...certificateProblems.map((p) => `signer ${p}`));
  const result: CmsSignerCheck = {
    certificates: parsed.certificates,
    digestAlgorithm: si.digestOid,
    signatureAlgorithm: si.sigOid,
    messageDigestMatches: false,
    signatureValid: false,
    signerCertificateIntact: !!signerCertificate && certificateProblems.length === 0,
    attributesDer: true,
    hasSigningCertificateV2: false,
    signingCertificateMatches: false,
    hasSigningTime: false,
    unsignedAttributes: si.unsigned,
    signatureValue: si.signature,
    problems,
    ...(signerCertificate ? { signerCertificate } : {}),
  };
  const binding: Binding = { valueVerifies: false, essPresent: false };
  try {
    checkSignerInfo(der, si, digestContent, result, binding);
  } catch (e) {
    // Parsable DER, nonsense inside (an attribute of the wrong shape): a finding, not a crash.
    problems.push(`CMS malformed: ${(e as Error).message}`);
  }
  result.signatureValid = binding.valueVerifies && result.signerCertificateIntact && (!binding.essPresent || result.signingCertificateMatches);
  if (!binding.valueVerifies) problems.push('signature value does not verify');
  else if (!result.signatureValid) problems.push('signature is not bound to the signer certificate it carries');
  if (!result.messageDigestMatches) problems.push('message digest does not match the content');
  return result;
}

function checkSignerInfo(der: Uint8Array, si: ParsedSignerInfo, digestContent: (nodeHashName: string) => Uint8Array, result: CmsSignerCheck, binding: Binding): void {
  const { problems, signerCertificate } = result;
  const hashName = NODE_HASH_BY_OID[si.digestOid];
  if (!hashName) { problems.push(`unsupported digest ${si.digestOid}`); return; }
  const contentDigest = digestContent(hashName);

  let signedBytes: Uint8Array;
  if (si.signedAttrs) {
    const { tlv: t, attrs } = si.signedAttrs;
    // The signature is over the attributes as a SET: re-tag the bytes as sent (definite length even if the
    // sender used BER), and separately check they are in DER order, as BouncyCastle-based validators require.
    const items = children(der, t).map((a) => bytesOf(der, a));
    const asSet = tlv(0x31, ...items);
    const resorted = setOf(items);
    result.attributesDer = equal(resorted, asSet) && t.end - t.start === asSet.length;
    if (!result.attributesDer) problems.push('signed attributes are not DER-sorted');
    signedBytes = asSet;
    const ct = attrs.get(OID.contentType)?.[0];
    if (ct) result.contentType = decodeOid(der, ct);
    else problems.push('content-type attribute missing');
    const md = attrs.get(OID.messageDigest)?.[0];
    result.messageDigestMatches = !!md && equal(contentOf(der, md), contentDigest);
    if (!md) problems.push('message-digest attribute missing');
    const st = attrs.get(OID.signingTime)?.[0];
    result.hasSigningTime = !!st;
    if (st) { const d = decodeTime(der, st); if (d) result.signingTime = d; }
    const scv2 = attrs.get(OID.signingCertificateV2)?.[0];
    const scv1 = attrs.get(OID.signingCertificate)?.[0];
    result.hasSigningCertificateV2 = !!scv2;
    const sc = scv2 ?? scv1;
    binding.essPresent = !!sc;
    if (sc) {
      // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), ... }; the first names the signer.
      const firstId = children(der, children(der, sc)[0]!)[0]!;
      const idFields = children(der, firstId);
      let hashOid: string = scv2 ? OID.sha256 : OID.sha1;
      let k = 0;
      if (scv2 && idFields[0]?.tag === 0x30) hashOid = decodeOid(der, children(der, idFields[k++]!)[0]!);
      const certHash = contentOf(der, idFields[k]!);
      const h = NODE_HASH_BY_OID[hashOid];
      result.signingCertificateMatches = !!h && !!signerCertificate && equal(createHash(h).update(signerCertificate).digest(), certHash);
      if (!result.signingCertificateMatches) problems.push(`signing-certificate${scv2 ? '-v2' : ''} hash does not match the signer certificate (the certificate was replaced or edited)`);
    }
  } else {
    signedBytes = contentDigest;
    result.messageDigestMatches = true;
  }

  if (!signerCertificate) return;
  try {
    const pub = createPublicKey(new X509Certificate(signerCertificate).toString());
    const params: Parameters<typeof cryptoVerify>[2] =
      si.sigOid === OID.rsaPss ? { key: pub, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: -2 } : pub;
    const sigHash = si.sigOid === OID.rsaEncryption || si.sigOid === OID.rsaPss ? hashName : hashFromSignatureOid(si.sigOid) ?? hashName;
    if (si.signedAttrs) binding.valueVerifies = cryptoVerify(sigHash, signedBytes, params, si.signature);
    else problems.push('SignerInfo without signed attributes is not supported');
  } catch (e) {
    problems.push(`signature check failed: ${(e as Error).message}`);
  }
}

/** node:crypto hash name of an RSA PKCS#1 v1.5 or ECDSA signature algorithm OID. */
export function hashFromSignatureOid(o: string): string | undefined {
  const map: Record<string, string> = {
    [OID.sha256WithRSA]: 'sha256', [OID.sha384WithRSA]: 'sha384', [OID.sha512WithRSA]: 'sha512', [OID.sha1WithRSA]: 'sha1',
    [OID.ecdsaWithSHA256]: 'sha256', [OID.ecdsaWithSHA384]: 'sha384', [OID.ecdsaWithSHA512]: 'sha512',
  };
  return map[o];
}
