/**
 * Encodings around the raw PKCS#11 mechanisms: CKM_RSA_PKCS signs a caller-built DigestInfo,
 * CKM_ECDSA returns r||s which CMS and XML-DSig callers need as DER.
 */
import { KysoError } from '../errors.js';
import type { HashAlgorithm } from '../signing-key.js';

/** DER prefixes of DigestInfo { AlgorithmIdentifier(hash, NULL), OCTET STRING } (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: Record<HashAlgorithm, string> = {
  'SHA-256': '3031300d060960864801650304020105000420',
  'SHA-384': '3041300d060960864801650304020205000430',
  'SHA-512': '3051300d060960864801650304020305000440',
};
const DIGEST_LENGTH: Record<HashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

export function digestInfo(digest: Uint8Array, hash: HashAlgorithm): Buffer {
  if (digest.length !== DIGEST_LENGTH[hash]) throw new KysoError('BAD_REQUEST', `${hash} digest must be ${DIGEST_LENGTH[hash]} bytes`);
  return Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[hash], 'hex'), digest]);
}

function derInteger(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let v = Buffer.from(bytes.subarray(i));
  if ((v[0] ?? 0) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02]), derLength(v.length), v]);
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

/** r||s (each half the length) → ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new KysoError('SIGNING_FAILED', `ECDSA signature of odd length ${raw.length}`);
  const half = raw.length / 2;
  const body = Buffer.concat([derInteger(raw.subarray(0, half)), derInteger(raw.subarray(half))]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]));
}

/** ECDSA-Sig-Value DER → r||s with each integer left-padded to `size` bytes (XML-DSig, JWS). */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array {
  const b = Buffer.from(der);
  let p = 0;
  const readLen = (): number => {
    const first = b[p++] ?? 0;
    if (first < 0x80) return first;
    let n = 0;
    for (let k = 0; k < (first & 0x7f); k++) n = (n << 8) | (b[p++] ?? 0);
    return n;
  };
  if (b[p++] !== 0x30) throw new KysoError('SIGNING_FAILED', 'ECDSA signature is not a SEQUENCE');
  readLen();
  const ints: Buffer[] = [];
  for (let k = 0; k < 2; k++) {
    if (b[p++] !== 0x02) throw new KysoError('SIGNING_FAILED', 'ECDSA signature integer expected');
    const len = readLen();
    let v = b.subarray(p, p + len);
    p += len;
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw new KysoError('SIGNING_FAILED', 'ECDSA integer longer than the curve');
    ints.push(Buffer.concat([Buffer.alloc(size - v.length), v]));
  }
  return new Uint8Array(Buffer.concat(ints));
}
