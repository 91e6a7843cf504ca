/**
 * The terminal prompter (questions on a terminal, PIN with echo off, safe answers without a terminal), the
 * pre-granted prompter of `kyso serve`, and the settings file (atomic, private, a damaged file allows nothing).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TerminalPrompter } from '../../src/agent/prompters/terminal.js';
import { PreGrantedPrompter, ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { SettingsStore } from '../../src/agent/settings-store.js';
import { OriginPolicy, parseOrigin } from '../../src/agent/origin-policy.js';
import type { PinRequest, TokenCertificate } from '../../src/agent/prompter.js';
import { sharedTokens, until } from './harness.js';
import { startCscServer } from '../helpers/csc-server.js';
import { harness, testProvider, TEST_ACCOUNT } from '../remote/harness.js';

function terminal(tty: boolean): { prompter: TerminalPrompter; type: (s: string) => void; output: () => string; raw: boolean[] } {
  const input = Object.assign(new PassThrough(), { isTTY: tty, setRawMode(r: boolean) { raw.push(r); return input; } });
  const raw: boolean[] = [];
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => { text += d; });
  return { prompter: new TerminalPrompter({ input, output: out }), type: (s) => input.write(s), output: () => text, raw };
}

const cert = (): TokenCertificate => sharedTokens().certificates()[0]!;
const pinRequest = (): PinRequest => ({ token: cert().token, certificate: cert(), pinState: 'ok' });

describe('TerminalPrompter', () => {
  it('asks consent and confirmation naming site, file and certificate; reads the PIN with echo off', async () => {
    const t = terminal(true);
    const consent = t.prompter.consent('https://dichvucong.gov.vn');
    await until(() => t.output().includes('https://dichvucong.gov.vn'), 60_000, 'the consent question'); // asked, so it listens
    t.type('c\n');
    expect(await consent).toBe(true);
    expect(t.output()).toContain('https://dichvucong.gov.vn');

    const confirm = t.prompter.confirm({ origin: 'https://dichvucong.gov.vn', documents: [{ fileName: 'to-khai.pdf', size: 1234 }], certificate: cert() });
    await until(() => t.output().includes('to-khai.pdf'), 60_000, 'the confirmation question');
    t.type('n\n');
    expect(await confirm).toBe(false);
    expect(t.output()).toContain('to-khai.pdf (1234 bytes)');
    expect(t.output()).toContain(cert().info.subject.commonName!);

    const pin = t.prompter.pin(pinRequest());
    await until(() => t.raw.includes(true), 60_000, 'echo off for the PIN');
    t.type('98');
    t.type('x\u007f76\r');
    expect(await pin).toBe('9876');
    expect(t.raw).toEqual([true, false]);
    expect(t.output()).not.toMatch(/9\D*8\D*7\D*6/);
  });

  it('without a terminal gives the safe answers', async () => {
    const t = terminal(false);
    expect(await t.prompter.consent('https://a.example')).toBe(false);
    expect(await t.prompter.confirm({ origin: 'https://a.example', documents: [], certificate: cert() })).toBe(false);
    await expect(t.prompter.pin(pinRequest())).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
    await expect(t.prompter.chooseCertificate('https://a.example', [cert()])).rejects.toMatchObject({ code: 'USER_CANCELLED' });
  });

  it('an aborted question is USER_CANCELLED', async () => {
    const t = terminal(true);
    const ac = new AbortController();
    const q = t.prompter.consent('https://a.example', { signal: ac.signal });
    ac.abort();
    await expect(q).rejects.toMatchObject({ code: 'USER_CANCELLED' });
  });
});

describe('TerminalPrompter with remote signing', () => {
  it('the confirmation names the provider and the approvals; the approval notice says which app, the code and the deadline; Enter cancels; the password is read with echo off', async () => {
    const server = await startCscServer({ multisign: 2 });
    try {
      const remote = (await harness(server).source.certificates())[0]!;
      const t = terminal(true);
      const confirm = t.prompter.confirm({ origin: 'https://dichvucong.gov.vn', documents: [{ fileName: 'a.pdf', size: 1 }], certificate: remote, approvals: 3 });
      await until(() => t.output().includes('Sign it?'), 60_000, 'the confirmation');
      t.type('c\n');
      expect(await confirm).toBe(true);
      expect(t.output()).toContain('ký số từ xa CSC thử nghiệm (CCCD của tôi) / remote signing, CSC thử nghiệm (CCCD của tôi)');
      expect(t.output()).toContain('Cần xác nhận 3 lần trên điện thoại / needs 3 approvals on the phone');

      // Closed by the agent: it resolves, no answer needed.
      const done = new AbortController();
      const shown = t.prompter.approval({ certificate: remote, documents: 2, approval: { index: 1, of: 2 }, code: '4821', expiresAt: new Date('2026-12-02T03:04:05Z') }, { signal: done.signal });
      await until(() => t.output().includes('Enter = huỷ'), 60_000, 'the approval notice');
      expect(t.output()).toContain('Mở ứng dụng Kyso Test Sign trên điện thoại để xác nhận / Open Kyso Test Sign on your phone to confirm');
      expect(t.output()).toContain('lần 1/2 / approval 1 of 2');
      expect(t.output()).toContain('Mã xác nhận / code: 4821');
      expect(t.output()).toContain('Hết hạn lúc / expires at 10:04:05 (GMT+7)');
      done.abort();
      await shown;
      // Enter: Cancel.
      const before = t.output().split('Enter = huỷ').length;
      const cancelled = t.prompter.approval({ certificate: remote, documents: 1, approval: { index: 1, of: 1 }, expiresAt: new Date() }, { signal: new AbortController().signal });
      await until(() => t.output().split('Enter = huỷ').length > before, 60_000, 'the second notice');
      t.type('\n');
      await expect(cancelled).rejects.toMatchObject({ code: 'USER_CANCELLED' });

      const secret = t.prompter.remoteSecret({ kind: 'password', account: TEST_ACCOUNT, provider: testProvider(server) });
      await until(() => t.raw.includes(true), 60_000, 'echo off for the password');
      t.type('mật-khẩu\r');
      expect(await secret).toBe('mật-khẩu');
      expect(t.output()).toContain('CSC thử nghiệm — CCCD của tôi: Mật khẩu / password: ');
      expect(t.output()).not.toContain('mật-khẩu\n');
      await expect(terminal(false).prompter.remoteSecret({ kind: 'password', account: TEST_ACCOUNT, provider: testProvider(server) })).rejects.toMatchObject({ code: 'REMOTE_AUTH_FAILED' });
    } finally {
      await server.close();
    }
  });
});

describe('PreGrantedPrompter', () => {
  it('grants only the listed origins and forgets a PIN the token refused', async () => {
    const fallback = new ScriptedPrompter({ consent: false, confirm: false });
    const p = new PreGrantedPrompter({ trustedOrigins: ['https://trusted.example'], pin: '1111', fallback });
    expect(await p.consent('https://trusted.example')).toBe(true);
    expect(await p.consent('https://other.example')).toBe(false);
    expect(await p.confirm({ origin: 'https://trusted.example', documents: [], certificate: cert() })).toBe(true);
    expect(await p.confirm({ origin: 'https://other.example', documents: [], certificate: cert() })).toBe(false);
    expect(await p.pin(pinRequest())).toBe('1111');
    p.pinRejected(pinRequest());
    expect(p.hasPin).toBe(false);
    await expect(p.pin(pinRequest())).rejects.toMatchObject({ code: 'USER_CANCELLED' }); // fallback has no PIN
  });
});

describe('settings file', () => {
  it('is written atomically, privately, and re-read when changed on disk', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-settings-'));
    const file = path.join(dir, 'sub', 'agent-settings.json');
    const store = new SettingsStore(file);
    store.allow('https://a.example');
    store.allow('https://b.example');
    expect(readdirSync(path.dirname(file))).toEqual(['agent-settings.json']); // no temporary file left
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new SettingsStore(file).allowedSites().map((s) => s.origin)).toEqual(['https://a.example', 'https://b.example']);
    expect(store.revoke('https://a.example')).toBe(true);
    expect(store.revoke('https://a.example')).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8')).allowedOrigins.map((s: { origin: string }) => s.origin)).toEqual(['https://b.example']);
  });

  it('a damaged file allows nothing and is kept aside for the user', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-settings-'));
    const file = path.join(dir, 'agent-settings.json');
    writeFileSync(file, '{"version":1,"allowedOrigins":[{"origin":"https://a.example"');
    const store = new SettingsStore(file);
    expect(store.allowedSites()).toEqual([]);
    expect(store.isAllowed('https://a.example')).toBe(false);
    expect(store.problem).toMatch(/unreadable/);
    expect(existsSync(`${file}.damaged`)).toBe(true);
  });
});

describe('origins', () => {
  it('accepts serialized http(s) origins only', () => {
    expect(parseOrigin('https://dichvucong.gov.vn')).toBe('https://dichvucong.gov.vn');
    expect(parseOrigin('https://Portal.Example:8443')).toBe('https://portal.example:8443');
    for (const bad of [undefined, '', 'null', 'file://', 'https://a.example/x', 'https://u:p@a.example', 'ftp://a.example', 'javascript:alert(1)']) {
      expect(parseOrigin(bad), String(bad)).toBeUndefined();
    }
  });

  it('concurrent requests of one site share one consent prompt', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-settings-'));
    let asked = 0;
    const policy = new OriginPolicy(new SettingsStore(path.join(dir, 's.json')), new ScriptedPrompter({ consent: async () => { asked++; await new Promise((r) => setTimeout(r, 50)); return true; } }));
    await Promise.all([policy.ensure('https://a.example'), policy.ensure('https://a.example'), policy.ensure('https://a.example')]);
    expect(asked).toBe(1);
  });
});
