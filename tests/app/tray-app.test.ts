/**
 * The tray app's controller under Node: the tray's state machine (icon and tooltip follow the agent, the
 * tokens of the real SoftHSM module and the waiting prompts), the menu (tokens and certificates with details,
 * allowed sites with revoke, settings, logs, version, quit), the settings window's round trip (module paths
 * only from the file dialog, password only encrypted, agent restarted with the new settings, autostart), the
 * verify window (a real signed PDF checked by core in the main process, its signed revision saved), and PINs
 * forgotten on lock and quit. The agent is scripted here; its tokens are the real token layer's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KysoError } from '../../src/core/errors.js';
import type { TokenCertificate, TokenService, TokenSummary } from '../../src/core/token/token-service.js';
import type { AgentRuntime, AgentStartOptions } from '../../src/app/agent-runtime.js';
import { DialogHost } from '../../src/app/dialog-host.js';
import { SettingsStore } from '../../src/app/settings.js';
import { localCertificate, type LocalCertificate } from '../../src/app/local-certificate.js';
import { NssStore } from '../../src/agent/tls/nss.js';
import { TrayApp, type TrayAppDeps } from '../../src/app/tray-app.js';
import { initialTrayState, reduceTray, trayIcon, trayView } from '../../src/app/tray-state.js';
import type { AllowedSite, LocalCertificateView, SettingsDialogRequest, SettingsDialogResult } from '../../src/ui/kit/protocol.js';
import { fixtures } from '../helpers/fixtures.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { PDF } from '@libpdf/core';
import { signPdf } from '../../src/core/pdf/sign.js';
import { signDocument } from '../../src/core/sign-document.js';
import { openPackage, writePackage } from '../../src/core/ooxml/package.js';
import { verifyDocument } from '../../src/core/verify-document.js';
import { parseAnchorFile } from '../../src/core/validation/trust.js';
import type { VerifyDialogRequest, VerifyOutcome } from '../../src/ui/kit/protocol.js';
import { FakeSecrets, FakeShell, tick } from './fake-shell.js';


let tokens: TokenService;
beforeAll(() => { tokens = openTestTokens(); });
afterAll(() => { tokens?.close(); });

/** The agent as the tray app sees it: scripted start/stop and sites; tokens from the real token layer. */
class ScriptedAgent implements AgentRuntime {
  readonly defaultPort = 58110;
  starts: AgentStartOptions[] = [];
  stops = 0;
  failNext: unknown;
  plugged = true;
  sites: AllowedSite[] = [{ origin: 'https://dichvucong.gov.vn', since: '2026-01-02T03:04:05.000Z' }, { origin: 'https://igate.vnpt.vn' }];
  private tokenListeners = new Set<() => void>();
  async start(options: AgentStartOptions): Promise<{ port: number }> {
    this.starts.push(options);
    if (this.failNext) { const e = this.failNext; this.failNext = undefined; throw e; }
    return { port: options.port ?? this.defaultPort };
  }
  async stop(): Promise<void> { this.stops++; }
  tokens(): TokenSummary[] { return this.plugged ? tokens.tokens() : []; }
  certificates(): TokenCertificate[] { return this.plugged ? tokens.certificates() : []; }
  onTokensChanged(l: () => void): () => void { this.tokenListeners.add(l); return () => this.tokenListeners.delete(l); }
  setPlugged(p: boolean): void { this.plugged = p; for (const l of this.tokenListeners) l(); }
  allowedSites(): AllowedSite[] { return [...this.sites]; }
  revokeSite(origin: string): void { this.sites = this.sites.filter((s) => s.origin !== origin); }
}

let dir: string;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

async function startApp(platform: 'win32' | 'linux' = 'win32', extra: { localCertificate?: LocalCertificate; verify?: TrayAppDeps['verify'] } = {}) {
  dir = mkdtempSync(path.join(tmpdir(), 'kyso-tray-'));
  const shell = new FakeShell({ userData: path.join(dir, 'Kyso'), logs: path.join(dir, 'Kyso/logs'), executable: path.join(dir, 'Kyso.exe'), home: dir }, platform);
  const settings = new SettingsStore(path.join(dir, 'Kyso/settings.json'), shell.secrets);
  const agent = new ScriptedAgent();
  const app = new TrayApp({ shell, agent, settings, dialogs: new DialogHost(shell, { preload: '/p' }), versions: { electron: '41.7.1', node: '22', chrome: '146' }, ...extra });
  await app.start();
  return { shell, settings, agent, app };
}

