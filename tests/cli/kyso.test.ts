/** The `kyso` command as a user runs it: real process, real token, PIN on stdin, exit codes, no stray output. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { fixtures, softhsmEnv } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, pdftotext } from '../helpers/tools.js';

const KYSO = fileURLToPath(new URL('../../bin/kyso.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-'));

function kyso(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [KYSO, ...args], { input, encoding: 'utf8', env: softhsmEnv() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function samplePdf(): Promise<string> {
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('CLI test', { x: 50, y: 800, size: 12 });
  const file = path.join(dir, 'in.pdf');
  writeFileSync(file, await pdf.save());
  return file;
}

const mod = (): string[] => ['--module', fixtures().softhsm.module];

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
    const r = kyso(['sign', await samplePdf(), '-o', path.join(dir, 'x.pdf'), ...mod(), '--pin-stdin'], '123456\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CERTIFICATE_AMBIGUOUS');
    expect(r.stderr).toContain('NGUYỄN THỊ ÁNH TUYẾT');
  });

  it('an encrypted or damaged input is refused with its code and nothing is written', () => {
    const bad = fixtures().corpus.entries.filter((e) => e.expect !== 'sign');
    expect(bad.length).toBeGreaterThan(0);
    for (const entry of bad) {
      const output = path.join(dir, `refused-${path.basename(entry.file)}`);
      const r = kyso(['sign', entry.file, '-o', output, ...mod(), '--cert', certificateId('rsa'), '--pin-stdin'], `${fixtures().softhsm.pin}\n`);
      expect(r.status, entry.file).toBe(1);
      expect(r.stderr, entry.file).toContain(entry.expect);
      expect(existsSync(output)).toBe(false);
    }
  });

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
  });
});
