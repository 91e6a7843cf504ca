/**
 * Owner-password PDFs (issue 17): files encrypted with an empty user password open without asking anything,
 * so Kyso signs them when their permissions allow it, encrypting its update with the file's key and cipher.
 * Inputs are made here by qpdf for each revision and cipher; outputs are checked with tools we did not
 * write: pdfsig (valid, whole file), qpdf --check and --show-encryption (it decrypts with the empty
 * password), pdftotext (the visible signature's text, which is only readable if our encryption is right).
 * Files whose permissions forbid signing, or that need a password, are refused with their own code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignableHere, signDocumentHere } from '../../src/core/sign-document.js';
import { verifyPdf } from '../../src/core/pdf/verify.js';
import { isKysoError } from '../../src/core/errors.js';
import { hexString } from '../../src/core/pdf/serialize.js';
import { textString } from '../../src/core/pdf/text-string.js';
import type { SigningKey } from '../../src/core/signing-key.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { letterPdf } from '../appearance/documents.js';
import { readBytes } from '../appearance/inspect.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { pdfsig, pdftotext, qpdfCheck } from '../helpers/tools.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-encrypted-'));

function qpdf(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('qpdf', args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Encrypts the letter with qpdf; `extra` are qpdf options outside --encrypt … -- (object streams). */
function encrypted(name: string, user: string, bits: 40 | 128 | 256, options: string[], extra: string[] = []): string {
  const out = path.join(dir, `${name}.pdf`);
  const r = qpdf(['--allow-weak-crypto', ...extra, '--encrypt', user, 'owner-pass', String(bits), ...options, '--', letterPdf(), out]);
  expect(r.status, r.out).toBe(0);
  return out;
}

/** `qpdf --show-encryption` minus the key itself: revision, P, methods, permissions. */
function encryptionOf(file: string): string {
  return qpdf(['--show-encryption', file]).out.split('\n').filter((l) => !/key|^$/i.test(l)).join('\n');
}

const ALLOWED = [
  { name: 'r2-rc4-40', bits: 40, options: [], method: /R = 2/ },
  { name: 'r3-rc4-128', bits: 128, options: ['--use-aes=n'], method: /R = 3/ },
  { name: 'r4-rc4-128', bits: 128, options: ['--use-aes=n', '--force-V4'], method: /string encryption method: RC4/ },
  { name: 'r4-aes-128', bits: 128, options: ['--use-aes=y'], method: /string encryption method: AESv2/ },
  { name: 'r4-aes-128-clear-metadata-objstm', bits: 128, options: ['--use-aes=y', '--cleartext-metadata'], extra: ['--object-streams=generate'], method: /AESv2/ },
  { name: 'r5-aes-256', bits: 256, options: ['--force-R5'], method: /R = 5/ },
  { name: 'r6-aes-256-objstm', bits: 256, options: [], extra: ['--object-streams=generate'], method: /R = 6/ },
  // Comments forbidden, filling forms (signature fields included, bit 9) allowed.
  { name: 'r6-forms-only', bits: 256, options: ['--annotate=n'], method: /modify forms: allowed/ },
  { name: 'r3-modify-form', bits: 128, options: ['--use-aes=n', '--modify=form'], method: /modify annotations: not allowed/ },
] as const;

const FORBIDDEN = [
  { name: 'r2-no-annotate', bits: 40, options: ['--annotate=n'] },
  { name: 'r6-modify-none', bits: 256, options: ['--modify=none'] },
  { name: 'r6-no-annotate-no-form', bits: 256, options: ['--annotate=n', '--form=n'] },
  { name: 'r4-aes-modify-assembly', bits: 128, options: ['--use-aes=y', '--modify=assembly'] },
] as const;

let tokens: TokenService;
let rsa: SigningKey;
beforeAll(async () => {
  tokens = openTestTokens();
  rsa = await testKey(tokens, 'rsa');
});
afterAll(() => tokens.close());

const REASON = 'Phê duyệt hồ sơ';
const LOCATION = 'Thành phố Hà Nội';

describe.each(ALLOWED.map((c) => [c.name, c] as const))('owner-password PDF %s', (name, c) => {
  it('is signed with a visible signature, its update encrypted with the file key', async () => {
    const input = encrypted(name, '', c.bits, [...c.options], 'extra' in c ? [...c.extra] : []);
    const before = encryptionOf(input);
    expect(before).toMatch(c.method);
    const bytes = readBytes(input);
    expect((await openSignableHere(bytes, 'in.pdf')).format).toBe('pdf');
    const r = await signDocumentHere(bytes, rsa, {
      reason: REASON, location: LOCATION,
      visible: { placement: { page: 2, rect: [300, 280, 565, 400] }, appearance: { show: { signer: true, time: true } } },
    }, 'in.pdf');
    const out = path.join(dir, `${name}-signed.pdf`);
    writeFileSync(out, r.bytes);
    expect(Buffer.compare(Buffer.from(r.bytes.subarray(0, bytes.length)), Buffer.from(bytes))).toBe(0);
    // The update carries no string in the clear (the signature dictionary's /Reason, the field's /T).
    const update = Buffer.from(r.bytes.subarray(bytes.length)).toString('latin1');
    expect(update).not.toContain(hexString(textString(REASON).bytes).slice(1, -1));
    expect(update).not.toContain(hexString(textString('Signature1').bytes).slice(1, -1));
    expect(update).toContain('/Encrypt ');

    const sig = pdfsig(out);
    expect(sig.signatures, sig.output).toHaveLength(1);
    expect(sig.signatures[0]!.valid, sig.output).toBe(true);
    expect(sig.signatures[0]!.totalDocumentSigned, sig.output).toBe(true);
    const q = qpdfCheck(out);
    expect(q.status, q.output).toBe(0);
    expect(encryptionOf(out)).toBe(before);
    // pdftotext decrypts with the empty password: the appearance stream and its font must decrypt right.
    expect(pdftotext(out)).toContain('Ký bởi');

    const report = await verifyPdf(r.bytes);
    expect(report.allIntact, JSON.stringify(report.signatures.map((s) => s.problems))).toBe(true);
    expect(report.signatures[0]).toMatchObject({ reason: REASON, location: LOCATION, coversWholeFile: true });
  });
});

describe('refused before any PIN', () => {
  it.each(FORBIDDEN.map((c) => [c.name, c] as const))('%s: the permissions forbid signing', async (name, c) => {
    const bytes = readBytes(encrypted(name, '', c.bits, [...c.options]));
    const err = await openSignableHere(bytes, 'in.pdf').then(() => undefined, (e: unknown) => e);
    expect(isKysoError(err, 'DOCUMENT_SIGNING_FORBIDDEN'), String(err)).toBe(true);
    const signErr = await signDocumentHere(bytes, rsa, {}, 'in.pdf').then(() => undefined, (e: unknown) => e);
    expect(isKysoError(signErr, 'DOCUMENT_SIGNING_FORBIDDEN'), String(signErr)).toBe(true);
  });

  it.each([['r6-user-password', 256, []], ['r3-user-password', 128, ['--use-aes=n']]] as const)('%s: a password is needed to open it', async (name, bits, options) => {
    const bytes = readBytes(encrypted(name, 'mật khẩu', bits, [...options]));
    const err = await openSignableHere(bytes, 'in.pdf').then(() => undefined, (e: unknown) => e);
    expect(isKysoError(err, 'DOCUMENT_ENCRYPTED'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/password/);
  });
});
