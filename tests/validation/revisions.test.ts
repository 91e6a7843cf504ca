/**
 * Revision analysis on real signatures (SoftHSM token) followed by incremental updates a forger writes:
 * each forgery keeps the signature cryptographically intact (pdfsig agrees) but is reported as a disallowed
 * change naming page 1; a second signature stays an allowed change.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { signPdf } from '../../src/core/pdf/sign.js';
import { analyzeAfter } from '../../src/core/validation/revisions.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { fixtures } from '../helpers/fixtures.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { addPage, annotateOverText, certifyWith, fillField, paintOverPage, repaintSignatureAppearance, replacePageContent } from './forgeries.js';

let tokens: TokenService;
let signed: Uint8Array;
let signedEnd: number;

beforeAll(async () => {
  tokens = openTestTokens();
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Don de nghi cap phep', { x: 50, y: 780, size: 14 });
  const result = await signPdf(await pdf.save(), await testKey(tokens, 'rsa'), { reason: 'Nộp hồ sơ' });
  signed = result.bytes;
  signedEnd = result.byteRange[2] + result.byteRange[3];
});
afterAll(() => tokens?.close());

const pdfsigIntact = (bytes: Uint8Array): boolean[] => withTempFile(bytes, 'x.pdf', (f) => pdfsig(f).signatures.map((s) => s.valid));

describe('revision analysis', () => {
  it('a freshly signed file is unchanged', async () => {
    const h = await analyzeAfter(signed, signedEnd);
    expect(h.verdict).toBe('unchanged');
    expect(h.updates).toHaveLength(0);
  });

  it.each([
    ['page content replaced', replacePageContent, 'page-content'],
    ['a red box painted by a new content stream', paintOverPage, 'page-content'],
    ['an annotation over the text', annotateOverText, 'annotation'],
    ['a page added', addPage, 'pages'],
  ] as const)('%s: disallowed, names the page; the signature itself still verifies', async (_name, forge, kind) => {
    const forged = await forge(signed);
    const h = await analyzeAfter(forged, signedEnd);
    expect(h.verdict, JSON.stringify(h.updates)).toBe('disallowed-changes');
    const bad = h.updates.flatMap((u) => u.changes).filter((c) => !c.allowed);
    expect(bad.map((c) => c.kind)).toContain(kind);
    expect(h.changedPages.length).toBeGreaterThan(0);
    if (kind !== 'pages') expect(h.changedPages).toEqual([1]);
    else expect(h.changedPages).toContain(2);
    expect(pdfsigIntact(forged)).toEqual([true]);
  });

  it('the signed appearance of the signature rewritten in place: disallowed', async () => {
    const h = await analyzeAfter(await repaintSignatureAppearance(signed), signedEnd);
    expect(h.verdict, JSON.stringify(h.updates)).toBe('disallowed-changes');
    expect(h.updates[0]!.changes.map((c) => c.kind)).toEqual(['signature-replaced']);
  });

  it('a second signature is an allowed change', async () => {
    const second = await signPdf(signed, await testKey(tokens, 'ec256'));
    const h = await analyzeAfter(second.bytes, signedEnd);
    expect(h.verdict, JSON.stringify(h.updates, null, 1)).toBe('allowed-changes');
    expect(h.updates).toHaveLength(1);
    expect(h.updates[0]!.signaturesAdded).toEqual([second.fieldName]);
    expect(pdfsigIntact(second.bytes)).toEqual([true, true]);
  });

  it('a second signature by poppler (pdfsig adds a font to the form resources): allowed', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-pdfsig-'));
    cpSync(fixtures().pki.nssdb.replace(/^sql:/, ''), path.join(dir, 'nss'), { recursive: true });
    const nss = `sql:${path.join(dir, 'nss')}`;
    execFileSync('pk12util', ['-i', fixtures().pki.presignerP12, '-W', 'kyso', '-d', nss], { stdio: 'ignore' });
    const nick = /^(.*\S)\s+u,u,u\s*$/m.exec(execFileSync('certutil', ['-L', '-d', nss], { encoding: 'utf8' }))![1]!;
    const input = path.join(dir, 'in.pdf');
    const output = path.join(dir, 'out.pdf');
    writeFileSync(input, signed);
    execFileSync('pdfsig', ['-nssdir', nss, '-add-signature', '-nick', nick, '-digest', 'SHA256', '-reason', 'Đã xem', input, output], { stdio: 'ignore' });
    const bytes = new Uint8Array(readFileSync(output));
    return analyzeAfter(bytes, signedEnd).then((h) => {
      expect(h.verdict, JSON.stringify(h.updates)).toBe('allowed-changes');
      expect(h.updates[0]!.signaturesAdded).toHaveLength(1);
    });
  });

  describe('form fill-in on a LibreOffice form', () => {
    const form = (): Uint8Array => new Uint8Array(readFileSync(path.join(fixtures().corpus.dir, 'libreoffice', 'to-khai-form-fields.pdf')));
    const signForm = async (bytes: Uint8Array): Promise<{ bytes: Uint8Array; end: number }> => {
      const r = await signPdf(bytes, await testKey(tokens, 'ec256'));
      return { bytes: r.bytes, end: r.byteRange[2] + r.byteRange[3] };
    };

    it('filling a field after signing is allowed (no certification: form fill-in is permitted)', async () => {
      const s = await signForm(form());
      const h = await analyzeAfter(await fillField(s.bytes, 'ho_ten', 'Trần Văn Bình'), s.end);
      expect(h.verdict, JSON.stringify(h.updates)).toBe('allowed-changes');
      expect(h.updates[0]!.changes.map((c) => c.kind)).toContain('form-fill');
    });

    it('moving a field over the page is not', async () => {
      const s = await signForm(form());
      const h = await analyzeAfter(await fillField(s.bytes, 'ho_ten', 'Trần Văn Bình', true), s.end);
      expect(h.verdict).toBe('disallowed-changes');
      expect(h.changedPages).toEqual([1]);
    });

    it('after a certification with DocMDP P=1, even filling a field is not', async () => {
      const s = await signForm(await certifyWith(form(), 1));
      const h = await analyzeAfter(await fillField(s.bytes, 'ho_ten', 'Trần Văn Bình'), s.end);
      expect(h.verdict).toBe('disallowed-changes');
      expect(h.updates[0]!.changes.find((c) => c.kind === 'form-fill')?.allowed).toBe(false);
    });

    it('with DocMDP P=3, an annotation is allowed', async () => {
      const s = await signForm(await certifyWith(form(), 3));
      const h = await analyzeAfter(await annotateOverText(s.bytes), s.end);
      expect(h.verdict, JSON.stringify(h.updates)).toBe('allowed-changes');
    });
  });
});
