/** `kyso sign --level … --tsa …` and `kyso timestamp` as a user runs them: real process, LTV token, loopback TSA/OCSP/CRL. */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF } from '@libpdf/core';
import { ltvCertificateId, startPkiServices, TSA_PASSWORD, TSA_USER, type LtvSigner, type PkiServices } from '../helpers/loopback-pki-services.js';
import { makePandocDocuments } from '../ooxml/documents.js';

const KYSO = fileURLToPath(new URL('../../bin/kyso.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-tsa-'));
let srv: PkiServices;
let input: string;

beforeAll(async () => {
  srv = await startPkiServices();
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('CLI timestamps', { x: 50, y: 800, size: 12 });
  input = path.join(dir, 'in.pdf');
  writeFileSync(input, await pdf.save());
});
afterAll(async () => { await srv?.close(); });

/** Asynchronous: the TSA and OCSP servers answer from this process. */
function kyso(args: string[], stdin = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [KYSO, ...args], { encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: srv.token.conf } }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}

const signArgs = (signer: LtvSigner, out: string, ...more: string[]): string[] =>
  ['sign', input, '-o', out, '--module', srv.token.module, '--cert', ltvCertificateId(srv, signer).slice(0, 16), '--pin-stdin', ...more];

let visibleBtFile: Promise<string> | undefined;
/**
 * A visible B-T signature with the plain TSA, made once for the test that reads its appearance and the one that
 * upgrades a B-T file with `kyso timestamp --ltv` (whichever runs first signs; each still runs alone).
 */
