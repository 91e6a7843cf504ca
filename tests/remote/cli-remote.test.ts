/**
 * `kyso remote add|list|remove|certificates` and `kyso sign --remote`, run as a user runs them, against the test
 * CSC service named by a `remote-providers.json` in the test's own config directory (the way an organisation points
 * Kyso at its own service; a web page has no way to). The document and output are checked before anything is sent;
 * the wait is shown on stderr, Vietnamese first; declined, wrong password and Ctrl-C leave no file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KYSO, kyso, writePdf } from '../cli/cli.js';
import { until } from '../agent/harness.js';
import { startCscServer, CSC_PASSWORD, CSC_USER, type CscServer } from '../helpers/csc-server.js';
import { softhsmEnv } from '../helpers/fixtures.js';
import { pdfsig } from '../helpers/tools.js';

let server: CscServer;
let dir: string;
let config: string;
let pdf: string;

beforeAll(async () => {
  server = await startCscServer({ signers: ['rsa'] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-remote-cli-'));
  config = path.join(dir, 'config');
  // Before anything is added: no account, and listing creates nothing.
  const empty = kyso(['remote', '--config-dir', config, 'list']);
  expect(empty.status).toBe(0);
  expect(empty.stderr).toContain('no account yet');
  expect(existsSync(config)).toBe(false);
  mkdirSync(config, { recursive: true });
  writeFileSync(path.join(config, 'remote-providers.json'), JSON.stringify({
    version: 1,
    providers: [{
      id: 'csc-test', name: 'CSC thử nghiệm', app: 'Kyso Test Sign', baseUrl: server.baseUrl, protocol: 'csc-v2',
      account: { kind: 'cccd', userIdTemplate: '{account}' }, approval: { pollIntervalMs: 5, timeoutMs: 600_000 },
    }],
  }));
  pdf = await writePdf(path.join(dir, 'in.pdf'), 'Don ky so tu xa');
});
afterAll(async () => { await server?.close(); });

/** kyso as a child process, asynchronously (the CSC service answers from this process). */
function run(args: string[], input = ''): { done: Promise<{ status: number | null; stdout: string; stderr: string }>; stderr: () => string; signal: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [KYSO, ...args], { env: softhsmEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  child.stdin.end(input);
  return {
    done: new Promise((resolve) => child.once('exit', (status) => resolve({ status, stdout: out, stderr: err }))),
    stderr: () => err,
    signal: (s) => child.kill(s),
  };
}

const remote = (...args: string[]): string[] => ['remote', '--config-dir', config, ...args];
const sign = (output: string, ...extra: string[]): string[] => ['sign', pdf, '-o', output, '--remote', 'CCCD của tôi', '--config-dir', config, '--pin-stdin', ...extra];

describe('kyso remote and kyso sign --remote', () => {
  it('adds, lists and refuses a malformed account; the file holds no secret', () => {
    const bad = kyso(remote('add', '--provider', 'csc-test', '--account', '12345'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('BAD_REQUEST');
    expect(bad.stderr).toContain('CCCD of 12 digits');
    const unknown = kyso(remote('add', '--provider', 'vnpt-khong-co', '--account', CSC_USER));
    expect(unknown.status).toBe(1);
    const added = kyso(remote('add', '--provider', 'csc-test', '--account', ` ${CSC_USER.slice(0, 6)} ${CSC_USER.slice(6)} `, '--label', 'CCCD của tôi'));
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout.trim()).toMatch(/^acc-[0-9a-f]{12}$/);
    const file = path.join(config, 'remote-accounts.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(CSC_PASSWORD);
    const list = kyso(remote('list'));
    expect(list.stdout).toContain(`csc-test  ${CSC_USER}  CCCD của tôi`);
    expect(kyso(['--help']).stdout).toContain('remote');
  });

  it('checks the document and the output before anything is sent', async () => {
    const before = server.calls.length;
    writeFileSync(path.join(dir, 'exists.pdf'), 'x');
    const exists = await run(sign(path.join(dir, 'exists.pdf')), `${CSC_PASSWORD}\n`).done;
    expect(exists.stderr).toContain('OUTPUT_EXISTS');
    const missing = await run(['sign', path.join(dir, 'none.pdf'), '-o', path.join(dir, 'o.pdf'), '--remote', 'CCCD của tôi', '--config-dir', config, '--pin-stdin'], `${CSC_PASSWORD}\n`).done;
    expect(missing.status).toBe(1);
    const keyword = await run(sign(path.join(dir, 'k.pdf'), '--keyword', 'Không có trong tài liệu'), `${CSC_PASSWORD}\n`).done;
    expect(keyword.stderr).toContain('KEYWORD_NOT_FOUND');
    expect(server.calls.length).toBe(before);
  });

  it('lists the account\'s certificates and signs a PDF approved on the phone: pdfsig finds it valid', async () => {
    const certs = await run(remote('certificates', 'CCCD của tôi', '--pin-stdin'), `${CSC_PASSWORD}\n`).done;
    expect(certs.status, certs.stderr).toBe(0);
    expect(certs.stdout).toContain('NGUYỄN THỊ ÁNH TUYẾT');
    server.phone.answer = { approveAfterPolls: 2 };
    const out = path.join(dir, 'signed.pdf');
    const r = await run(sign(out, '--reason', 'Nộp hồ sơ'), `${CSC_PASSWORD}\n`).done;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('Mở ứng dụng Kyso Test Sign trên điện thoại để xác nhận / Open Kyso Test Sign on your phone to confirm');
    expect(r.stderr).toContain('còn / time left');
    expect(r.stderr).not.toContain(CSC_PASSWORD);
    const v = pdfsig(out);
    expect(v.signatures[0], v.output).toMatchObject({ valid: true, trusted: true, signerCommonName: 'NGUYỄN THỊ ÁNH TUYẾT' });
  });

  it('declined, or a wrong password: typed error, exit 1, no file', async () => {
    server.phone.answer = 'decline';
    const declined = path.join(dir, 'declined.pdf');
    const r = await run(sign(declined), `${CSC_PASSWORD}\n`).done;
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('REMOTE_REJECTED');
    expect(r.stderr).toContain('Yêu cầu ký đã bị từ chối');
    expect(existsSync(declined)).toBe(false);
    server.phone.answer = { approveAfterPolls: 1 };
    const wrong = await run(sign(path.join(dir, 'wrong.pdf')), 'sai-mật-khẩu\n').done;
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('REMOTE_AUTH_FAILED');
    expect(wrong.stderr).not.toContain('sai-mật-khẩu');
    expect(existsSync(path.join(dir, 'wrong.pdf'))).toBe(false);
  });

  it('Ctrl-C while the phone is asked cancels cleanly and stops asking the service', async () => {
    server.phone.answer = 'never';
    const out = path.join(dir, 'cancelled.pdf');
    const p = run(sign(out), `${CSC_PASSWORD}\n`);
    await until(() => p.stderr().includes('Mở ứng dụng'), 60_000, 'the approval notice');
    const handle = server.phone.requests.at(-1)!;
    await until(() => handle.polls >= 1, 60_000, 'a poll');
    p.signal('SIGINT');
    const r = await p.done;
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('USER_CANCELLED');
    expect(existsSync(out)).toBe(false);
    const polls = handle.polls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(handle.polls).toBe(polls);
    server.phone.answer = { approveAfterPolls: 1 };
  });

  it('removes the account by label', () => {
    const r = kyso(remote('remove', 'CCCD của tôi'));
    expect(r.status, r.stderr).toBe(0);
    expect(kyso(remote('list')).stdout).not.toContain(CSC_USER);
    expect(kyso(remote('remove', 'CCCD của tôi')).status).toBe(1);
  });
});
