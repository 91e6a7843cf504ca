/**
 * Paths to the fixtures that tests/setup/global.ts builds once per run (PKI, SoftHSM tokens, PDF corpus).
 * The manifest is written by the global setup; tests only read it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url));
/** Keys of the loopback TSA/LTV PKIs and a SoftHSM token holding them, made once by the global setup. */
export const TSA_KEYS_DIR = path.join(CACHE_DIR, 'tsa-keys');
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));
export const MANIFEST_PATH = path.join(CACHE_DIR, 'fixtures.json');

export interface SignerFixture {
  /** PEM certificate and PKCS#8 key files. */
  cert: string;
  key: string;
  /** Subject CN as written in the certificate (NFC). */
  cn: string;
  keyType: 'RSA' | 'EC';
  /** Hex CKA_ID of key and certificate objects on the token. */
  id: string;
}

export interface CorpusEntry {
  file: string;
  producer: string;
  features: string[];
  expect: 'sign' | 'DOCUMENT_ENCRYPTED' | 'DOCUMENT_SIGNING_FORBIDDEN' | 'DOCUMENT_CORRUPT';
  /** Signatures already present (all valid) before we sign. */
  priorSignatures: number;
}

export interface Fixtures {
  pki: {
    dir: string;
    rootCa: string;
    subCa: string;
    signers: { rsa: SignerFixture; ec256: SignerFixture; ec384: SignerFixture };
    /** PKCS#12 (password `kyso`) of a signer that is NOT on the token; the corpus pre-signs with it via pdfsig. */
    presignerP12: string;
    /** NSS database (sql:) trusting rootCa, for `pdfsig -nssdir`. */
    nssdb: string;
  };
  softhsm: {
    conf: string;
    module: string;
    tokenLabel: string;
    pin: string;
    soPin: string;
    /** A second token with no certificates, for "which token" and empty-token paths. */
    emptyTokenLabel: string;
  };
  corpus: { dir: string; entries: CorpusEntry[] };
}

/** Set by tests/setup/per-file.ts: this test file's own copy of the SoftHSM tokens. */
export const PER_FILE_CONF_ENV = 'KYSO_TEST_SOFTHSM2_CONF';

// Keyed by the file's own token copy: a worker may run several test files one after another (isolate: false).
let cached: { conf: string | undefined; fixtures: Fixtures } | undefined;
export function fixtures(): Fixtures {
  const own = process.env[PER_FILE_CONF_ENV];
  if (!cached || cached.conf !== own) {
    const f = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Fixtures;
    cached = { conf: own, fixtures: own ? { ...f, softhsm: { ...f.softhsm, conf: own } } : f };
  }
  return cached.fixtures;
}

/** Environment for child processes and pkcs11js so SoftHSM finds the test tokens. */
export function softhsmEnv(): NodeJS.ProcessEnv {
  return { ...process.env, SOFTHSM2_CONF: fixtures().softhsm.conf };
}
