/**
 * RFC 3161 messages: the TimeStampReq we send (SHA-2 imprint, random nonce, certReq), the TimeStampResp we
 * get, and the checks a token must pass — whether it came back from a TSA just now or sits in a signature we
 * are verifying: the imprint is over what we expect, the nonce is ours, the CMS signature verifies, and the
 * signer's certificate is for time stamping (RFC 3161 §2.3: extended key usage timeStamping, critical).
 */
import { createHash } from 'node:crypto';
import { boolean, bytesOf, children, contentOf, decodeOid, decodeTime, integer, octetString, oid, readTlv, sequence, unsignedInteger, type Tlv } from '../der.js';
import { OID, HASH_OID, NODE_HASH_BY_OID, digestAlgorithm } from '../cms/algorithms.js';
import { parseSignedData, verifySignedData } from '../cms/verify.js';
import { EKU, extendedKeyUsage } from '../revocation/extensions.js';
import type { HashAlgorithm } from '../signing-key.js';
import type { TimestampToken, TstInfo } from './api.js';

export interface TimestampRequestOptions {
  /** Big-endian nonce bytes. */
  nonce?: Uint8Array;
  /** Ask the TSA to include its certificate (default true: validators need it). */
  certReq?: boolean;
  policy?: string;
}

export function buildTimestampRequest(digest: Uint8Array, hash: HashAlgorithm, opts: TimestampRequestOptions = {}): Uint8Array {
  return sequence(
    integer(1),
    sequence(digestAlgorithm(hash), octetString(digest)),
    ...(opts.policy ? [oid(opts.policy)] : []),
    ...(opts.nonce ? [unsignedInteger(opts.nonce)] : []),
    ...(opts.certReq ?? true ? [boolean(true)] : []),
  );
}

export type PkiStatus = 'granted' | 'grantedWithMods' | 'rejection' | 'waiting' | 'revocationWarning' | 'revocationNotification' | 'unknown';
const STATUS: PkiStatus[] = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];
const FAIL_INFO: Record<number, string> = {
  0: 'badAlg', 2: 'badRequest', 5: 'badDataFormat', 14: 'timeNotAvailable', 15: 'unacceptedPolicy',
  16: 'unacceptedExtension', 17: 'addInfoNotAvailable', 25: 'systemFailure',
};

export interface TimestampResponse {
  status: PkiStatus;
  statusText: string[];
  failInfo: string[];
  token?: Uint8Array;
}

/** Parses a TimeStampResp; throws on anything that is not one. */
export function parseTimestampResponse(der: Uint8Array): TimestampResponse {
  const top = readTlv(der, 0);
  if (top.tag !== 0x30 || top.end !== der.length) throw new Error('not a DER SEQUENCE');
  const [statusInfo, token] = children(der, top);
  if (!statusInfo || statusInfo.tag !== 0x30) throw new Error('no PKIStatusInfo');
  const f = children(der, statusInfo);
  if (f[0]?.tag !== 0x02) throw new Error('no PKIStatus');
  const code = intValue(der, f[0]);
  const out: TimestampResponse = { status: STATUS[code] ?? 'unknown', statusText: [], failInfo: [] };
  for (const t of f.slice(1)) {
    if (t.tag === 0x30) out.statusText = children(der, t).map((s) => Buffer.from(contentOf(der, s)).toString('utf8'));
    else if (t.tag === 0x03) {
      const bits = contentOf(der, t);
      for (let i = 0; i < (bits.length - 1) * 8; i++) {
        if ((bits[1 + (i >> 3)] ?? 0) & (0x80 >> (i & 7))) out.failInfo.push(FAIL_INFO[i] ?? `bit${i}`);
      }
    }
  }
  if (token) out.token = new Uint8Array(bytesOf(der, token));
  return out;
}

function intValue(buf: Uint8Array, t: Tlv): number {
  let v = 0;
  for (const b of contentOf(buf, t)) v = v * 256 + b;
  return v;
}

/** Lowercase hex of a magnitude, without leading zeros. */
export const hexMagnitude = (b: Uint8Array): string => Buffer.from(b).toString('hex').replace(/^0+(?=.)/, '') || '0';
const intHex = (buf: Uint8Array, t: Tlv): string => hexMagnitude(contentOf(buf, t));

