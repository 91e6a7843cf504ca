/** The `kyso` command as a user runs it: real process, real token, PIN on stdin, exit codes, no stray output. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, pdftotext } from '../helpers/tools.js';
import { kyso, mod, writePdf } from './cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-'));
let made = 0;
/** A fresh input file per call (outputs are never overwritten, inputs may be signed in parallel). */
const samplePdf = (): Promise<string> => writePdf(path.join(dir, `in-${++made}.pdf`));

describe('kyso CLI', () => {
  it('tokens --json lists the token and its three certificates', () => {
    const r = kyso(['tokens', ...mod(), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { tokens: { label: string }[]; certificates: { id: string; subject: { commonName: string } }[] };
    expect(out.tokens.map((t) => t.label)).toContain(fixtures().softhsm.tokenLabel);
    expect(out.certificates.map((c) => c.subject.commonName).sort()).toEqual(
      Object.values(fixtures().pki.signers).map((s) => s.cn).sort());
  });

  it('signs with the PIN from stdin and verifies (exit 0), pdfsig agrees', async () => {
    const input = await samplePdf();
    const output = path.join(dir, 'out.pdf');
    const r = kyso(['sign', input, '-o', output, ...mod(), '--cert', certificateId('ec256').slice(0, 12), '--pin-stdin', '--reason', 'Đồng ý', '--location', 'Đà Nẵng'], `${fixtures().softhsm.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(fixtures().softhsm.pin);
    const v = kyso(['verify', output, '--trust-anchor', fixtures().pki.rootCa, '--offline']);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain('TRẦN VĂN ĐỨC');
    expect(pdfsig(output).signatures[0]?.valid).toBe(true);
  });

  it('--rect and --page draw a visible signature whose text a reader extracts', async () => {
    const input = await samplePdf();
    const output = path.join(dir, 'visible.pdf');
    const r = kyso(['sign', input, '-o', output, ...mod(), '--cert', certificateId('rsa'), '--pin-stdin', '--page', '1', '--rect', '300,80,560,170', '--reason', 'Nộp hồ sơ'], `${fixtures().softhsm.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    const text = pdftotext(output);
    expect(text).toContain('Ký bởi: NGUYỄN THỊ ÁNH TUYẾT');
    expect(text).toContain('Lý do: Nộp hồ sơ');
    expect(pdfsig(output).signatures[0]?.valid).toBe(true);
    const bad = kyso(['sign', input, '-o', path.join(dir, 'bad-rect.pdf'), ...mod(), '--cert', certificateId('rsa'), '--pin-stdin', '--rect', '1,2,3'], `${fixtures().softhsm.pin}\n`);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('BAD_REQUEST');
  });

  it('signs and verifies a DOCX from the corpus (tampering is covered in tests/ooxml)', () => {
    const manifest = JSON.parse(readFileSync(path.join(fixtures().corpus.dir, 'docx-manifest.json'), 'utf8')) as { entries: { file: string }[] };
    const input = path.join(fixtures().corpus.dir, manifest.entries[0]!.file);
    const output = path.join(dir, 'signed.docx');
    const r = kyso(['sign', input, '-o', output, ...mod(), '--cert', certificateId('rsa'), '--pin-stdin', '--reason', 'Phê duyệt'], `${fixtures().softhsm.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    const v = kyso(['verify', output, '--trust-anchor', fixtures().pki.rootCa, '--offline']);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain('NGUYỄN THỊ ÁNH TUYẾT');
  });

  it('wrong PIN: exit 1, code and both languages printed, no output file', async () => {
    const input = await samplePdf();
    const output = path.join(dir, 'wrong-pin.pdf');
    const r = kyso(['sign', input, '-o', output, ...mod(), '--cert', certificateId('rsa'), '--pin-stdin'], '000000\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PIN_INCORRECT');
    expect(r.stderr).toContain('Mã PIN không đúng');
    expect(r.stderr).toContain('Incorrect PIN');
    expect(existsSync(output)).toBe(false);
  });

  it('several certificates and no --cert: asks to choose, lists them', async () => {
    const r = kyso(['sign', await samplePdf(), '-o', path.join(dir, 'x.pdf'), ...mod(), '--token', fixtures().softhsm.tokenLabel, '--pin-stdin'], '123456\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CERTIFICATE_AMBIGUOUS');
    expect(r.stderr).toContain('NGUYỄN THỊ ÁNH TUYẾT');
  });

  // Encrypted, damaged and unsupported inputs: tests/cli/sign-before-pin.test.ts (refused before the PIN).

  it('verify exits non-zero for a tampered file and for a file without signatures', async () => {
    const input = await samplePdf();
    const output = path.join(dir, 'tamper.pdf');
    expect(kyso(['sign', input, '-o', output, ...mod(), '--cert', certificateId('rsa'), '--pin-stdin'], `${fixtures().softhsm.pin}\n`).status).toBe(0);
    const bytes = readFileSync(output);
    const at = bytes.indexOf('/MediaBox');
    expect(at).toBeGreaterThan(0);
    bytes[at + 1] = 'm'.charCodeAt(0); // one byte inside the signed range
    const tampered = path.join(dir, 'tampered.pdf');
    writeFileSync(tampered, bytes);
    const v = kyso(['verify', tampered]);
    expect(v.status).toBe(1);
    expect(v.stdout).toContain('INVALID');
    expect(kyso(['verify', input]).status).toBe(1);
    expect(kyso(['verify', path.join(dir, 'missing.pdf')]).stderr).toContain('FILE_NOT_FOUND');
  });

  it('a module path that is not a PKCS#11 library fails cleanly', () => {
    const r = kyso(['tokens', '--module', '/etc/hostname']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('MODULE_LOAD_FAILED');
    expect(r.stderr.split('/etc/hostname').length - 1, 'the path once').toBe(1);
  });
});
