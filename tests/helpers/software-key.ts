/**
 * A SigningKey over node:crypto with a PEM key and certificate, for developing and testing signing engines without
 * a token. It honours the SigningKey contract exactly (RSA: PKCS#1 v1.5 over DigestInfo; EC: DER ECDSA-Sig-Value),
 * so an engine that works with it works with the token.
 *
 * Node cannot sign a precomputed digest with ECDSA (crypto.sign always hashes), so EC signDigest is done here
 * with BigInt arithmetic on the NIST curves. Test use only: not constant time.
 */
import { createHash, createPrivateKey, privateEncrypt, randomBytes, sign, X509Certificate, constants, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HashAlgorithm, SigningKey } from '../../src/core/signing-key.js';
import { digestInfo, ecdsaRawToDer } from '../../src/core/token/signature-encoding.js';
import { fixtures } from './fixtures.js';

export type SignerName = 'rsa' | 'ec256' | 'ec384';
/** How a test gets the key of a fixture signer: software (this file) or the SoftHSM token (helpers/token.ts). */
export type KeyFactory = (signer: SignerName) => Promise<SigningKey>;

const NODE_HASH: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

interface Curve { p: bigint; a: bigint; n: bigint; gx: bigint; gy: bigint; bits: number }
const CURVES: Record<string, Curve> = {
  prime256v1: {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    bits: 256,
  },
  secp384r1: {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    bits: 384,
  },
};

const mod = (x: bigint, m: bigint): bigint => ((x % m) + m) % m;
function inv(x: bigint, m: bigint): bigint {
  let [a, b, u, v] = [mod(x, m), m, 1n, 0n];
  while (b) {
    const q = a / b;
    [a, b, u, v] = [b, a - q * b, v, u - q * v];
  }
  return mod(u, m);
}
type Point = { x: bigint; y: bigint } | null;
function add(c: Curve, P: Point, Q: Point): Point {
  if (!P) return Q;
  if (!Q) return P;
  if (P.x === Q.x && mod(P.y + Q.y, c.p) === 0n) return null;
  const l = P.x === Q.x && P.y === Q.y
    ? mod((3n * P.x * P.x + c.a) * inv(2n * P.y, c.p), c.p)
    : mod((Q.y - P.y) * inv(Q.x - P.x, c.p), c.p);
  const x = mod(l * l - P.x - Q.x, c.p);
  return { x, y: mod(l * (P.x - x) - P.y, c.p) };
}
function mul(c: Curve, k: bigint, P: Point): Point {
  let R: Point = null;
  for (let Q = P; k > 0n; k >>= 1n, Q = add(c, Q, Q)) if (k & 1n) R = add(c, R, Q);
  return R;
}
const big = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
function fixed(x: bigint, size: number): Buffer {
  return Buffer.from(x.toString(16).padStart(size * 2, '0'), 'hex');
}

function ecdsaSignDigest(key: KeyObject, curve: Curve, digest: Uint8Array): Uint8Array {
  const d = big(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'));
  const size = Math.ceil(curve.bits / 8);
  let z = big(digest);
  const excess = digest.length * 8 - curve.bits;
  if (excess > 0) z >>= BigInt(excess);
  for (;;) {
    const k = mod(big(randomBytes(size + 8)), curve.n - 1n) + 1n;
    const R = mul(curve, k, { x: curve.gx, y: curve.gy })!;
    const r = mod(R.x, curve.n);
    const s = mod(inv(k, curve.n) * (z + r * d), curve.n);
    if (r !== 0n && s !== 0n) return ecdsaRawToDer(Buffer.concat([fixed(r, size), fixed(s, size)]));
  }
}

function pemBlocks(pem: string): Uint8Array[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(new X509Certificate(m[0]).raw));
}

export function softwareKey(certPem: string, keyPem: string, chainPems: readonly string[] = []): SigningKey {
  const key = createPrivateKey(keyPem);
  const certificate = pemBlocks(certPem)[0];
  if (!certificate) throw new Error('no certificate in PEM');
  const chain = chainPems.flatMap(pemBlocks);
  const isEc = key.asymmetricKeyType === 'ec';
  const curveName = key.asymmetricKeyDetails?.namedCurve ?? '';
  const curve = CURVES[curveName];
  if (isEc && !curve) throw new Error(`curve ${curveName} not supported by the software key`);
  return {
    certificate,
    chain,
    keyType: isEc ? 'EC' : 'RSA',
    keySize: isEc ? curve!.bits : key.asymmetricKeyDetails?.modulusLength ?? 0,
    async signDigest(digest, hash) {
      if (isEc) return ecdsaSignDigest(key, curve!, digest);
      return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo(digest, hash)));
    },
    async signData(data, hash) {
      return new Uint8Array(sign(NODE_HASH[hash], data, isEc ? { key, dsaEncoding: 'der' } : key));
    },
  };
}

/** The software key of a fixture signer (PEM files made by the global setup), with its chain: sub CA, root. */
export function fixtureSoftwareKey(signer: SignerName): SigningKey {
  const pki = fixtures().pki;
  const s = pki.signers[signer];
  return softwareKey(readFileSync(s.cert, 'utf8'), readFileSync(s.key, 'utf8'), [readFileSync(pki.subCa, 'utf8'), readFileSync(pki.rootCa, 'utf8')]);
}

export const softwareKeys: KeyFactory = async (signer) => fixtureSoftwareKey(signer);

/** Digest helper for tests of signDigest. */
export function digestOf(data: Uint8Array, hash: HashAlgorithm): Uint8Array {
  return new Uint8Array(createHash(NODE_HASH[hash]).update(data).digest());
}