/** Decodes the TSTInfo of a token's eContent. */
export function parseTstInfo(der: Uint8Array): TstInfo {
  const f = children(der, readTlv(der, 0));
  const policy = f[1];
  const imprint = f[2];
  const serial = f[3];
  const genTime = f[4];
  if (!policy || !imprint || !serial || !genTime || genTime.tag !== 0x18) throw new Error('short TSTInfo');
  const [alg, hashed] = children(der, imprint);
  const time = decodeTime(der, genTime);
  if (!alg || !hashed || !time) throw new Error('bad TSTInfo imprint or time');
  const info: TstInfo = {
    policy: decodeOid(der, policy),
    hashOid: decodeOid(der, children(der, alg)[0]!),
    imprint: new Uint8Array(contentOf(der, hashed)),
    serialNumber: intHex(der, serial),
    genTime: time,
  };
  for (const t of f.slice(5)) {
    if (t.tag === 0x30) { // Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] OPTIONAL, micros [1] OPTIONAL }
      let ms = 0;
      for (const a of children(der, t)) {
        if (a.tag === 0x02) ms += intValue(der, a) * 1000;
        else if (a.tag === 0x80) ms += intValue(der, a);
        else if (a.tag === 0x81) ms += intValue(der, a) / 1000;
      }
      info.accuracyMs = ms;
    } else if (t.tag === 0x02) info.nonce = intHex(der, t);
  }
  return info;
}

export interface TokenCheck {
  token?: TimestampToken;
  /** The CMS signature over the TSTInfo verifies with the embedded TSA certificate. */
  signatureValid: boolean;
  /** The imprint equals the digest of what the token should cover. */
  imprintMatches: boolean;
  /** The TSA certificate carries extended key usage timeStamping (RFC 3161 requires it, critical). */
  timeStampingUsage: boolean;
  /** Each makes the token unusable. */
  problems: string[];
  /** Departures from the standard that validators tolerate (e.g. a non-critical timeStamping usage). */
  warnings: string[];
}

/**
 * Checks a TimeStampToken (DER ContentInfo). `digestWith(hashName)`: the digest the imprint must equal, computed
 * with the token's own imprint algorithm (verifying); or `digest`: the exact digest and algorithm we asked for.
 */
export function checkTimestampToken(
  der: Uint8Array,
  expect: { digestWith?: (nodeHashName: string) => Uint8Array; digest?: { value: Uint8Array; hash: HashAlgorithm }; nonce?: Uint8Array },
): TokenCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const result: TokenCheck = { signatureValid: false, imprintMatches: false, timeStampingUsage: false, problems, warnings };
  let parsed: ReturnType<typeof parseSignedData>;
  let info: TstInfo;
  try {
    parsed = parseSignedData(der);
    if (parsed.eContentType !== OID.tstInfo || !parsed.eContent) throw new Error(`content type ${parsed.eContentType}, not TSTInfo`);
    info = parseTstInfo(parsed.eContent);
  } catch (e) {
    problems.push(`timestamp token unreadable: ${(e as Error).message}`);
    return result;
  }
  const eContent = parsed.eContent;
  const cms = verifySignedData(der, (h) => createHash(h).update(eContent).digest());
  problems.push(...cms.problems.map((p) => `timestamp token: ${p}`));
  result.signatureValid = cms.signatureValid && cms.messageDigestMatches;
  if (cms.contentType && cms.contentType !== OID.tstInfo) problems.push('timestamp token: content-type attribute is not TSTInfo');

  const hashName = NODE_HASH_BY_OID[info.hashOid];
  if (!hashName) problems.push(`timestamp imprint uses unsupported hash ${info.hashOid}`);
  else if (expect.digest) {
    result.imprintMatches = info.hashOid === HASH_OID[expect.digest.hash] && Buffer.compare(Buffer.from(info.imprint), Buffer.from(expect.digest.value)) === 0;
  } else if (expect.digestWith) {
    result.imprintMatches = Buffer.compare(Buffer.from(expect.digestWith(hashName)), Buffer.from(info.imprint)) === 0;
  }
  if (!result.imprintMatches) problems.push('timestamp imprint does not match what it should cover');

  if (expect.nonce) {
    if (info.nonce !== hexMagnitude(expect.nonce)) problems.push(info.nonce ? 'timestamp nonce differs from the request' : 'timestamp has no nonce');
  }
  if (cms.signerCertificate) {
    const eku = extendedKeyUsage(cms.signerCertificate);
    result.timeStampingUsage = !!eku?.usages.includes(EKU.timeStamping);
    if (!result.timeStampingUsage) problems.push('TSA certificate lacks extended key usage timeStamping');
    else if (!eku!.critical) warnings.push('TSA certificate extended key usage is not critical (RFC 3161 §2.3)');
  }
  result.token = {
    der,
    info,
    certificates: parsed.certificates,
    ...(cms.signerCertificate ? { tsaCertificate: cms.signerCertificate } : {}),
  };
  return result;
}

