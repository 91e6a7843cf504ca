/**
 * The tray app's side of remote signing, with its real dialog host behind a fake shell (the pages are played by
 * the test) and a remote certificate from the test CSC service: the approval window (what it shows, closed by the
 * agent, Cancel rejecting), the password window (the PIN window naming provider and account, never cached), the
 * confirmation and picker naming the provider, and Settings → remote accounts checked and applied to the real
 * account store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialogHost } from '../../src/app/dialog-host.js';
import { ElectronPrompter } from '../../src/app/electron-prompter.js';
import { PinCache } from '../../src/app/pin-cache.js';
import { PromptQueue } from '../../src/app/prompt-queue.js';
import { SettingsStore } from '../../src/app/settings.js';
import { settingsDialog } from '../../src/app/dialogs/settings.js';
import { applyRemoteChange, remoteAccountsView } from '../../src/app/remote-accounts.js';
import { RemoteAccountStore } from '../../src/core/remote/account-store.js';
import type { RemoteCertificate } from '../../src/core/remote/types.js';
import type { ApprovalDialogRequest, ConfirmDialogRequest, PinDialogRequest, SettingsDialogRequest } from '../../src/ui/kit/protocol.js';
import { startCscServer, type CscServer } from '../helpers/csc-server.js';
import { harness, testProvider, TEST_ACCOUNT } from '../remote/harness.js';
import { FakeSecrets, FakeShell } from './fake-shell.js';

let server: CscServer;
let cert: RemoteCertificate;
let dir: string;
beforeAll(async () => {
  server = await startCscServer({ multisign: 5 });
  cert = (await harness(server).source.certificates()).find((c) => c.info.keyType === 'RSA')!;
  dir = mkdtempSync(path.join(tmpdir(), 'kyso-app-remote-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const shell = new FakeShell({ userData: dir, logs: path.join(dir, 'logs'), executable: '/opt/Kyso/kyso', home: dir });
  const settings = new SettingsStore(path.join(dir, 'settings.json'), new FakeSecrets());
  const prompter = new ElectronPrompter({
    dialogs: new DialogHost(shell, { preload: '/p/preload.cjs' }), queue: new PromptQueue(), pinCache: new PinCache(), settings: () => settings.current,
  });
  return { shell, prompter };
}

describe('Electron prompter with a remote certificate', () => {
  it('the approval window names the app, provider, account label, code and deadline — never the CCCD — and closes when the agent is done', async () => {
    const { shell, prompter } = setup();
    const done = new AbortController();
    const expiresAt = new Date('2026-12-02T10:00:00.000Z');
    const shown = prompter.approval({ certificate: cert, documents: 3, approval: { index: 1, of: 2 }, code: '4821', expiresAt }, { signal: done.signal });
    const w = await shell.nextWindow('approval');
    expect(w.request<ApprovalDialogRequest>()).toEqual({
      provider: 'CSC thử nghiệm', app: 'Kyso Test Sign', account: 'CCCD của tôi', holder: cert.info.subject.commonName,
      documents: 3, approval: { index: 1, of: 2 }, code: '4821', expiresAt: expiresAt.toISOString(), language: 'vi',
    });
    expect(JSON.stringify(w.request())).not.toContain(TEST_ACCOUNT.account);
    expect(w.spec.options.title).toBe('Kyso — Xác nhận trên điện thoại');
    done.abort();
    await expect(shown).rejects.toMatchObject({ code: 'USER_CANCELLED' });
    expect(w.closed).toBe(true);
  });

  it('Cancel in the approval window rejects USER_CANCELLED (the agent then stops the operation)', async () => {
    const { shell, prompter } = setup();
    const shown = prompter.approval({ certificate: cert, documents: 1, approval: { index: 1, of: 1 }, expiresAt: new Date() }, { signal: new AbortController().signal });
    (await shell.nextWindow('approval')).cancel();
    await expect(shown).rejects.toMatchObject({ code: 'USER_CANCELLED' });
  });

  it('a service\'s password is asked in the PIN window naming provider and account, and never offered to be remembered', async () => {
    const { shell, prompter } = setup();
    const p = prompter.remoteSecret({ kind: 'password', account: TEST_ACCOUNT, provider: testProvider(server) });
    const w = await shell.nextWindow('pin');
    const req = w.request<PinDialogRequest>();
    expect(req).toMatchObject({ token: 'CSC thử nghiệm', holder: 'CCCD của tôi', cacheMinutes: 0, remote: { secret: 'password', provider: 'CSC thử nghiệm', account: 'CCCD của tôi' } });
    expect(JSON.stringify(req)).not.toContain(server.baseUrl);
    w.submit({ pin: 'mật-khẩu:1', remember: true });
    expect(await p).toBe('mật-khẩu:1');
  });

  it('the confirmation carries the provider and the approvals a batch takes', async () => {
    const { shell, prompter } = setup();
    const p = prompter.confirm({ origin: 'https://dichvucong.gov.vn', documents: [{ fileName: 'a.pdf', size: 1 }], certificate: cert, approvals: 2 });
    const w = await shell.nextWindow('confirm');
    const req = w.request<ConfirmDialogRequest>();
    expect(req.approvals).toBe(2);
    expect(req.certificate.remote).toEqual({ provider: 'CSC thử nghiệm', app: 'Kyso Test Sign', account: 'CCCD của tôi' });
    expect(req.certificate.token).toBeUndefined();
    w.submit({ confirmed: true });
    expect(await p).toBe(true);
  });
});

describe('Settings → Chữ ký số từ xa', () => {
  it('the window sees presets by id and partly hidden accounts; a change is checked, then applied to the store', () => {
    const providers = [testProvider(server, { baseUrl: 'https://csc.example.vn/csc/v2', account: { kind: 'cccd-or-mst', userIdTemplate: '{account}' } })];
    const store = (): RemoteAccountStore => new RemoteAccountStore(dir, providers);
    const s = store();
    const kept = s.add({ providerId: 'csc-test', account: '0101234567', label: 'Công ty' });
    const view = remoteAccountsView({ store: s, providers });
    expect(view).toEqual({
      providers: [{ id: 'csc-test', name: 'CSC thử nghiệm', app: 'Kyso Test Sign', accountKind: 'cccd-or-mst' }],
      accounts: [{ id: kept.id, providerId: 'csc-test', provider: 'CSC thử nghiệm', label: 'Công ty', account: '010••••567' }],
    });
    expect(JSON.stringify(view)).not.toContain('csc.example.vn');
    const request = { remote: view } as SettingsDialogRequest;
    const base = { language: 'vi', modulePaths: [], tsa: { url: '', username: '' }, appearance: {}, port: null, pinCacheMinutes: 0, logLevel: 'info', autostart: false, vnptCompat: false, revokedSites: [] };
    const spec = settingsDialog({ chooseModule: async () => null, installLocalCertificate: async () => ({ present: false, stores: [] }), chooseCertificateFile: async () => null }, { modules: new Set(), anchors: new Map() }, providers);
    const withSettings = { ...request, settings: { modulePaths: [], trustAnchors: [] } } as unknown as SettingsDialogRequest;
    // A provider not offered, a malformed account, an account not shown: refused, whatever the page says.
    expect(() => spec.parse({ ...base, remoteAccounts: { add: [{ providerId: 'evil', account: '079190001234', label: 'x' }], remove: [] } }, withSettings)).toThrow(/not one of the providers/);
    expect(() => spec.parse({ ...base, remoteAccounts: { add: [{ providerId: 'csc-test', account: '12345', label: 'x' }], remove: [] } }, withSettings)).toThrow(/expects/);
    expect(() => spec.parse({ ...base, remoteAccounts: { add: [], remove: ['acc-notshown00'] } }, withSettings)).toThrow(/not one of the accounts/);
    expect(() => spec.parse({ ...base, remoteAccounts: { add: [{ providerId: 'csc-test', account: '079190001234', label: 'x', password: 'p' }], remove: [] } }, withSettings)).toThrow();
    const result = spec.parse({ ...base, remoteAccounts: { add: [{ providerId: 'csc-test', account: '079 190 001 234', label: 'CCCD của tôi' }], remove: [kept.id] } }, withSettings);
    expect(result.remoteAccounts).toEqual({ add: [{ providerId: 'csc-test', account: '079190001234', label: 'CCCD của tôi' }], remove: [kept.id] });
    expect(applyRemoteChange({ store: s, providers }, result.remoteAccounts!)).toBe(true);
    expect(store().list().map((a) => [a.account, a.label])).toEqual([['079190001234', 'CCCD của tôi']]);
  });
});
