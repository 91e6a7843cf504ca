/**
 * Algorithm identifiers of CSC signatures/signHash (CSC API v2 §5, §11.10), and the conversion of what the service
 * returns into exactly what a PKCS#11 key returns (signing-key.ts): RSA PKCS#1 v1.5 over DigestInfo, EC as a DER
 * ECDSA-Sig-Value — so every engine works unchanged with a remote key.
 */
import { KysoError } from '../errors.js';
import type { HashAlgorithm, KeyType } from '../signing-key.js';
import { ecdsaDerToRaw, ecdsaRawToDer } from '../token/signature-encoding.js';
import { assertRsaDigestSignatureVerifies } from '../signature-check.js';

export const HASH_OID: Record<HashAlgorithm, string> = {
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
};
export const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const RSA_WITH: Record<HashAlgorithm, string> = { 'SHA-256': '1.2.840.113549.1.1.11', 'SHA-384': '1.2.840.113549.1.1.12', 'SHA-512': '1.2.840.113549.1.1.13' };
const ECDSA_WITH: Record<HashAlgorithm, string> = { 'SHA-256': '1.2.840.10045.4.3.2', 'SHA-384': '1.2.840.10045.4.3.3', 'SHA-512': '1.2.840.10045.4.3.4' };
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/**
 * The signAlgo to ask for a `hash` digest with a key that offers `algos` (credentials/info key/algo). RSA prefers
 * rsaEncryption with an explicit hashAlgorithmOID (§11.10: required with that OID), else shaNWithRSAEncryption;
 * ECDSA takes ecdsa-with-SHAn, whose hash is implicit (hashAlgorithmOID then omitted).
 */
export function signAlgorithmFor(keyType: KeyType, algos: readonly string[], hash: HashAlgorithm): { signAlgo: string; hashAlgorithmOID?: string } {
  if (keyType === 'RSA') {
    if (algos.includes(RSA_ENCRYPTION)) return { signAlgo: RSA_ENCRYPTION, hashAlgorithmOID: HASH_OID[hash] };
    if (algos.includes(RSA_WITH[hash])) return { signAlgo: RSA_WITH[hash] };
  } else if (algos.includes(ECDSA_WITH[hash]) || algos.includes(EC_PUBLIC_KEY)) {
    return { signAlgo: ECDSA_WITH[hash] };
  }
  throw new KysoError('SIGNING_FAILED', `the remote key offers none of the ${keyType} algorithms for ${hash} (${algos.join(', ')})`);
}

/**
 * The service's signature value → the SigningKey contract. RSA: checked against the certificate's key and the
 * digest (a signature over another hash would make an invalid document that looks signed). EC: a DER
 * ECDSA-Sig-Value is kept; a raw r||s (services differ on this, §11.10 says only "signed hash") is converted.
 */
export function normalizeSignature(value: Uint8Array, certificate: Uint8Array, keyType: KeyType, keySize: number, digest: Uint8Array, hash: HashAlgorithm): Uint8Array {
  if (keyType === 'RSA') {
    assertRsaDigestSignatureVerifies(certificate, digest, hash, value, 'the remote service');
    return value;
  }
  const size = Math.ceil(keySize / 8);
  if (value[0] === 0x30) {
    try {
      ecdsaDerToRaw(value, size);
      return value;
    } catch { /* not DER: maybe raw below */ }
  }
  if (value.length === 2 * size) return ecdsaRawToDer(value);
  throw new KysoError('SIGNING_FAILED', `the remote service returned an ECDSA signature of ${value.length} bytes for a ${keySize}-bit key`);
}
