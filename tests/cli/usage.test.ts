/**
 * What a newcomer sees: usage errors with a code in both languages, the exit statuses in `kyso --help`,
 * which module is loaded (KYSO_PKCS11_MODULE), "no token" as a failure, a closed pipe, error details in words.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures, softhsmEnv } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { KYSO, kyso, mod, writePdf, type Run } from './cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-usage-'));

/** Vietnamese on the line before English, as every message of Kyso. */
function expectViThenEn(text: string, vi: string, en: string): void {
  const at = (s: string): number => text.indexOf(s);
  expect(at(vi), text).toBeGreaterThanOrEqual(0);
  expect(at(en), text).toBeGreaterThan(at(vi));
}

/** `kyso sign --help`, run once for the two tests that read it (whichever runs first runs it). */
let signHelpRun: Run | undefined;
const signHelp = (): Run => (signHelpRun ??= kyso(['sign', '--help']));

describe('kyso usage errors and help', () => {
  it('a missing required option or an unknown option: USAGE, Vietnamese then English, exit 64 (verify: 2)', () => {
    const stderr: string[] = [];
    for (const args of [['sign', 'in.pdf'], ['sign', 'in.pdf', '-o', 'x.pdf', '--no-such-flag'], ['verify'], ['verify', 'x.pdf', '--bogus'], ['frobnicate']]) {
      const r = kyso(args);
      expect(r.status, args.join(' ')).toBe(args[0] === 'verify' ? 2 : 64);
      expect(r.stderr.startsWith('kyso: USAGE: '), r.stderr).toBe(true);
      expectViThenEn(r.stderr, 'Câu lệnh không đúng cách dùng', 'Incorrect command usage');
      expect(r.stderr).not.toMatch(/^error:/m);
      stderr.push(r.stderr);
    }
    // `kyso sign in.pdf` (the first case) names the option it misses.
    expect(stderr[0]).toContain("required option '-o, --output <file>' not specified");
  });

  it('kyso --help lists the exit statuses the commands use; help and version exit 0', () => {
    const r = kyso(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Mã thoát / Exit status:');
    for (const code of ['0', '1', '2', '3', '64']) expect(r.stdout).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
    expect(kyso(['--version']).status).toBe(0);
    expect(signHelp().status).toBe(0);
  });

  it('kyso sign --help says it signs Office documents too', () => {
    const help = signHelp().stdout;
    expect(help).toContain('PDF hoặc Office (DOCX, XLSX, PPTX)');
    expect(help).not.toContain('sign a PDF with');
    expect(help).toContain('--force');
  });
});

describe('kyso tokens: which modules, and when there is no token', () => {
  it('KYSO_PKCS11_MODULE names the module: one that does not load is MODULE_LOAD_FAILED (exit 1), nothing else is searched', () => {
    const r = kyso(['tokens'], undefined, { KYSO_PKCS11_MODULE: '/nonexistent/libtoken.so' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kyso: MODULE_LOAD_FAILED:');
    expect(r.stdout).toBe('');
    const ok = kyso(['tokens'], undefined, { KYSO_PKCS11_MODULE: fixtures().softhsm.module });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.match(/^module /gm)).toHaveLength(1);
    expect(ok.stdout).toContain(`token "${fixtures().softhsm.tokenLabel}"`);
  });

  it('no token: the listing, then NO_TOKEN and exit 1 (also with --json)', () => {
    const empty = path.join(dir, 'empty-tokens');
    const conf = path.join(dir, 'softhsm-empty.conf');
    mkdirSync(empty);
    writeFileSync(conf, `directories.tokendir = ${empty}\nobjectstore.backend = file\n`);
    for (const json of [[], ['--json']]) {
      const r = kyso(['tokens', ...mod(), ...json], undefined, { SOFTHSM2_CONF: conf });
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain('kyso: NO_TOKEN:');
    }
    expect(kyso(['tokens', ...mod(), '--token', 'No Such Token']).status).toBe(1);
  });

  it('a reader that goes away (kyso tokens | head) ends kyso quietly, exit 0', async () => {
    const child = spawn(process.execPath, [KYSO, 'tokens', ...mod()], { env: softhsmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before kyso writes its first line
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});

describe('error details in words', () => {
  it('a wrong PIN says how many tries are left in words, not as an internal state', async () => {
    const input = await writePdf(path.join(dir, 'wrong-pin.pdf'));
    const r = kyso(['sign', input, '-o', path.join(dir, 'wrong-pin-out.pdf'), ...mod(), '--cert', certificateId('rsa'), '--pin-stdin'], '000000\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PIN_INCORRECT');
    expect(r.stderr).not.toContain('pinState=');
    expect(r.stderr).toMatch(/\(.*lần thử.* \/ .*(tries|try).*\)/);
  });
});
