/**
 * Independent verifiers we did not write: poppler's pdfsig, qpdf --check, and OpenSSL's CMS verifier.
 * Each returns parsed facts so tests assert on them, and the raw output for failure messages.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixtures } from './fixtures.js';

export interface PdfsigSignature {
  fieldName?: string;
  signerCommonName?: string;
  valid: boolean;
  trusted: boolean;
  totalDocumentSigned: boolean;
  validation: string;
}

export interface PdfsigResult { signatures: PdfsigSignature[]; output: string; status: number | null }

function run(cmd: string, args: string[], input?: Uint8Array): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function withTempFile<T>(bytes: Uint8Array, name: string, fn: (file: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-test-'));
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  try { return fn(file); } finally { rmSync(dir, { recursive: true, force: true }); }
}

export function pdfsig(file: string): PdfsigResult {
  const r = run('pdfsig', ['-nssdir', fixtures().pki.nssdb, file]);
  const output = r.stdout + r.stderr;
  const signatures: PdfsigSignature[] = [];
  for (const block of output.split(/^Signature #\d+:$/m).slice(1)) {
    const field = /Signature Field Name: (.*)/.exec(block)?.[1]?.trim();
    const cn = /Signer Certificate Common Name: (.*)/.exec(block)?.[1]?.trim();
    const validation = /Signature Validation: (.*)/.exec(block)?.[1]?.trim() ?? '';
    signatures.push({
      ...(field ? { fieldName: field } : {}),
      ...(cn ? { signerCommonName: cn } : {}),
      valid: validation === 'Signature is Valid.',
      trusted: /Certificate Validation: Certificate is Trusted\./.test(block),
      totalDocumentSigned: /Total document signed/.test(block),
      validation,
    });
  }
  return { signatures, output, status: r.status };
}

/** qpdf --check: exit 0 clean, 3 warnings only, 2 errors. */
export function qpdfCheck(file: string): { status: number | null; output: string } {
  const r = run('qpdf', ['--check', file]);
  return { status: r.status, output: r.stdout + r.stderr };
}

/** `openssl cms -verify` of a detached CMS over `content`, chain to the fixture root. */
export function opensslCmsVerify(cms: Uint8Array, content: Uint8Array): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cms-'));
  try {
    writeFileSync(path.join(dir, 'sig.der'), cms);
    writeFileSync(path.join(dir, 'content'), content);
    const r = run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, 'sig.der'),
      '-content', path.join(dir, 'content'), '-CAfile', fixtures().pki.rootCa, '-purpose', 'any', '-out', '/dev/null']);
    return { ok: r.status === 0, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Text a reader would extract (pdftotext), to check nothing visible changed. */
export function pdftotext(file: string): string {
  return run('pdftotext', ['-enc', 'UTF-8', file, '-']).stdout;
}
