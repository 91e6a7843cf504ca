/**
 * OCSP (RFC 6960) over HTTP POST: a request for one certificate (SHA-1 CertID, which every responder
 * understands, and a nonce), and the checks on the answer: successful, a BasicOCSPResponse signed by the
 * issuer or by a responder the issuer delegated (EKU OCSPSigning), about our certificate, current.
 */
import { createHash, randomBytes } from 'node:crypto';
import { NULL, bytesOf, children, contentOf, decodeOid, decodeTime, explicit, octetString, oid, readTlv, sequence, type Tlv } from '../der.js';
import { certificateDerFields } from '../cert/der-fields.js';
import { OID } from '../cms/algorithms.js';
import { NODE_HASH_BY_OID } from '../cms/algorithms.js';
import { EKU, extendedKeyUsage } from './extensions.js';
import { certificateSerialHex, issuedBy, publicKeyBits, serialHex, signedBy, signedParts } from './x509-parts.js';

const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4)', 'sigRequired', 'unauthorized'];

export type CertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspResult {
  /** The whole OCSPResponse, as it goes into a DSS or an archive. */
  der: Uint8Array;
  status: CertStatus;
  revocationTime?: Date;
  revocationReason?: number;
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Certificates the response carries (a delegated responder's certificate). */
  certificates: Uint8Array[];
  /** The certificate that signed the response (the issuer or its delegated responder). */
  signer: Uint8Array;
}

function certId(cert: Uint8Array, issuer: Uint8Array): Uint8Array {
  const h = (b: Uint8Array): Uint8Array => createHash('sha1').update(b).digest();
  const { issuer: issuerName, serial } = certificateDerFields(cert);
  return sequence(sequence(oid(OID.sha1), NULL), octetString(h(issuerName)), octetString(h(publicKeyBits(issuer))), serial);
}

export function buildOcspRequest(cert: Uint8Array, issuer: Uint8Array, nonce?: Uint8Array): Uint8Array {
  const request = sequence(certId(cert, issuer));
  const extensions = nonce ? [explicit(2, sequence(sequence(oid(OCSP_NONCE), octetString(octetString(nonce)))))] : [];
  return sequence(sequence(sequence(request), ...extensions));
}

interface SingleResponse { tlv: Tlv; hashOid: string; nameHash: Uint8Array; keyHash: Uint8Array; serial: string }

/**
 * Parses and checks an OCSPResponse about `cert` (issued by `issuer`). Throws with the reason when it is
 * not usable; a usable answer may still say `unknown`.
 */
export function checkOcspResponse(der: Uint8Array, cert: Uint8Array, issuer: Uint8Array, opts: { nonce?: Uint8Array; at?: Date; anyTime?: boolean } = {}): OcspResult {
  const top = readTlv(der, 0);
  const [statusT, bytesT] = children(der, top);
  if (!statusT || statusT.tag !== 0x0a) throw new Error('not an OCSPResponse');
  const code = contentOf(der, statusT)[0] ?? 0;
  if (code !== 0) throw new Error(`responder says ${RESPONSE_STATUS[code] ?? code}`);
  if (!bytesT) throw new Error('successful status without responseBytes');
  const [typeT, respT] = children(der, children(der, bytesT)[0]!);
  if (!typeT || decodeOid(der, typeT) !== OCSP_BASIC || !respT) throw new Error('not a BasicOCSPResponse');
  const basic = contentOf(der, respT);
  const basicTop = readTlv(basic, 0);
  const parts = signedParts(basic, basicTop);
  const certsT = children(basic, basicTop).find((t) => t.tag === 0xa0);
  const certificates = certsT ? children(basic, children(basic, certsT)[0]!).map((c) => new Uint8Array(bytesOf(basic, c))) : [];

  // ResponseData ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, responderID, producedAt, responses, responseExtensions [1] EXPLICIT OPTIONAL }
  const tbs = parts.tbs;
  const rd = children(tbs, readTlv(tbs, 0));
  let i = rd[0]?.tag === 0xa0 ? 1 : 0;
  const responderId = rd[i++]!;
  const producedAt = decodeTime(tbs, rd[i++]!);
  const responses = children(tbs, rd[i++]!);
  const extensions = rd[i]?.tag === 0xa1 ? rd[i] : undefined;
  if (!producedAt) throw new Error('bad producedAt');

  // Who signed: the issuer itself, or a responder certificate the issuer issued for OCSP signing.
  const candidates = [issuer, ...certificates.filter((c) => issuedBy(c, issuer) && !!extendedKeyUsage(c)?.usages.includes(EKU.ocspSigning))];
  const signer = candidates.find((c) => matchesResponderId(tbs, responderId, c) && signedBy(parts, c));
  if (!signer) throw new Error('response not signed by the issuer or a responder it authorised');

  if (opts.nonce && extensions) {
    for (const ext of children(tbs, children(tbs, extensions)[0]!)) {
      const f = children(tbs, ext);
      if (decodeOid(tbs, f[0]!) !== OCSP_NONCE) continue;
      const v = contentOf(tbs, f[f.length - 1]!);
      const inner = v[0] === 0x04 ? contentOf(v, readTlv(v, 0)) : v; // RFC 8954 nests an OCTET STRING; some responders do not
      if (Buffer.compare(Buffer.from(inner), Buffer.from(opts.nonce)) !== 0) throw new Error('nonce differs from the request');
    }
  }

  const serial = certificateSerialHex(cert);
  const single = responses.map((r) => parseSingle(tbs, r)).find((s) => {
    const h = NODE_HASH_BY_OID[s.hashOid];
    if (!h || s.serial !== serial) return false;
    const nameHash = createHash(h).update(certificateDerFields(cert).issuer).digest();
    const keyHash = createHash(h).update(publicKeyBits(issuer)).digest();
    return Buffer.compare(nameHash, Buffer.from(s.nameHash)) === 0 && Buffer.compare(keyHash, Buffer.from(s.keyHash)) === 0;
  });
  if (!single) throw new Error('response is about another certificate');
  const f = children(tbs, single.tlv);
  const statusTlv = f[1]!;
  const thisUpdate = decodeTime(tbs, f[2]!);
  const nextT = f.slice(3).find((t) => t.tag === 0xa0);
  const nextUpdate = nextT ? decodeTime(tbs, children(tbs, nextT)[0]!) : undefined;
  if (!thisUpdate) throw new Error('bad thisUpdate');
  const at = opts.at ?? new Date();
  const skew = 5 * 60_000;
  // Archived answers (a DSS read years later) are checked for origin, not for being current.
  if (!opts.anyTime && thisUpdate.getTime() > at.getTime() + skew) throw new Error('response is from the future');
  if (!opts.anyTime && nextUpdate && nextUpdate.getTime() < at.getTime() - skew) throw new Error('response is out of date');

  const result: OcspResult = { der, status: 'unknown', producedAt, thisUpdate, certificates, signer, ...(nextUpdate ? { nextUpdate } : {}) };
  if (statusTlv.tag === 0x80) result.status = 'good';
  else if (statusTlv.tag === 0xa1) {
    result.status = 'revoked';
    const [time, reason] = children(tbs, statusTlv);
    const t = time && decodeTime(tbs, time);
    if (t) result.revocationTime = t;
    if (reason) result.revocationReason = contentOf(tbs, children(tbs, reason)[0]!)[0] ?? 0;
  }
  return result;
}

function parseSingle(buf: Uint8Array, t: Tlv): SingleResponse {
  const [id] = children(buf, t);
  const [alg, nameHash, keyHash, serial] = children(buf, id!);
  return {
    tlv: t,
    hashOid: decodeOid(buf, children(buf, alg!)[0]!),
    nameHash: contentOf(buf, nameHash!),
    keyHash: contentOf(buf, keyHash!),
    serial: serialHex(buf, serial!),
  };
}

/** ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash (SHA-1 of the key bits) }. */
function matchesResponderId(buf: Uint8Array, id: Tlv, cert: Uint8Array): boolean {
  if (id.tag === 0xa1) return Buffer.compare(Buffer.from(bytesOf(buf, children(buf, id)[0]!)), Buffer.from(certificateDerFields(cert).subject)) === 0;
  if (id.tag === 0xa2) {
    const hash = contentOf(buf, children(buf, id)[0]!);
    return Buffer.compare(createHash('sha1').update(publicKeyBits(cert)).digest(), Buffer.from(hash)) === 0;
  }
  return false;
}

export const newNonce = (): Uint8Array => new Uint8Array(randomBytes(16));
