/**
 * The pieces of writing into encrypted PDFs, against references we did not write: RC4 test vectors, and the
 * file key qpdf itself derives with the empty password (`--show-encryption-key`) for every revision and cipher
 * it makes; then the re-encoding of our object bodies (what is encrypted, what stays clear, where bytes move).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { rc4 } from '../../src/core/pdf/crypt/rc4.js';
import { emptyUserPasswordKey } from '../../src/core/pdf/crypt/standard-security.js';
import { standardEncryptionOf } from '../../src/core/pdf/crypt/document-encryption.js';
import { objectCrypt, type CryptMethod } from '../../src/core/pdf/crypt/object-crypt.js';
import { encryptObjectBody } from '../../src/core/pdf/crypt/encrypt-body.js';
import { buildSignatureDictionary } from '../../src/core/pdf/signature-dictionary.js';
import { samplePdf } from '../agent/harness.js';

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('rc4', () => {
  it.each([
    ['Key', 'Plaintext', 'bbf316e8d940af0ad3'],
    ['Wiki', 'pedia', '1021bf0420'],
    ['Secret', 'Attack at dawn', '45a01f645fc35b383552544b9bf5'],
  ])('key %s, %s', (key, text, expected) => {
    expect(hexOf(rc4(latin1(key), latin1(text)))).toBe(expected);
    expect(Buffer.from(rc4(latin1(key), Buffer.from(expected, 'hex'))).toString('latin1')).toBe(text);
  });
});

describe('file key for the empty user password', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-crypt-'));
  const plain = path.join(dir, 'plain.pdf');

  const make = async (name: string, user: string, args: string[]): Promise<string> => {
    if (!existsSync(plain)) writeFileSync(plain, await samplePdf());
    const out = path.join(dir, `${name}.pdf`);
    const r = spawnSync('qpdf', ['--allow-weak-crypto', '--encrypt', user, 'owner', ...args, '--', plain, out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return out;
  };

  it.each([
    ['r2', ['40']],
    ['r3', ['128', '--use-aes=n']],
    ['r4-rc4', ['128', '--use-aes=n', '--force-V4']],
    ['r4-aes', ['128', '--use-aes=y']],
    ['r4-aes-clear-metadata', ['128', '--use-aes=y', '--cleartext-metadata']],
    ['r5', ['256', '--force-R5']],
    ['r6', ['256']],
    ['r6-restricted', ['256', '--modify=none', '--extract=n']],
  ])('%s: the key qpdf derives', async (name, args) => {
    const file = await make(name, '', args);
    const qpdfKey = /Encryption key = ([0-9a-f]+)/.exec(spawnSync('qpdf', ['--show-encryption-key', '--show-encryption', file], { encoding: 'utf8' }).stdout)?.[1];
    expect(qpdfKey).toBeTruthy();
    const pdf = await PDF.load(new Uint8Array(readFileSync(file)));
    expect(hexOf(emptyUserPasswordKey(standardEncryptionOf(pdf))!)).toBe(qpdfKey);
  });

  it.each([['r3', ['128', '--use-aes=n']], ['r4-aes', ['128', '--use-aes=y']], ['r6', ['256']]])('%s with a user password: no key', async (name, args) => {
    const pdf = await PDF.load(new Uint8Array(readFileSync(await make(`${name}-user`, 'mat-khau', args))));
    expect(emptyUserPasswordKey(standardEncryptionOf(pdf))).toBeUndefined();
  });
});

describe('encrypting an update object', () => {
  const key = new Uint8Array(Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
  const methods: [CryptMethod, Uint8Array][] = [['rc4', key], ['aes-128', key], ['aes-256', new Uint8Array(32).fill(7)]];

  it.each(methods)('%s: a signature dictionary keeps /Contents and /ByteRange in place, its other strings encrypted', (method, fileKey) => {
    const crypt = objectCrypt(fileKey, method, method, true);
    const sig = buildSignatureDictionary({ subFilter: 'ETSI.CAdES.detached', signingTime: new Date('2025-03-15T09:30:00Z'), reason: 'Phê duyệt', contentsSize: 64, appVersion: '1.0' });
    const e = encryptObjectBody(sig.body, 12, 0, crypt);
    const text = Buffer.from(e.body).toString('latin1');
    const contents = text.slice(e.position(sig.contentsAt), e.position(sig.contentsAt) + sig.contentsLength);
    expect(contents).toBe(`<${'0'.repeat(128)}>`);
    expect(text.slice(e.position(sig.byteRangeAt), e.position(sig.byteRangeAt) + sig.byteRangeLength)).toMatch(/^\[0 0+ 0+ 0+\]$/);
    const m = /\/M <([0-9A-F]+)>/.exec(text)!;
    expect(Buffer.from(crypt.decryptString(Buffer.from(m[1]!, 'hex'), 12, 0)!).toString('latin1')).toMatch(/^D:20250315163000\+07'00'$/);
    expect(text).not.toContain(Buffer.from('D:2025').toString('hex').toUpperCase());
  });

  it.each(methods)('%s: streams get their data encrypted and /Length rewritten; literal strings become hex', (method, fileKey) => {
    const crypt = objectCrypt(fileKey, method, method, true);
    const data = 'q 1 0 0 1 0 0 cm BT /F1 12 Tf (Hello) Tj ET Q';
    const body = latin1(`<</Type /XObject /Subtype /Form /Name (a\\(b\\)\\101) /Length ${data.length}>>\nstream\n${data}\nendstream`);
    const e = encryptObjectBody(body, 7, 0, crypt);
    const text = Buffer.from(e.body).toString('latin1');
    const length = Number(/\/Length (\d+)/.exec(text)![1]);
    const start = text.indexOf('stream\n') + 7;
    expect(text.slice(start + length)).toBe('\nendstream');
    const streamCrypt = (b: Uint8Array): Uint8Array | undefined => crypt.decryptString(b, 7, 0);
    expect(Buffer.from(streamCrypt(e.body.subarray(start, start + length))!).toString('latin1')).toBe(data);
    const name = /\/Name <([0-9A-F]+)>/.exec(text)!;
    expect(Buffer.from(crypt.decryptString(Buffer.from(name[1]!, 'hex'), 7, 0)!).toString('latin1')).toBe('a(b)A');
  });

  it('leaves a /Metadata stream clear when /EncryptMetadata is false', () => {
    const crypt = objectCrypt(key, 'aes-128', 'aes-128', false);
    const body = latin1('<</Type /Metadata /Subtype /XML /Length 5>>\nstream\n<x/>\n\nendstream');
    expect(Buffer.from(encryptObjectBody(body, 3, 0, crypt).body).toString('latin1')).toBe(Buffer.from(body).toString('latin1'));
  });
});