const labels = (items: Array<{ label?: string }> | undefined): string[] => (items ?? []).map((i) => i.label ?? '—');

describe('tray state machine', () => {
  it('icon: error over waiting over token over idle', () => {
    let s = initialTrayState('1.0.0', 'vi');
    expect(trayIcon(s)).toBe('idle');
    expect(trayView(s).tooltip).toBe('Kyso đang khởi động…');
    s = reduceTray(s, { type: 'agent-started', port: 58110 });
    expect(trayView(s).tooltip).toBe('Kyso — chưa thấy USB token');
    s = reduceTray(s, { type: 'tokens', tokens: [{ id: 't', label: 'VNPT-CA', vendor: 'vnpt', certificates: [] }] });
    expect(trayIcon(s)).toBe('token');
    expect(trayView(s).tooltip).toBe('Kyso — đã cắm 1 USB token');
    s = reduceTray(s, { type: 'pending', count: 2 });
    expect(trayIcon(s)).toBe('waiting');
    expect(trayView(s).tooltip).toBe('Kyso — có 2 yêu cầu đang chờ bạn');
    s = reduceTray(s, { type: 'agent-failed', reason: 'cổng 58110 đang được chương trình khác dùng' });
    expect(trayIcon(s)).toBe('error');
    expect(trayView(s).tooltip).toBe('Kyso không chạy được: cổng 58110 đang được chương trình khác dùng');
    s = reduceTray(s, { type: 'language', language: 'en' });
    expect(trayView(s).tooltip).toBe('Kyso is not running: cổng 58110 đang được chương trình khác dùng');
  });
});

