/**
 * The standard security handler's file key for the EMPTY user password (ISO 32000-2 §7.6.4): what every reader
 * computes to open an owner-password-only PDF without asking anything. Algorithm 2 (R2–R4, MD5/RC4) checked
 * with Algorithms 4/5 against /U; Algorithm 2.A (R5, SHA-256; R6, the Algorithm 2.B hash) checked against /U
 * and unwrapping /UE. Returns undefined when the empty password is not the user password.
 */
import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { rc4 } from './rc4.js';

/** The /Encrypt entries the key depends on (strings as stored in the file, i.e. never decrypted). */
export interface StandardEncryption {
  revision: number;
  /** Key length in bytes for R2–R4 (5 for R2). */
  keyLength: number;
  owner: Uint8Array;
  user: Uint8Array;
  userKey?: Uint8Array;
  permissions: number;
  encryptMetadata: boolean;
  /** First element of the trailer's /ID. */
  id0: Uint8Array;
}

/** Algorithm 2, step a: the password padding string. */
const PAD = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08,
  0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

const md5 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);

function uint32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** Algorithm 2 with the empty password (which pads to PAD itself). */
function legacyFileKey(e: StandardEncryption): Uint8Array {
  const n = e.revision === 2 ? 5 : e.keyLength;
  const parts = [PAD, e.owner.subarray(0, 32), uint32le(e.permissions), e.id0];
  if (e.revision >= 4 && !e.encryptMetadata) parts.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
  let key = md5(...parts);
  if (e.revision >= 3) for (let i = 0; i < 50; i++) key = md5(key.subarray(0, n));
  return key.slice(0, n);
}

/** Algorithms 4 (R2) and 5 (R3–R4): the /U this key would give; R3+ compares the first 16 bytes. */
function legacyUserValueMatches(e: StandardEncryption, key: Uint8Array): boolean {
  if (e.revision === 2) return equal(rc4(key, PAD), e.user.subarray(0, 32));
  let x = rc4(key, md5(PAD, e.id0));
  for (let i = 1; i <= 19; i++) x = rc4(key.map((b) => b ^ i), x);
  return equal(x, e.user.subarray(0, 16));
}

/** Algorithm 2.B (R6): the iterated SHA-256/384/512 hash, for the user password (no /U data mixed in). */
function hardenedHash(password: Uint8Array, salt: Uint8Array): Uint8Array {
  let k = new Uint8Array(createHash('sha256').update(password).update(salt).digest());
  let e = new Uint8Array(0);
  for (let round = 0; round < 64 || e[e.length - 1]! > round - 32; round++) {
    const block = Buffer.concat([password, k]);
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => block));
    const cipher = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32)).setAutoPadding(false);
    e = new Uint8Array(Buffer.concat([cipher.update(k1), cipher.final()]));
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += e[i]!;
    k = new Uint8Array(createHash(['sha256', 'sha384', 'sha512'][sum % 3]!).update(e).digest());
  }
  return k.slice(0, 32);
}

/** Algorithm 2.A with the empty password: validate against /U, then unwrap /UE with the intermediate key. */
function aes256FileKey(e: StandardEncryption): Uint8Array | undefined {
  if (e.user.length < 48 || !e.userKey || e.userKey.length < 32) return undefined;
  const empty = new Uint8Array(0);
  const hash = (salt: Uint8Array): Uint8Array => e.revision >= 6
    ? hardenedHash(empty, salt)
    : new Uint8Array(createHash('sha256').update(salt).digest());
  if (!equal(hash(e.user.subarray(32, 40)), e.user.subarray(0, 32))) return undefined;
  const decipher = createDecipheriv('aes-256-cbc', hash(e.user.subarray(40, 48)), new Uint8Array(16)).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([decipher.update(e.userKey.subarray(0, 32)), decipher.final()]));
}

export function emptyUserPasswordKey(e: StandardEncryption): Uint8Array | undefined {
  if (e.revision >= 5) return aes256FileKey(e);
  const key = legacyFileKey(e);
  return legacyUserValueMatches(e, key) ? key : undefined;
}
