/**
 * PAdES B-LTA on owner-password PDFs (issue 17): the visible signature, the DSS streams (certificates, OCSP
 * responses, CRLs) and the document timestamp are all written encrypted with the file's key, each update
 * hashed over its final bytes. Checked with pdfsig, qpdf --check and --show-encryption (which decrypt with the
 * empty password) and OpenSSL's timestamp verifier, plus our verifier reading the encrypted DSS back.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { signDocument } from '../../src/core/sign-document.js';
import { HttpTimestampClient } from '../../src/core/tsa/index.js';
import { verifyPdf } from '../../src/core/pdf/verify.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { ltvKey, openLtvToken, startPkiServices, type PkiServices } from '../helpers/loopback-pki-services.js';
import { pdftotext, qpdfCheck } from '../helpers/tools.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-encrypted-lta-'));
let srv: PkiServices;
let tokens: TokenService;
let plain: string;

beforeAll(async () => {
  srv = await startPkiServices();
  tokens = openLtvToken(srv);
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Don de nghi - encrypted B-LTA', { x: 50, y: 800, size: 12 });
  plain = path.join(dir, 'plain.pdf');
  writeFileSync(plain, await pdf.save());
});
afterAll(async () => { tokens?.close(); await srv?.close(); });

/** pdfsig with the LTV PKI's NSS database, asynchronously (NSS asks our OCSP responder, in this process). */
async function pdfsig(file: string): Promise<{ output: string; valid: number; total: number }> {
  const r = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
    execFile('pdfsig', ['-nssdir', srv.pki.nssdb, file], { encoding: 'utf8' }, (_e, stdout, stderr) => resolve({ stdout, stderr }));
  });
  const output = r.stdout + r.stderr;
  return { output, valid: (output.match(/Signature Validation: Signature is Valid\./g) ?? []).length, total: (output.match(/^Signature #\d+:/gm) ?? []).length };
}

const showEncryption = (file: string): string => spawnSync('qpdf', ['--show-encryption', file], { encoding: 'utf8' }).stdout
  .split('\n').filter((l) => !/key/i.test(l)).join('\n');

describe.each([
  ['r6-aes-256-xref-stream', ['--object-streams=generate', '--encrypt', '', 'owner', '256', '--']],
  ['r3-rc4-128', ['--allow-weak-crypto', '--encrypt', '', 'owner', '128', '--use-aes=n', '--']],
  ['r4-aes-128', ['--encrypt', '', 'owner', '128', '--use-aes=y', '--']],
] as const)('B-LTA on %s', (name, qpdfArgs) => {
  it('encrypts the appearance, the DSS and the document timestamp; everything verifies', async () => {
    const input = path.join(dir, `${name}.pdf`);
    const q = spawnSync('qpdf', [...qpdfArgs, plain, input], { encoding: 'utf8' });
    expect(q.status, q.stderr).toBe(0);
    const bytes = new Uint8Array(readFileSync(input));
    const r = await signDocument(bytes, await ltvKey(tokens, srv, 'good'), {
      level: 'B-LTA', timestamp: new HttpTimestampClient({ urls: [srv.tsa.plain] }), reason: 'Nộp hồ sơ',
      visible: { placement: { page: 1, rect: [300, 500, 565, 620] } },
    }, 'in.pdf');
    const out = path.join(dir, `${name}-lta.pdf`);
    writeFileSync(out, r.bytes);

    const check = qpdfCheck(out);
    expect(check.status, check.output).toBe(0);
    expect(showEncryption(out)).toBe(showEncryption(input));
    expect(pdftotext(out)).toContain('Ký bởi');
    const sig = await pdfsig(out);
    expect(sig.total, sig.output).toBe(2);
    expect(sig.valid, sig.output).toBe(1); // poppler does not check ETSI.RFC3161 document timestamps

    const v = await verifyPdf(r.bytes);
    expect(v.allIntact, JSON.stringify(v.signatures.map((s) => s.problems))).toBe(true);
    const [s, dts] = v.signatures as [typeof v.signatures[0], typeof v.signatures[0]];
    expect(s).toMatchObject({ kind: 'signature', reason: 'Nộp hồ sơ', hasTimestamp: true });
    // The DSS streams decrypt to the right certificates and answers: the chain is complete offline.
    expect(s.ltv).toMatchObject({ vri: true, complete: true });
    expect(v.dss).toMatchObject({ ocsps: 2, crls: 1, vri: 1 });
    expect(dts).toMatchObject({ kind: 'document-timestamp', intact: true, coversWholeFile: true });

    // OpenSSL checks the document timestamp token over the bytes its ByteRange names (the /Contents is clear).
    const [a, b, c, d] = dts.byteRange as [number, number, number, number];
    const covered = path.join(dir, `${name}.covered.bin`);
    writeFileSync(covered, Buffer.concat([r.bytes.subarray(a, a + b), r.bytes.subarray(c, c + d)]));
    const token = path.join(dir, `${name}.tst`);
    writeFileSync(token, Buffer.from(Buffer.from(r.bytes.subarray(b + 1, c - 1)).toString('latin1'), 'hex'));
    const o = spawnSync('openssl', ['ts', '-verify', '-data', covered, '-in', token, '-token_in', '-CAfile', srv.pki.root, '-untrusted', srv.pki.sub], { encoding: 'utf8' });
    expect(o.stdout + o.stderr).toContain('Verification: OK');
  });
});