describe('tray app', () => {
  it('starts the agent with our prompter and the settings; shows the real token and its certificates', async () => {
    const { shell, agent, app } = await startApp();
    expect(agent.starts).toHaveLength(1);
    expect(agent.starts[0]).toMatchObject({ port: null, modulePaths: [], logLevel: 'info', logDir: shell.paths.logs, dataDir: shell.paths.userData });
    expect(agent.starts[0]!.prompter).toBe(app.prompter);
    expect(shell.tray!.icon).toBe('token');
    const menu = shell.tray!.menu;
    expect(menu[0]).toEqual({ label: 'Kyso 0.1.0-test đang chạy (cổng 58110)', enabled: false });
    expect(labels(menu)).toEqual([
      'Kyso 0.1.0-test đang chạy (cổng 58110)', '—', 'USB token và chứng thư số', 'Trang web được phép', '—',
      'Kiểm tra chữ ký…', 'Cài đặt…', 'Mở thư mục nhật ký', 'Phiên bản đã cài…', '—', 'Thoát Kyso',
    ]);
    const tokenMenu = menu[2]!.submenu!;
    expect(labels(tokenMenu)).toEqual(tokens.tokens().map((t) => `${t.label} (${t.vendor})`));
    const rsa = tokens.certificates().find((c) => c.info.subject.commonName === fixtures().pki.signers.rsa.cn)!;
    const token = rsa.token;
    const certItems = tokenMenu.find((i) => i.label!.startsWith(token.label))!.submenu!;
    expect(certItems.length).toBe(tokens.certificates().filter((c) => c.token.id === token.id).length);
    const cn = fixtures().pki.signers.rsa.cn;
    expect(labels(certItems).some((l) => l.startsWith(cn))).toBe(true);

    // Details of a certificate in a message box.
    shell.clickTray(new RegExp(`^${cn}`));
    await tick();
    const box = shell.messages.at(-1)!;
    expect(box.message).toBe(cn);
    expect(box.detail).toMatch(/Nhà cung cấp: .+\nHiệu lực: \d\d\/\d\d\/\d{4} – \d\d\/\d\d\/\d{4}\nToken: /);
  });

  it('follows the token being pulled out and plugged in', async () => {
    const { shell, agent } = await startApp();
    agent.setPlugged(false);
    expect(shell.tray!.icon).toBe('idle');
    expect(shell.tray!.tooltip).toBe('Kyso — chưa thấy USB token');
    expect(labels(shell.tray!.menu[2]!.submenu)).toEqual(['Chưa cắm USB token']);
    agent.setPlugged(true);
    expect(shell.tray!.icon).toBe('token');
  });

  it('shows a waiting request, and the menu brings its window to the front', async () => {
    const { shell, app } = await startApp();
    const answer = app.prompter.consent('https://dichvucong.gov.vn');
    const w = await shell.nextWindow('consent');
    expect(shell.tray!.icon).toBe('waiting');
    expect(shell.tray!.menu[1]!.label).toBe('Xem yêu cầu đang chờ (1)');
    expect(w.presented).toBe(1);
    shell.clickTray('Xem yêu cầu đang chờ (1)');
    expect(w.presented).toBe(2);
    w.submit({ allow: true });
    await answer;
    await tick();
    expect(shell.tray!.icon).toBe('token');
  });

  it('revokes an allowed site from the menu', async () => {
    const { shell, agent } = await startApp();
    expect(labels(shell.tray!.menu[3]!.submenu)).toEqual(['Thu hồi quyền của https://dichvucong.gov.vn', 'Thu hồi quyền của https://igate.vnpt.vn']);
    shell.clickTray('Thu hồi quyền của https://igate.vnpt.vn');
    await tick();
    expect(agent.sites.map((s) => s.origin)).toEqual(['https://dichvucong.gov.vn']);
    expect(labels(shell.tray!.menu[3]!.submenu)).toEqual(['Thu hồi quyền của https://dichvucong.gov.vn']);
  });

  it('says why the agent could not start (port taken)', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kyso-tray-'));
    const shell = new FakeShell({ userData: dir, logs: dir, executable: 'k', home: dir });
    const agent = new ScriptedAgent();
    agent.failNext = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 58110 });
    const app = new TrayApp({ shell, agent, settings: new SettingsStore(path.join(dir, 's.json'), new FakeSecrets()), dialogs: new DialogHost(shell, { preload: '/p' }) });
    await app.start();
    expect(shell.tray!.icon).toBe('error');
    expect(shell.tray!.tooltip).toBe('Kyso không chạy được: cổng 58110 đang được chương trình khác dùng');
    agent.failNext = new KysoError('MODULE_NOT_FOUND');
    await (app as unknown as { startAgent(): Promise<void> }).startAgent();
    expect(shell.tray!.menu[0]!.label).toMatch(/lỗi — Không tìm thấy trình điều khiển USB token/);
  });

  it('opens the log folder, shows the version, quits cleanly', async () => {
    const { shell, agent, app } = await startApp();
    shell.clickTray('Mở thư mục nhật ký');
    shell.clickTray('Phiên bản đã cài…');
    await tick();
    expect(shell.openedFolders).toEqual([shell.paths.logs]);
    expect(shell.messages.at(-1)).toMatchObject({ message: 'Kyso 0.1.0-test', detail: expect.stringContaining('Electron 41.7.1') });
    app.pinCache.configure(5);
    app.pinCache.put('t', '1234');
    const waiting = app.prompter.consent('https://a.gov.vn');
    const queued = app.prompter.consent('https://b.gov.vn').catch((e: unknown) => e);
    await shell.nextWindow('consent');
    shell.clickTray('Thoát Kyso');
    await tick();
    expect(app.pinCache.size).toBe(0);
    expect(await queued).toMatchObject({ code: 'USER_CANCELLED', detail: 'Kyso is quitting' });
    expect(agent.stops).toBe(1);
    expect(shell.quitCalled).toBe(true);
    shell.open.forEach((w) => w.closeByUser());
    await waiting;
  });

  it('forgets cached PINs when the computer locks', async () => {
    const { app } = await startApp();
    app.pinCache.configure(5);
    app.pinCache.put('t', '1234');
    app.onSessionLocked();
    expect(app.pinCache.size).toBe(0);
  });
});

