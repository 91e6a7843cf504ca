/**
 * Encrypts the strings and streams of the objects we add to an encrypted PDF, as the file's security handler
 * would (ISO 32000-2 §7.6.2, Algorithm 1 and 1.A): RC4 or AES-128-CBC with a per-object key derived from the
 * file key, or AES-256-CBC with the file key itself; AES data is a random 16-byte IV then PKCS#5-padded blocks.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { rc4 } from './rc4.js';

export type CryptMethod = 'identity' | 'rc4' | 'aes-128' | 'aes-256';

export interface ObjectCrypt {
  readonly strings: CryptMethod;
  readonly streams: CryptMethod;
  /** false: /Type /Metadata streams stay in the clear (/EncryptMetadata false). */
  readonly encryptMetadata: boolean;
  encryptString(data: Uint8Array, objectNumber: number, generation: number): Uint8Array;
  encryptStream(data: Uint8Array, objectNumber: number, generation: number): Uint8Array;
  /** The inverse for strings; undefined when the data is not a valid AES ciphertext. */
  decryptString(data: Uint8Array, objectNumber: number, generation: number): Uint8Array | undefined;
}

/** Algorithm 1, steps a–b (R2–R4): MD5 of the file key, object number (3 bytes LE), generation (2 bytes LE) [, "sAlT" for AES]. */
function objectKey(fileKey: Uint8Array, objectNumber: number, generation: number, aes: boolean): Uint8Array {
  const h = createHash('md5').update(fileKey).update(Uint8Array.of(
    objectNumber & 0xff, (objectNumber >> 8) & 0xff, (objectNumber >> 16) & 0xff, generation & 0xff, (generation >> 8) & 0xff,
  ));
  if (aes) h.update('sAlT', 'latin1');
  return new Uint8Array(h.digest()).subarray(0, Math.min(fileKey.length + 5, 16));
}

function aesCbc(key: Uint8Array, data: Uint8Array): Uint8Array {
  const iv = randomBytes(16);
  const cipher = createCipheriv(key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc', key, iv);
  return new Uint8Array(Buffer.concat([iv, cipher.update(data), cipher.final()]));
}

/** AES-CBC decryption of IV + blocks; a trailing partial block is dropped, as readers do. */
function aesCbcDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array | undefined {
  const blocks = data.subarray(16, 16 + Math.floor((data.length - 16) / 16) * 16);
  if (data.length < 16) return undefined;
  try {
    const d = createDecipheriv(key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc', key, data.subarray(0, 16));
    return new Uint8Array(Buffer.concat([d.update(blocks), d.final()]));
  } catch {
    return undefined;
  }
}

function decrypt(method: CryptMethod, fileKey: Uint8Array, data: Uint8Array, num: number, gen: number): Uint8Array | undefined {
  switch (method) {
    case 'identity': return data;
    case 'rc4': return rc4(objectKey(fileKey, num, gen, false), data);
    case 'aes-128': return aesCbcDecrypt(objectKey(fileKey, num, gen, true), data);
    case 'aes-256': return aesCbcDecrypt(fileKey, data);
  }
}

function encrypt(method: CryptMethod, fileKey: Uint8Array, data: Uint8Array, num: number, gen: number): Uint8Array {
  switch (method) {
    case 'identity': return data;
    case 'rc4': return rc4(objectKey(fileKey, num, gen, false), data);
    case 'aes-128': return aesCbc(objectKey(fileKey, num, gen, true), data);
    case 'aes-256': return aesCbc(fileKey, data);
  }
}

export function objectCrypt(fileKey: Uint8Array, strings: CryptMethod, streams: CryptMethod, encryptMetadata: boolean): ObjectCrypt {
  return {
    strings, streams, encryptMetadata,
    encryptString: (data, num, gen) => encrypt(strings, fileKey, data, num, gen),
    encryptStream: (data, num, gen) => encrypt(streams, fileKey, data, num, gen),
    decryptString: (data, num, gen) => decrypt(strings, fileKey, data, num, gen),
  };
}
