/**
 * `kyso verify` as an official runs it on files signed on real tokens (SoftHSM) and then changed: exit codes
 * (0 valid and trusted, 1 broken or modified, 2 unreadable/usage, 3 intact but untrusted), the Vietnamese-first
 * report (signer, +07:00 time with its source, level, trust, changed pages), --json, --extract-revision.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { signPdf } from '../../src/core/pdf/sign.js';
import { signDocument } from '../../src/core/sign-document.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { fixtures } from '../helpers/fixtures.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { pdfsig } from '../helpers/tools.js';
import { annotateOverText, paintOverPage } from './forgeries.js';
import { kyso, scratch } from './cli.js';

const save = scratch('kyso-verify-history-');
let tokens: TokenService;
let signedFile: string;
let signedBytes: Uint8Array;

const root = (): string[] => ['--trust-anchor', fixtures().pki.rootCa, '--offline'];

beforeAll(async () => {
  tokens = openTestTokens();
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Don de nghi cap phep xay dung', { x: 50, y: 780, size: 14 });
  signedBytes = (await signPdf(await pdf.save(), await testKey(tokens, 'rsa'), { reason: 'Nộp hồ sơ', location: 'Hà Nội' })).bytes;
  signedFile = save('signed.pdf', signedBytes);
});
afterAll(() => { tokens?.close(); });

describe('kyso verify: history and exit codes', () => {
  it('valid and chained to the given root: exit 0, Vietnamese-first report with +07:00 claimed time', async () => {
    const r = await kyso(['verify', signedFile, ...root()]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('HỢP LỆ / VALID');
    expect(r.stdout).toContain(fixtures().pki.signers.rsa.cn);
    expect(r.stdout).toMatch(/Signed at: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00 \(do máy người ký tự khai/);
    expect(r.stdout).toContain('Mức / Level: PAdES B-B');
    expect(r.stdout).toContain('chains to "Kyso Test Root CA"');
  });

  it('an unknown CA: intact but not trusted, exit 3, the root named', async () => {
    const r = await kyso(['verify', signedFile, '--offline']);
    expect(r.status, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain('NOT TRUSTED');
    expect(r.stdout).toContain('root "Kyso Test Root CA" is not a trusted anchor');
  });

  it.each([
    ['a red box painted over page 1', paintOverPage, 'page-content'],
    ['an annotation over the text', annotateOverText, 'annotation'],
  ] as const)('%s: exit 1, the page named, though pdfsig still finds the signature valid', async (name, forge, kind) => {
    const file = save(`${kind}.pdf`, await forge(signedBytes));
    expect(pdfsig(file).signatures.map((s) => s.valid), name).toEqual([true]);
    const r = await kyso(['verify', file, ...root()]);
    expect(r.status, r.stdout).toBe(1);
    expect(r.stdout).toContain('tài liệu bị sửa sau khi ký / the document was modified after signing');
    expect(r.stdout).toContain(`✗ ${kind} [trang / page 1]`);
    expect(r.stdout).not.toContain('HỢP LỆ / VALID');
    const json = JSON.parse((await kyso(['verify', file, ...root(), '--json'])).stdout) as { exitCode: number; validation: { signatures: { verdict: string; history: { changedPages: number[] } }[] } };
    expect(json.exitCode).toBe(1);
    expect(json.validation.signatures[0]).toMatchObject({ verdict: 'modified', history: { changedPages: [1] } });
  });

  it('--extract-revision writes exactly the signed revision, which verifies as unchanged', async () => {
    const forged = save('to-extract.pdf', await paintOverPage(signedBytes));
    const out = path.join(path.dirname(signedFile), 'rev1.pdf');
    const r = await kyso(['verify', forged, '--extract-revision', '1', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(out), Buffer.from(signedBytes))).toBe(0);
    const v = await kyso(['verify', out, ...root()]);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain('covers the whole file');
  });

  it('unreadable file and usage mistakes: exit 2; a file without signatures: exit 1', async () => {
    expect((await kyso(['verify', path.join(path.dirname(signedFile), 'missing.pdf')])).status).toBe(2);
    const garbage = save('garbage.pdf', new TextEncoder().encode('%PDF-1.7\nnot really a pdf'));
    expect((await kyso(['verify', garbage])).status).toBe(2);
    expect((await kyso(['verify', signedFile, '--no-such-option'])).status).toBe(2);
    expect((await kyso(['verify', signedFile, '--extract-revision', '1'])).status).toBe(2);
    const pdf = PDF.create();
    pdf.addPage();
    expect((await kyso(['verify', save('unsigned.pdf', await pdf.save())])).status).toBe(1);
  });

  it('an Office document: exit 0 chained to the given root, 3 without it', async () => {
    const manifest = JSON.parse(readFileSync(path.join(fixtures().corpus.dir, 'docx-manifest.json'), 'utf8')) as { entries: { file: string }[] };
    const docx = new Uint8Array(readFileSync(path.join(fixtures().corpus.dir, manifest.entries[0]!.file)));
    const signed = await signDocument(docx, await testKey(tokens, 'ec256'), { certificateCheck: 'off' }, 'in.docx');
    const file = save('signed.docx', signed.bytes);
    const ok = await kyso(['verify', file, ...root()]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('chains to "Kyso Test Root CA"');
    const unknown = await kyso(['verify', file, '--offline']);
    expect(unknown.status, unknown.stdout).toBe(3);
    expect(unknown.stdout).toContain('NOT TRUSTED');
    expect(ok.stdout).toContain('Mức / Level: XAdES B-B');
    // --json: the same per-signature report as data, certificates as base64 rather than one number per byte.
    const json = JSON.parse((await kyso(['verify', file, ...root(), '--json'])).stdout) as { exitCode: number; ooxml: { signatures: { verdict: string; level: string; time: { source: string }; details: { certificate: unknown; changedParts: string[] } }[] } };
    expect(json.exitCode).toBe(0);
    expect(json.ooxml.signatures[0]).toMatchObject({ verdict: 'valid', level: 'B-B', time: { source: 'claimed' }, details: { changedParts: [] } });
    expect(json.ooxml.signatures[0]!.details.certificate).toEqual(expect.stringMatching(/^MII/));
  });
});