describe('settings window', () => {
  it('shows the local certificate and adds it to the browsers again on request (a real NSS database); the agent restarts to serve it', async () => {
    const nss = mkdtempSync(path.join(tmpdir(), 'kyso-tray-nss-'));
    const data = mkdtempSync(path.join(tmpdir(), 'kyso-tray-data-'));
    const lc = localCertificate(data, () => [new NssStore(path.join(nss, 'db'), 'Chromium (test)', { create: true })]);
    const { shell, agent } = await startApp('linux', { localCertificate: lc });
    shell.clickTray('Cài đặt…');
    const w = await shell.nextWindow('settings');
    expect(w.request<SettingsDialogRequest>().localCertificate).toEqual({ present: false, stores: [] });
    const starts = agent.starts.length;
    const view = await w.call('installLocalCertificate') as LocalCertificateView;
    expect(view).toMatchObject({ present: true, caName: expect.stringMatching(/^Kyso Local CA /), stores: [{ label: 'Chromium (test)', installed: true }] });
    expect(spawnSync('certutil', ['-L', '-d', `sql:${path.join(nss, 'db')}`, '-n', view.caName!]).status).toBe(0);
    expect(agent.starts.length).toBe(starts + 1);
    // Again: nothing new to make, no restart.
    await w.call('installLocalCertificate');
    expect(agent.starts.length).toBe(starts + 1);
    w.cancel();
    rmSync(nss, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('round trip: modules only from the file dialog, password encrypted, agent restarted, autostart off, site revoked, English', async () => {
    const { shell, settings, agent, app } = await startApp();
    shell.clickTray('Cài đặt…');
    const w = await shell.nextWindow('settings');
    expect(w.spec.options.alwaysOnTop).toBe(false);
    const req = w.request<SettingsDialogRequest>();
    expect(req).toMatchObject({
      secretsAvailable: true, pinCacheChoices: [0, 1, 5, 15, 30], defaultPort: 58110, version: '0.1.0-test', language: 'vi',
      settings: { language: 'vi', modulePaths: [], port: null, pinCacheMinutes: 0, autostart: true, vnptCompat: true, tsa: { url: '', username: '', hasPassword: false } },
    });
    expect(req.sites.map((s) => s.origin)).toEqual(['https://dichvucong.gov.vn', 'https://igate.vnpt.vn']);

    // A second "Settings…" click brings the same window forward.
    shell.clickTray('Cài đặt…');
    await tick();
    expect(shell.windows.filter((x) => x.kind === 'settings')).toHaveLength(1);
    expect(w.presented).toBe(2);

    shell.fileAnswers.push('C:\\Program Files\\Viettel-CA\\viettel-ca_v6.dll');
    expect(await w.call('chooseModule')).toBe('C:\\Program Files\\Viettel-CA\\viettel-ca_v6.dll');
    await expect(w.call('readFile')).rejects.toThrow(/no call readFile/);

    const answer: SettingsDialogResult = {
      language: 'en',
      modulePaths: ['C:\\Program Files\\Viettel-CA\\viettel-ca_v6.dll'],
      tsa: { url: 'https://tsa.example.vn/tsr', username: 'an', password: 'p@ss' },
      appearance: { show: { signer: true, title: true }, bold: true },
      port: 14321,
      pinCacheMinutes: 5,
      logLevel: 'debug',
      autostart: false,
      vnptCompat: false,
      revokedSites: ['https://igate.vnpt.vn'],
    };
    w.submit(answer);
    await tick(); await tick();
    expect(w.closed).toBe(true);
    expect(settings.current).toMatchObject({ language: 'en', port: 14321, pinCacheMinutes: 5, logLevel: 'debug', autostart: false });
    expect(readFileSync(settings.file, 'utf8')).not.toContain('p@ss');
    expect(agent.sites.map((s) => s.origin)).toEqual(['https://dichvucong.gov.vn']);
    expect(shell.loginItems.at(-1)).toEqual({ openAtLogin: false, args: ['--hidden'], name: 'Kyso' });
    expect(agent.stops).toBe(1);
    expect(agent.starts[0]).toMatchObject({ tls: true, vnpt: true });
    expect(agent.starts.at(-1)).toMatchObject({ vnpt: false, tls: true, port: 14321, logLevel: 'debug', modulePaths: answer.modulePaths, tsa: { url: 'https://tsa.example.vn/tsr', username: 'an', password: 'p@ss' } });
    expect(app.pinCache.enabledMinutes).toBe(5);
    expect(shell.tray!.menu[0]!.label).toBe('Kyso 0.1.0-test is running (port 14321)');
  });

  it('a module path the page typed itself is refused; nothing changes', async () => {
    const { shell, settings, agent } = await startApp();
    shell.clickTray('Cài đặt…');
    const w = await shell.nextWindow('settings');
    const v = w.request<SettingsDialogRequest>().settings;
    w.submit({ ...v, tsa: { url: '', username: '' }, modulePaths: ['/tmp/evil.so'], revokedSites: [] });
    await tick();
    expect(settings.current.modulePaths).toEqual([]);
    expect(shell.messages.at(-1)).toMatchObject({ type: 'error', detail: expect.stringContaining('module paths must come from the file dialog') });
    expect(agent.starts).toHaveLength(1);
  });

  it('trust anchors: read from the file the user picks, refused when not a certificate, saved as data, given to the agent (restarted) and to the verify window', async () => {
    const { shell, settings, agent } = await startApp('win32');
    expect(agent.starts[0]!.trustAnchors).toEqual([]);
    shell.clickTray('Cài đặt…');
    const w = await shell.nextWindow('settings');
    const req = w.request<SettingsDialogRequest>();
    expect(req.settings.trustAnchors).toEqual([]);

    // Not a certificate: refused with a typed error, nothing remembered.
    const notes = path.join(dir, 'ghi-chu.pem');
    writeFileSync(notes, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    shell.fileAnswers.push(notes);
    await expect(w.call('addTrustAnchor')).rejects.toThrow(/not a certificate/);
    // Cancelled file dialog.
    expect(await w.call('addTrustAnchor')).toBeNull();
    // The real root: its name, fingerprint and end date come back; the file's path does not.
    shell.fileAnswers.push(fixtures().pki.rootCa);
    const added = await w.call('addTrustAnchor') as Array<{ fingerprint: string; name: string; notAfter: string }>;
    expect(added).toEqual([{ fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), name: 'Kyso Test Root CA', notAfter: expect.stringMatching(/^\d{4}-/) }]);
    expect(JSON.stringify(added)).not.toContain(fixtures().pki.rootCa);

    w.submit({ ...req.settings, tsa: { url: '', username: '' }, revokedSites: [], trustAnchors: added });
    await tick(); await tick();
    expect(w.closed).toBe(true);
    expect(settings.current.trustAnchors.map((a) => a.fingerprint)).toEqual([added[0]!.fingerprint]);
    expect(readFileSync(settings.file, 'utf8')).not.toContain(fixtures().pki.rootCa);
    // The agent restarts with it, as `kyso serve --trust-anchor` would give it.
    expect(agent.stops).toBe(1);
    const anchors = agent.starts.at(-1)!.trustAnchors!;
    expect(anchors.map((a) => a.fingerprint)).toEqual([added[0]!.fingerprint]);
    expect(Buffer.from(anchors[0]!.der).equals(Buffer.from(parseAnchorFile(readFileSync(fixtures().pki.rootCa), 'root')[0]!.der))).toBe(true);

    // The verify window (core's check, not injected here) trusts it too.
    const pdf = PDF.create();
    pdf.addPage({ width: 595, height: 842 }).drawText('To trinh', { x: 50, y: 780, size: 14 });
    const signed = (await signPdf(await pdf.save(), await testKey(tokens, 'rsa'))).bytes;
    shell.clickTray('Kiểm tra chữ ký…');
    const v = await shell.nextWindow('verify');
    const checked = await v.call('verifyDropped', { name: 'to-trinh.pdf', bytes: new Uint8Array(signed) }) as VerifyOutcome;
    expect(checked).toMatchObject({ report: { exitCode: 0, signatures: [{ verdict: 'valid', trust: { trusted: true, anchor: 'Kyso Test Root CA' } }] } });
    v.cancel();
    await tick();

    // A page (or a tampered window) naming an anchor nobody picked is refused; nothing changes.
    shell.clickTray('Cài đặt…');
    const w2 = await shell.nextWindow('settings');
    w2.submit({ ...w2.request<SettingsDialogRequest>().settings, tsa: { url: '', username: '' }, revokedSites: [], trustAnchors: [...added, { fingerprint: 'ab'.repeat(32), name: 'Gốc giả', notAfter: '' }] });
    await tick(); await tick();
    expect(shell.messages.at(-1)).toMatchObject({ type: 'error', detail: expect.stringContaining('trust anchors must come from the file dialog') });
    expect(settings.current.trustAnchors).toHaveLength(1);
    expect(agent.starts).toHaveLength(2);
  });

  it('without protected storage: the password is not kept, the user is told, the rest is saved', async () => {
    const { shell, settings } = await startApp();
    shell.secrets.isAvailable = false;
    shell.clickTray('Cài đặt…');
    const w = await shell.nextWindow('settings');
    const req = w.request<SettingsDialogRequest>();
    expect(req.secretsAvailable).toBe(false);
    w.submit({ ...req.settings, tsa: { url: 'https://tsa.example.vn', username: 'an', password: 'p@ss' }, logLevel: 'warn', revokedSites: [] });
    await tick(); await tick();
    expect(shell.messages.at(-1)!.message).toMatch(/không lưu mật khẩu/);
    expect(settings.current.logLevel).toBe('warn');
    expect(settings.current.tsa).toEqual({ url: 'https://tsa.example.vn', username: 'an' });
  });

  it('cancel changes nothing and restarts nothing', async () => {
    const { shell, settings, agent } = await startApp();
    shell.clickTray('Cài đặt…');
    (await shell.nextWindow('settings')).cancel();
    await tick();
    expect(agent.starts).toHaveLength(1);
    expect(settings.current.language).toBe('vi');
  });
});

describe('verify window', () => {
  /** Core's check against the test root, offline: what the app does with the built-in anchors and the network. */
  const verify = (bytes: Uint8Array) => verifyDocument(bytes, { anchors: parseAnchorFile(readFileSync(fixtures().pki.rootCa), 'root'), offline: true });

  it('the tray item opens one ordinary window; a document chosen in the OS dialog is checked in main; its signed revision is saved', async () => {
    const { shell } = await startApp('win32', { verify });
    const pdf = PDF.create();
    pdf.addPage({ width: 595, height: 842 }).drawText('To trinh', { x: 50, y: 780, size: 14 });
    const signed = (await signPdf(await pdf.save(), await testKey(tokens, 'rsa'), { reason: 'Trình ký' })).bytes;
    // Something appended after the signature (bytes readers ignore): the saved revision must leave it out.
    const file = path.join(dir, 'to-trinh.pdf');
    writeFileSync(file, Buffer.concat([signed, Buffer.from('\n% appended later\n')]));

    expect(labels(shell.tray!.menu)).toContain('Kiểm tra chữ ký…');
    shell.clickTray('Kiểm tra chữ ký…');
    const w = await shell.nextWindow('verify');
    expect(w.spec.url).toBe('kyso://ui/verify/index.html');
    expect(w.spec.options.title).toBe('Kyso — Kiểm tra chữ ký');
    expect(w.spec.options.alwaysOnTop).toBe(false);
    expect(w.request<VerifyDialogRequest>()).toEqual({ language: 'vi' });
    // A second click brings the same window forward.
    shell.clickTray('Kiểm tra chữ ký…');
    await tick();
    expect(shell.windows.filter((x) => x.kind === 'verify')).toHaveLength(1);
    expect(w.presented).toBe(2);

    // Nothing to save before a document is open; a cancelled OS dialog answers null.
    await expect(w.call('saveRevision', 1)).rejects.toThrow(/no signed revision #1/);
    expect(await w.call('openDocument')).toBeNull();

    shell.fileAnswers.push(file);
    const opened = await w.call('openDocument') as VerifyOutcome;
    if (!('report' in opened)) throw new Error(JSON.stringify(opened));
    expect(opened.report).toMatchObject({ fileName: 'to-trinh.pdf', format: 'pdf', exitCode: 0 });
    expect(opened.report.signatures).toHaveLength(1);
    expect(opened.report.signatures[0]).toMatchObject({
      number: 1, verdict: 'valid', level: 'B-B', reason: 'Trình ký', canSaveRevision: true,
      signer: { name: fixtures().pki.signers.rsa.cn, identifiers: { CCCD: '001190012345' } },
      time: { source: 'claimed', local: expect.stringMatching(/ \+07:00$/) },
      trust: { trusted: true, anchor: 'Kyso Test Root CA' },
    });

    const out = path.join(dir, 'out', 'ban-ky.pdf');
    shell.saveAnswers.push(out);
    expect(await w.call('saveRevision', 1)).toBe(true);
    expect(shell.saveDialogs).toEqual([{ title: 'Lưu phiên bản đã ký', defaultName: 'to-trinh-ban-ky-1.pdf' }]);
    expect(Buffer.compare(readFileSync(out), Buffer.from(signed))).toBe(0);
    // Cancelled save dialog: nothing written, false. Revisions that do not exist, or not numbers: refused.
    expect(await w.call('saveRevision', 1)).toBe(false);
    await expect(w.call('saveRevision', 2)).rejects.toThrow(/no signed revision #2/);
    await expect(w.call('saveRevision', '/tmp/x.pdf')).rejects.toThrow();

    // A dropped document: its name (last part only) and bytes; a path is not a document.
    const dropped = await w.call('verifyDropped', { name: 'C:\\Users\\an\\ho-so.pdf', bytes: new Uint8Array(signed) }) as VerifyOutcome;
    expect(dropped).toMatchObject({ report: { fileName: 'ho-so.pdf', exitCode: 0 } });
    await expect(w.call('verifyDropped', file)).rejects.toThrow();
    // Not a PDF or Office file: the reason in both languages, and nothing left to save.
    expect(await w.call('verifyDropped', { name: 'note.txt', bytes: new TextEncoder().encode('hello') })).toEqual({
      error: { vi: 'Định dạng tài liệu không được hỗ trợ.', en: 'This document format is not supported.' },
    });
    await expect(w.call('saveRevision', 1)).rejects.toThrow(/no signed revision/);

    // Closed: the next click opens a new window.
    w.closeByUser();
    await tick();
    shell.clickTray('Kiểm tra chữ ký…');
    const again = await shell.nextWindow('verify');
    expect(again).not.toBe(w);
    again.cancel();
    await tick();
    expect(shell.messages).toEqual([]);
  });

  it('a signed DOCX: its signer with identifiers, claimed time, XAdES level and trust; a changed part named; no revision to save', async () => {
    const { shell } = await startApp('win32', { verify });
    const manifest = JSON.parse(readFileSync(path.join(fixtures().corpus.dir, 'docx-manifest.json'), 'utf8')) as { entries: { file: string }[] };
    const docx = new Uint8Array(readFileSync(path.join(fixtures().corpus.dir, manifest.entries[0]!.file)));
    const signed = (await signDocument(docx, await testKey(tokens, 'ec256'), { certificateCheck: 'off' }, 'in.docx')).bytes;
    shell.clickTray('Kiểm tra chữ ký…');
    const w = await shell.nextWindow('verify');
    const outcome = await w.call('verifyDropped', { name: 'cong-van.docx', bytes: signed }) as VerifyOutcome;
    expect(outcome).toMatchObject({ report: { fileName: 'cong-van.docx', format: 'ooxml', exitCode: 0 } });
    if (!('report' in outcome)) throw new Error('no report');
    expect(outcome.report.signatures).toEqual([expect.objectContaining({
      number: 1, verdict: 'valid', canSaveRevision: false, level: 'B-B',
      signer: expect.objectContaining({ name: fixtures().pki.signers.ec256.cn, issuer: 'Kyso Test Sub CA — Ký số' }),
      time: { source: 'claimed', local: expect.stringMatching(/ \+07:00$/) }, trust: expect.objectContaining({ trusted: true, anchor: 'Kyso Test Root CA' }),
      after: expect.objectContaining({ verdict: 'unchanged', disallowed: [] }),
    })]);
    // The main part rewritten after signing: modified, the part named.
    const pkg = openPackage(signed);
    const text = Buffer.from(pkg.read('/word/document.xml')).toString('utf8');
    const forged = writePackage(pkg, new Map([['/word/document.xml', new Uint8Array(Buffer.from(text.replace(/<w:t(\s[^>]*)?>[^<]+<\/w:t>/, '<w:t>ĐÃ SỬA</w:t>')))]]), []);
    const bad = await w.call('verifyDropped', { name: 'cong-van.docx', bytes: forged }) as VerifyOutcome;
    expect(bad).toMatchObject({ report: { exitCode: 1, signatures: [{ verdict: 'modified', after: { verdict: 'disallowed-changes', disallowed: ['/word/document.xml'] } }] } });
    await expect(w.call('saveRevision', 1)).rejects.toThrow(/no signed revision #1/);
    w.cancel();
  });

  it('English menu and window title', async () => {
    const { shell, settings } = await startApp('linux', { verify });
    settings.apply({ ...settings.view(), tsa: { url: '', username: '' }, revokedSites: [], language: 'en' } as never);
    await tick();
    shell.clickTray('Verify a document…');
    const w = await shell.nextWindow('verify');
    expect(w.spec.options.title).toBe('Kyso — Verify a document');
    expect(w.request<VerifyDialogRequest>()).toEqual({ language: 'en' });
    w.cancel();
  });
});
