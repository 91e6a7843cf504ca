/**
 * `kyso sign` checks everything it can before the PIN: the document, the output path, the visible-signature
 * flags, the command line. Each case gives a wrong PIN on stdin: had the PIN been asked, the token would have
 * refused it (PIN_INCORRECT) and a try would be spent; the case's own code proves it was not.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDF } from '@libpdf/core';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { kyso, mod, writePdf, WRONG_PIN } from './cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-before-pin-'));
const rsa = (): string[] => ['--cert', certificateId('rsa').slice(0, 16)];

/** `kyso sign` with a wrong PIN on stdin: must fail with `code`, without asking the token. */
function refusedBeforePin(args: string[], code: string): string {
  const r = kyso(['sign', ...args, ...mod(), ...rsa(), '--pin-stdin'], WRONG_PIN);
  expect(r.stderr, r.stderr).toContain(`kyso: ${code}:`);
  expect(r.stderr).not.toContain('PIN_INCORRECT');
  expect(r.status).toBe(code === 'USAGE' ? 64 : 1);
  return r.stderr;
}

describe('kyso sign: no PIN is asked for a signature that cannot be made', () => {
  it('a damaged, encrypted or unsupported document', () => {
    for (const entry of fixtures().corpus.entries.filter((e) => e.expect !== 'sign')) {
      const out = path.join(dir, `refused-${path.basename(entry.file)}`);
      refusedBeforePin([entry.file, '-o', out], entry.expect);
      expect(existsSync(out)).toBe(false);
    }
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'not a document\n');
    refusedBeforePin([text, '-o', path.join(dir, 'notes-signed.txt')], 'UNSUPPORTED_FORMAT');
  });

  it('a keyword that is not in the PDF, an image that is missing or not an image', async () => {
    const input = await writePdf(path.join(dir, 'form.pdf'), 'Nguoi lam don');
    refusedBeforePin([input, '-o', path.join(dir, 'k.pdf'), '--keyword', 'Chủ tịch'], 'KEYWORD_NOT_FOUND');
    refusedBeforePin([input, '-o', path.join(dir, 'i1.pdf'), '--keyword', 'Nguoi lam don', '--image', path.join(dir, 'missing.png')], 'FILE_NOT_FOUND');
    const fake = path.join(dir, 'fake.png');
    writeFileSync(fake, 'this is text, not a PNG');
    expect(refusedBeforePin([input, '-o', path.join(dir, 'i2.pdf'), '--keyword', 'Nguoi lam don', '--image', fake], 'BAD_REQUEST')).toContain('PNG or JPEG');
    refusedBeforePin([input, '-o', path.join(dir, 'p.pdf'), '--rect', '10,10,200,80', '--page', '7'], 'BAD_REQUEST');
  });

  it('a keyword with no free room around it for the box: KEYWORD_NO_ROOM, nothing written', async () => {
    // A page printed edge to edge, a line every 12 pt: no 108 × 36 pt box (60 % of the default) fits anywhere.
    const pdf = PDF.create();
    const page = pdf.addPage({ width: 595, height: 842 });
    for (let y = 4; y < 842; y += 12) page.drawText(y === 424 ? `${'Nguoi lam don '.repeat(9)}` : 'x'.repeat(140), { x: 2, y, size: 12 });
    const input = path.join(dir, 'dense.pdf');
    writeFileSync(input, await pdf.save());
    const out = path.join(dir, 'no-room.pdf');
    const stderr = refusedBeforePin([input, '-o', out, '--keyword', 'Nguoi lam don'], 'KEYWORD_NO_ROOM');
    expect(stderr).toContain('Không còn chỗ trống');
    expect(existsSync(out)).toBe(false);
  });

  it('an Office document with visible-signature flags or a PDF-only level', () => {
    const manifest = JSON.parse(readFileSync(path.join(fixtures().corpus.dir, 'docx-manifest.json'), 'utf8')) as { entries: { file: string }[] };
    const docx = path.join(fixtures().corpus.dir, manifest.entries[0]!.file);
    refusedBeforePin([docx, '-o', path.join(dir, 'v.docx'), '--rect', '10,10,200,80'], 'BAD_REQUEST');
  });

  it('an output folder that cannot take the file: typed OUTPUT_NOT_WRITABLE with the reason, also as root', async () => {
    const input = await writePdf(path.join(dir, 'out-checks.pdf'));
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    // sysfs refuses new files even to root (EACCES); a regular file as folder is ENOTDIR; a missing folder ENOENT.
    expect(refusedBeforePin([input, '-o', '/sys/kyso-signed.pdf'], 'OUTPUT_NOT_WRITABLE')).toContain('EACCES');
    expect(refusedBeforePin([input, '-o', path.join(file, 'signed.pdf')], 'OUTPUT_NOT_WRITABLE')).toContain('ENOTDIR');
    expect(refusedBeforePin([input, '-o', path.join(dir, 'no-such-folder', 'signed.pdf')], 'OUTPUT_NOT_WRITABLE')).toContain('ENOENT');
    expect(refusedBeforePin([input, '-o', dir], 'OUTPUT_NOT_WRITABLE')).toContain('EISDIR');
    expect(existsSync(path.join(dir, 'no-such-folder'))).toBe(false);
    if (process.getuid?.() !== 0) {
      const ro = path.join(dir, 'read-only');
      mkdirSync(ro, { mode: 0o500 });
      chmodSync(ro, 0o500);
      expect(refusedBeforePin([input, '-o', path.join(ro, 'signed.pdf')], 'OUTPUT_NOT_WRITABLE')).toContain('EACCES');
    }
  });

  it('an existing output file is never overwritten without --force; with it, it is replaced', async () => {
    const input = await writePdf(path.join(dir, 'force-in.pdf'));
    const out = path.join(dir, 'existing.pdf');
    writeFileSync(out, 'precious');
    refusedBeforePin([input, '-o', out], 'OUTPUT_EXISTS');
    expect(readFileSync(out, 'utf8')).toBe('precious');
    const r = kyso(['sign', input, '-o', out, '--force', ...mod(), ...rsa(), '--pin-stdin'], `${fixtures().softhsm.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(kyso(['verify', out, '--trust-anchor', fixtures().pki.rootCa]).status).toBe(0);
  });

  it('--pin-stdin without --token or --cert: USAGE, exit 64, nothing read', async () => {
    const input = await writePdf(path.join(dir, 'pin-target.pdf'));
    const r = kyso(['sign', input, '-o', path.join(dir, 'pin-target-out.pdf'), ...mod(), '--pin-stdin'], WRONG_PIN);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('kyso: USAGE:');
    expect(r.stderr).toContain('--pin-stdin needs --token');
    expect(r.stderr).not.toContain('PIN_INCORRECT');
  });

  it('with --token naming the token, --pin-stdin signs; the result line is Vietnamese first', async () => {
    const input = await writePdf(path.join(dir, 'by-token.pdf'));
    const out = path.join(dir, 'by-token-signed.pdf');
    const r = kyso(['sign', input, '-o', out, ...mod(), '--token', fixtures().softhsm.tokenLabel, ...rsa(), '--pin-stdin'], `${fixtures().softhsm.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^đã ký \/ signed: by-token\.pdf → /);
    expect(r.stderr).toContain('người ký / signer: NGUYỄN THỊ ÁNH TUYẾT');
  });
});
