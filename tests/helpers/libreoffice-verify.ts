/**
 * OOXML signatures checked by LibreOffice's own implementation (xmlsecurity over libxmlsec and NSS), headless,
 * through tests/helpers/lo-ooxml.py. One soffice checks a batch of files (starting it takes a second or two).
 *
 * Certificates are checked against a private copy of the fixtures' NSS database (it trusts the test root), so
 * certificateStatus 0 means LibreOffice built the chain to a trusted root.
 *
 * For OOXML LibreOffice always reports `partial: true` ("OOXML intentionally doesn't sign metadata"), so partial
 * says nothing about a signature; coverage is checked by our own verifier.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtures } from './fixtures.js';

const SCRIPT = fileURLToPath(new URL('./lo-ooxml.py', import.meta.url));
/** The system Python: python3-uno is a Debian package, invisible to pyenv or venv interpreters. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface LibreOfficeSignature {
  valid: boolean;
  partial: boolean;
  /** css.security.CertificateValidity flags: 0 = VALID (chain to a trusted root). */
  certificateStatus: number;
  /** Subject as LibreOffice shows it (RFC 2253 style, e.g. `…,CN=NGUYỄN THỊ ÁNH TUYẾT,…`). */
  signer: string;
  /** YYYYMMDD and HHMMSScc as LibreOffice reads the signing time. */
  date: number;
  time: number;
}

export interface LibreOfficeResult {
  file: string;
  signatures: LibreOfficeSignature[];
  error?: string;
}

/**
 * Whether LibreOffice and its Python bridge are installed. It looks, it does not start soffice: a running
 * soffice of another test file would answer `--version` in its place, and a busy one made this check fail,
 * silently skipping the checks. In CI (where .ci/apt-packages.txt installs them) a missing one is an error.
 */
export function libreOfficeAvailable(): boolean {
  const ok = spawnSync(PYTHON, ['-c', 'import uno'], { encoding: 'utf8' }).status === 0
    && spawnSync('sh', ['-c', 'command -v soffice'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI) throw new Error('LibreOffice with python3-uno is required in CI (.ci/apt-packages.txt)');
  return ok;
}

/** Where the test run's LibreOffice checker listens (startLibreOfficeChecker), for the test files it starts. */
const CHECKER_ENV = 'KYSO_LO_CHECKER';

/**
 * Starts the LibreOffice checker of a test run (from vitest's global setup): one soffice, started on the first
 * check, serves every file's checks one at a time instead of a soffice per file (about 4 CPU-s each), with the
 * same private copy of the fixtures' NSS database. Returns its stop; null when LibreOffice is not installed (the
 * checks then skip, or fail in CI). A file that finds no checker starts its own soffice, as before.
 */
export function startLibreOfficeChecker(): (() => Promise<void>) | null {
  if (!libreOfficeAvailable()) return null;
  // Under the system's temp folder: a Unix socket's path must stay short.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-lo-checker-'));
  const socket = path.join(dir, 'checker.sock');
  const child = spawn(PYTHON, [SCRIPT, 'serve', socket], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MOZILLA_CERTIFICATE_FOLDER: privateNss(dir) } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.env[CHECKER_ENV] = socket;
  return async () => {
    delete process.env[CHECKER_ENV];
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
}

/** A private copy of the fixtures' NSS database (it trusts the test root) in `dir`, named as NSS takes it. */
function privateNss(dir: string): string {
  const nss = path.join(dir, 'nss');
  cpSync(fixtures().pki.nssdb.replace(/^sql:/, ''), nss, { recursive: true });
  return `sql:${nss}`;
}

/** Checks each file's signatures with LibreOffice; results in the order of `files`. */
export function libreOfficeVerify(files: readonly string[]): LibreOfficeResult[] {
  const checker = process.env[CHECKER_ENV];
  if (checker && existsSync(checker)) return results(files, spawnSync(PYTHON, [SCRIPT, 'ask', checker, ...files], { encoding: 'utf8', timeout: 300_000 }));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-lo-nss-'));
  try {
    return results(files, spawnSync(PYTHON, [SCRIPT, 'verify', ...files], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, MOZILLA_CERTIFICATE_FOLDER: privateNss(dir) },
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function results(files: readonly string[], r: SpawnSyncReturns<string>): LibreOfficeResult[] {
  if (r.status !== 0) throw new Error(`LibreOffice check failed (${r.status}): ${r.stderr || r.error?.message}`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LibreOfficeResult);
  return files.map((f) => lines.find((x) => x.file === f) ?? { file: f, signatures: [], error: 'no result' });
}

/** Writes the documents to a temporary folder, checks them with LibreOffice, and removes the folder. */
export function libreOfficeVerifyBytes(docs: readonly { name: string; bytes: Uint8Array }[]): LibreOfficeResult[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-lo-check-'));
  try {
    const files = docs.map((d, i) => {
      const f = path.join(dir, `${String(i).padStart(2, '0')}-${d.name}`);
      writeFileSync(f, d.bytes);
      return f;
    });
    return libreOfficeVerify(files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


/**
 * Signs a copy of an OOXML package with LibreOffice itself (a foreign producer for our verifier), using a fixture
 * signer's key imported into a private NSS database.
 */
export function libreOfficeSign(bytes: Uint8Array, signer: 'rsa' | 'ec256' | 'ec384'): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-lo-sign-'));
  try {
    const pki = fixtures().pki;
    const nss = privateNss(dir);
    const p12 = path.join(dir, 'signer.p12');
    const run = (cmd: string, args: string[], env?: NodeJS.ProcessEnv): void => {
      const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...(env ? { env } : {}) });
      if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.error?.message}`);
    };
    run('openssl', ['pkcs12', '-export', '-in', pki.signers[signer].cert, '-inkey', pki.signers[signer].key, '-certfile', pki.subCa,
      '-name', `kyso-${signer}`, '-out', p12, '-passout', 'pass:kyso']);
    run('pk12util', ['-i', p12, '-d', nss, '-W', 'kyso', '-K', '']);
    const src = path.join(dir, 'in.docx');
    const dst = path.join(dir, 'out.docx');
    writeFileSync(src, bytes);
    run(PYTHON, [SCRIPT, 'sign', src, dst], { ...process.env, MOZILLA_CERTIFICATE_FOLDER: nss });
    return new Uint8Array(readFileSync(dst));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