function visibleBt(): Promise<string> {
  return visibleBtFile ??= (async () => {
    const out = path.join(dir, 'bt-visible.pdf');
    const r = await kyso(signArgs('good', out, '--tsa', srv.tsa.plain, '--rect', '300,60,585,200'), `${srv.token.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    return out;
  })();
}

describe('kyso sign --level / kyso timestamp', () => {
  it('B-LTA with a TSA that wants an account: PIN on line 1, TSA password on line 2; verify shows both timestamps and the LTV data', async () => {
    const out = path.join(dir, 'lta.pdf');
    const r = await kyso(signArgs('good', out, '--level', 'B-LTA', '--tsa', srv.tsa.auth, '--tsa-user', TSA_USER, '--tsa-password-stdin'), `${srv.token.pin}\n${TSA_PASSWORD}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('B-LTA');
    expect(r.stderr).toContain('Kyso LTV Test TSA');
    expect(r.stdout + r.stderr).not.toContain(TSA_PASSWORD);
    const v = await kyso(['verify', out, '--trust-anchor', srv.pki.root]);
    expect(v.status, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/\+07:00 \(theo dấu thời gian \/ timestamped by "Kyso LTV Test TSA"\)/);
    expect(v.stdout).toContain('LTV data complete');
    expect(v.stdout).toContain('document timestamp');
  });

  it('a fallback URL after a dead TSA; warnings of the certificate check on stderr', async () => {
    const out = path.join(dir, 'bt.pdf');
    const r = await kyso(signArgs('noku', out, '--tsa', srv.tsa.unreachable, '--tsa', srv.tsa.plain), `${srv.token.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('B-T');
    expect(r.stderr).toContain('cảnh báo / warning: Chứng thư số không dành cho ký số');
  });

  it('a visible B-T signature says its time is the computer clock (the TSA time is known only after); /M is that instant', async () => {
    const out = await visibleBt();
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', out, '-'], { encoding: 'utf8' }).normalize('NFC').replace(/\s+/g, ' '); // the line may wrap in the box
    const m = /Thời gian ký: (\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d) \(GMT\+7, giờ máy tính\)/.exec(text);
    expect(m, text).not.toBeNull();
    const [d, mo, y, h, mi, s] = m!.slice(1);
    const pdf = readFileSync(out).toString('latin1');
    const hex = /\/M <([0-9A-Fa-f]+)>/.exec(pdf.slice(pdf.indexOf('/Type /Sig')))![1]!;
    expect(Buffer.from(hex, 'hex').toString('latin1')).toBe(`D:${y}${mo}${d}${h}${mi}${s}+07'00'`);
  });

  it('a DOCX with --tsa: XAdES-T, and kyso verify shows the timestamp', async () => {
    const docx = makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
    const inDocx = path.join(dir, 'in.docx');
    writeFileSync(inDocx, docx.bytes);
    const out = path.join(dir, 'stamped.docx');
    const r = await kyso(['sign', inDocx, '-o', out, '--module', srv.token.module, '--cert', ltvCertificateId(srv, 'good').slice(0, 16), '--pin-stdin', '--tsa', srv.tsa.plain], `${srv.token.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('B-T');
    const v = await kyso(['verify', out, '--trust-anchor', srv.pki.root]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/OOXML \/_xmlsignatures\/sig1\.xml; covers the whole package[^\n]*; timestamped 20\d\d-/);
    expect(v.stdout).not.toContain('INVALID');
  });

  it('failures: clear code, exit 1, no file', async () => {
    const cases: [string[], string, string?][] = [
      [signArgs('good', path.join(dir, 'x1.pdf'), '--tsa', srv.tsa.unreachable), 'TSA_UNREACHABLE'],
      [signArgs('good', path.join(dir, 'x2.pdf'), '--tsa', srv.tsa.garbage), 'TSA_BAD_RESPONSE'],
      [signArgs('good', path.join(dir, 'x3.pdf'), '--tsa', srv.tsa.auth), 'TSA_AUTH_REQUIRED'],
      [signArgs('good', path.join(dir, 'x4.pdf'), '--tsa', srv.tsa.reject), 'TSA_REJECTED'],
      [signArgs('revoked', path.join(dir, 'x5.pdf'), '--tsa', srv.tsa.plain), 'CERTIFICATE_REVOKED'],
      [signArgs('expired', path.join(dir, 'x6.pdf')), 'CERTIFICATE_EXPIRED'],
      [signArgs('good', path.join(dir, 'x7.pdf'), '--level', 'B-LT'), 'BAD_REQUEST'],
      [signArgs('good', path.join(dir, 'x8.pdf'), '--level', 'B-X', '--tsa', srv.tsa.plain), 'BAD_REQUEST'],
      [signArgs('good', path.join(dir, 'x9.pdf'), '--tsa', srv.tsa.auth, '--tsa-user', TSA_USER, '--tsa-password-stdin'), 'BAD_REQUEST', `${srv.token.pin}\n`],
    ];
    // One after another: nine processes opening one SoftHSM token at once once made a certificate lookup miss
    // (CERTIFICATE_NOT_FOUND for a certificate that is there), which no user does and no test should depend on.
    const results = [];
    for (const [args, , stdin] of cases) results.push(await kyso(args, stdin ?? `${srv.token.pin}\n`));
    for (const [i, [args, code]] of cases.entries()) {
      const r = results[i]!;
      expect(r.status, `${code}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`kyso: ${code}:`);
      expect(existsSync(args[3]!)).toBe(false);
    }
  });

  it('kyso timestamp: a document timestamp alone, password on line 1; --ltv upgrades a B-T file to B-LTA', async () => {
    const out = path.join(dir, 'ts.pdf');
    const r = await kyso(['timestamp', input, '-o', out, '--tsa', srv.tsa.auth, '--tsa-user', TSA_USER, '--tsa-password-stdin'], `${TSA_PASSWORD}\n`);
    expect(r.status, r.stderr).toBe(0);
    const v = await kyso(['verify', out, '--json', '--trust-anchor', srv.pki.root]);
    expect(v.status, v.stdout).toBe(0);
    const json = JSON.parse(v.stdout) as { pdf: { kind: string; intact: boolean }[] };
    expect(json.pdf).toEqual([expect.objectContaining({ kind: 'document-timestamp', intact: true })]);

    const bt = await visibleBt();
    const lta = path.join(dir, 'bt-ltv.pdf');
    const u = await kyso(['timestamp', bt, '-o', lta, '--tsa', srv.tsa.plain, '--ltv']);
    expect(u.status, u.stderr).toBe(0);
    const uv = await kyso(['verify', lta, '--trust-anchor', srv.pki.root]);
    expect(uv.status, uv.stdout).toBe(0);
    expect(uv.stdout).toContain('LTV data complete');
    const none = await kyso(['timestamp', input, '-o', path.join(dir, 'never.pdf')]);
    expect(none.stderr).toContain('BAD_REQUEST');
  });
});
