/**
 * The Prompter the agent calls, answered through Kyso windows (a fake shell plays the pages): what each window
 * is asked, how its answer is checked, the queue (one window at a time, in order; a withdrawn request never
 * shows), and the PIN path end to end with the real SoftHSM token: the PIN typed in the window logs the token
 * layer in and a signature verifies; the PIN cache is off by default, time-limited when on.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KysoError } from '../../src/core/errors.js';
import type { TokenCertificate, TokenService } from '../../src/core/token/token-service.js';
import { DialogHost } from '../../src/app/dialog-host.js';
import { ElectronPrompter } from '../../src/app/electron-prompter.js';
import { PinCache, type Timers } from '../../src/app/pin-cache.js';
import { PromptQueue } from '../../src/app/prompt-queue.js';
import { SettingsStore } from '../../src/app/settings.js';
import type { CertificateDialogRequest, ConfirmDialogRequest, PinDialogRequest } from '../../src/ui/kit/protocol.js';
import type { PlacementRequest } from '../../src/ui/bridge.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId, openTestTokens } from '../helpers/token.js';
import { FakeSecrets, FakeShell, tick } from './fake-shell.js';

const ORIGIN = 'https://dichvucong.gov.vn';

let tokens: TokenService;
let dir: string;
beforeAll(() => { tokens = openTestTokens(); });
afterAll(() => { tokens?.close(); });

class ManualTimers implements Timers {
  t = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private n = 0;
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown { const id = ++this.n; this.timers.push({ at: this.t + ms, fn, id }); return id; }
  clearTimeout(h: unknown): void { this.timers = this.timers.filter((x) => x.id !== h); }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.fn();
  }
}

function setup(options: { pinCacheMinutes?: number; language?: 'vi' | 'en' } = {}) {
  dir = mkdtempSync(path.join(tmpdir(), 'kyso-app-'));
  const shell = new FakeShell({ userData: dir, logs: path.join(dir, 'logs'), executable: '/opt/Kyso/kyso', home: dir });
  const settings = new SettingsStore(path.join(dir, 'settings.json'), new FakeSecrets());
  if (options.pinCacheMinutes || options.language) {
    settings.apply({ ...settings.view(), tsa: { url: '', username: '' }, revokedSites: [], pinCacheMinutes: options.pinCacheMinutes ?? 0, language: options.language ?? 'vi' });
  }
  const timers = new ManualTimers();
  const pinCache = new PinCache(timers);
  const queue = new PromptQueue();
  const prompter = new ElectronPrompter({
    dialogs: new DialogHost(shell, { preload: '/p/preload.cjs' }),
    queue, pinCache, settings: () => settings.current, rememberPlacement: (c) => settings.rememberPlacement(c),
  });
  return { shell, settings, timers, pinCache, queue, prompter };
}

beforeEach(() => () => { rmSync(dir, { recursive: true, force: true }); });

const rsaCert = (): TokenCertificate => tokens.certificates().find((c) => c.id === certificateId('rsa'))!;

describe('consent and confirmation', () => {
  it('asks "<origin> muốn dùng chữ ký số của bạn" and returns the answer; cancel or closing the window is a no', async () => {
    const { shell, prompter } = setup();
    const a = prompter.consent(ORIGIN);
    const w = await shell.nextWindow('consent');
    expect(w.request()).toEqual({ origin: ORIGIN, language: 'vi' });
    expect(w.spec.options.title).toBe('Kyso — Cho phép trang web');
    w.submit({ allow: true });
    expect(await a).toBe(true);
    expect(w.closed).toBe(true);

    const b = prompter.consent(ORIGIN);
    (await shell.nextWindow('consent')).cancel();
    expect(await b).toBe(false);

    const c = prompter.consent(ORIGIN);
    (await shell.nextWindow('consent')).closeByUser();
    expect(await c).toBe(false);
  });

  it('a page answering nonsense gets nothing: the answer is checked in the main process', async () => {
    const { shell, prompter } = setup();
    const a = prompter.consent(ORIGIN);
    (await shell.nextWindow('consent')).submit({ allow: 'yes', extra: 1 });
    await expect(a).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(shell.open).toEqual([]);
  });

  it('confirmation names the site, each file with its size and the certificate', async () => {
    const { shell, prompter } = setup();
    const cert = rsaCert();
    const p = prompter.confirm({ origin: ORIGIN, documents: [{ fileName: 'Tờ khai.pdf', size: 123_456 }, { fileName: 'Phụ lục.pdf', size: 2048 }], certificate: cert });
    const w = await shell.nextWindow('confirm');
    const req = w.request<ConfirmDialogRequest>();
    expect(req.origin).toBe(ORIGIN);
    expect(req.documents).toEqual([{ fileName: 'Tờ khai.pdf', size: 123_456 }, { fileName: 'Phụ lục.pdf', size: 2048 }]);
    expect(req.certificate).toMatchObject({ id: cert.id, commonName: fixtures().pki.signers.rsa.cn, state: 'valid' });
    expect(JSON.stringify(req)).not.toMatch(/BEGIN|der/i); // names and dates only
    w.submit({ confirmed: true });
    expect(await p).toBe(true);
  });
});

describe('certificate picker', () => {
  it('shows every certificate with holder, identifiers, issuer, validity and token; returns the chosen one', async () => {
    const { shell, prompter } = setup();
    const list = tokens.certificates();
    expect(list.length).toBeGreaterThanOrEqual(3);
    const p = prompter.chooseCertificate(ORIGIN, list);
    const w = await shell.nextWindow('certificate');
    const req = w.request<CertificateDialogRequest>();
    expect(req.certificates.map((c) => c.id)).toEqual(list.map((c) => c.id));
    const view = req.certificates.find((c) => c.id === certificateId('ec256'))!;
    expect(view.commonName).toBe(fixtures().pki.signers.ec256.cn);
    expect(view.issuer).not.toBe('');
    expect(new Date(view.notAfter).getTime()).toBeGreaterThan(Date.now());
    expect(view.token).toContain(list[0]!.token.label);
    expect(view.key).toBe('EC 256');
    w.submit({ certificateId: certificateId('ec256') });
    expect((await p).id).toBe(certificateId('ec256'));
  });

  it('refuses an id that was not offered, and an empty list never opens a window', async () => {
    const { shell, prompter } = setup();
    const p = prompter.chooseCertificate(ORIGIN, tokens.certificates());
    (await shell.nextWindow('certificate')).submit({ certificateId: 'f'.repeat(64) });
    await expect(p).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(prompter.chooseCertificate(ORIGIN, [])).rejects.toMatchObject({ code: 'NO_CERTIFICATE' });
    expect(shell.windows).toHaveLength(1);
  });

  it('cancel is USER_CANCELLED', async () => {
    const { shell, prompter } = setup();
    const p = prompter.chooseCertificate(ORIGIN, tokens.certificates());
    (await shell.nextWindow('certificate')).cancel();
    await expect(p).rejects.toMatchObject({ code: 'USER_CANCELLED' });
  });
});

describe('PIN', () => {
  it('the PIN typed in the window logs the real token in, and the key signs', async () => {
    const { shell, prompter } = setup();
    tokens.logoutAll();
    const keyP = tokens.signingKey(certificateId('rsa'), (request) => prompter.pin(request));
    const w = await shell.nextWindow('pin');
    const req = w.request<PinDialogRequest>();
    expect(req).toMatchObject({ pinState: 'ok', cacheMinutes: 0, language: 'vi', holder: fixtures().pki.signers.rsa.cn });
    expect(req.token).toBe(rsaCert().token.label);
    w.submit({ pin: fixtures().softhsm.pin, remember: true });
    const key = await keyP;
    const data = Buffer.from('Kyso tray app');
    const sig = await key.signData(data, 'SHA-256');
    const v = createVerify('SHA256');
    v.update(data);
    expect(v.verify(new X509Certificate(key.certificate).publicKey, Buffer.from(sig))).toBe(true);
  });

  it('cache OFF by default: "remember" is ignored and the next login asks again', async () => {
    const { shell, prompter, pinCache } = setup();
    tokens.logoutAll();
    const first = tokens.signingKey(certificateId('rsa'), (r) => prompter.pin(r));
    (await shell.nextWindow('pin')).submit({ pin: fixtures().softhsm.pin, remember: true });
    await first;
    expect(pinCache.size).toBe(0);
    tokens.logoutAll();
    const second = tokens.signingKey(certificateId('rsa'), (r) => prompter.pin(r));
    (await shell.nextWindow('pin')).submit({ pin: fixtures().softhsm.pin, remember: false });
    await second;
    expect(shell.windows.filter((w) => w.kind === 'pin')).toHaveLength(2);
  });

  it('cache ON (5 min) and ticked: the next login within 5 minutes needs no window; after 5 minutes it asks again', async () => {
    const { shell, prompter, pinCache, timers } = setup({ pinCacheMinutes: 5 });
    tokens.logoutAll();
    const first = tokens.signingKey(certificateId('rsa'), (r) => prompter.pin(r));
    const w = await shell.nextWindow('pin');
    expect(w.request<PinDialogRequest>().cacheMinutes).toBe(5);
    w.submit({ pin: fixtures().softhsm.pin, remember: true });
    await first;
    expect(pinCache.size).toBe(1);

    tokens.logoutAll();
    timers.advance(4 * 60_000);
    await tokens.signingKey(certificateId('rsa'), (r) => prompter.pin(r));
    expect(shell.windows.filter((x) => x.kind === 'pin')).toHaveLength(1);

    tokens.logoutAll();
    timers.advance(60_000); // 5 minutes after entry: wiped by its timer
    expect(pinCache.size).toBe(0);
    const third = tokens.signingKey(certificateId('rsa'), (r) => prompter.pin(r));
    (await shell.nextWindow('pin')).submit({ pin: fixtures().softhsm.pin, remember: false });
    await third;
    expect(shell.windows.filter((x) => x.kind === 'pin')).toHaveLength(2);
  });

  it('a PIN the token refused is dropped from the cache (the agent calls pinRejected), so it is never tried again', async () => {
    const { shell, prompter, pinCache } = setup({ pinCacheMinutes: 15 });
    tokens.logoutAll();
    const wrong = tokens.signingKey(certificateId('rsa'), (r) => prompter.pin(r)).catch((e: unknown) => e);
    (await shell.nextWindow('pin')).submit({ pin: '999999', remember: true });
    const err = await wrong as { code?: string };
    expect(err.code).toBe('PIN_INCORRECT');
    expect(pinCache.size).toBe(1); // kept on entry: the token layer does not know the cache
    prompter.pinRejected({ token: rsaCert().token, certificate: rsaCert(), pinState: 'ok' });
    expect(pinCache.size).toBe(0);
    // Restore the token's retry counter with a good login.
    const ok = tokens.signingKey(certificateId('rsa'), (r) => prompter.pin(r));
    (await shell.nextWindow('pin')).submit({ pin: fixtures().softhsm.pin, remember: false });
    await ok;
  });

  it('a cached PIN is never offered once the token reports failed tries', async () => {
    const { shell, prompter, pinCache } = setup({ pinCacheMinutes: 15 });
    const cert = rsaCert();
    pinCache.configure(15);
    pinCache.put(cert.token.id, '000000');
    const p = prompter.pin({ token: { ...cert.token, pinState: 'count-low' }, certificate: cert, pinState: 'count-low' });
    const w = await shell.nextWindow('pin');
    expect(w.request<PinDialogRequest>().pinState).toBe('count-low');
    expect(pinCache.size).toBe(0);
    w.submit({ pin: '123456', remember: false });
    expect(await p).toBe('123456');
  });

  it('a locked token: the window says so, takes no PIN, and the answer is PIN_LOCKED', async () => {
    const { shell, prompter } = setup();
    const cert = rsaCert();
    const p = prompter.pin({ token: { ...cert.token, pinState: 'locked' }, certificate: cert, pinState: 'locked' });
    const w = await shell.nextWindow('pin');
    expect(w.request<PinDialogRequest>().pinState).toBe('locked');
    w.submit({ pin: '1234', remember: false }); // a page that tries anyway is refused
    await expect(p).rejects.toMatchObject({ code: 'PIN_LOCKED' });
  });

  it('refuses an empty PIN or one with control characters', async () => {
    const { shell, prompter } = setup();
    const cert = rsaCert();
    for (const pin of ['', '12\n34']) {
      const p = prompter.pin({ token: cert.token, certificate: cert, pinState: 'ok' });
      (await shell.nextWindow('pin')).submit({ pin, remember: false });
      await expect(p).rejects.toMatchObject({ code: 'INTERNAL' });
    }
  });
});

describe('placement', () => {
  it('sends the document and the defaults (portal, else last choice, else settings); remembers the choice', async () => {
    const { shell, prompter, settings } = setup();
    const doc = { origin: ORIGIN, fileName: 'đơn.pdf', bytes: new Uint8Array([37, 80, 68, 70]), signer: { commonName: 'NGUYỄN VĂN A' }, reason: 'Nộp hồ sơ' };
    const p = prompter.placement(doc, {});
    const w = await shell.nextWindow('placement');
    const req = w.request<PlacementRequest>();
    expect(req).toMatchObject({ document: 'JVBERg==', fileName: 'đơn.pdf', origin: ORIGIN, reason: 'Nộp hồ sơ', language: 'vi' });
    expect(req.defaults?.appearance).toEqual(settings.current.appearance);
    const choice = { placement: { page: 2, rect: [300, 80, 540, 150] }, appearance: { bold: true, show: { title: true } } };
    w.submit(choice);
    expect(await p).toEqual(choice);
    expect(settings.current.lastPlacement).toEqual(choice);

    const q = prompter.placement(doc, {});
    const again = await shell.nextWindow('placement');
    expect(again.request<PlacementRequest>().defaults).toEqual(choice);
    again.submit({ placement: { page: 1, rect: [1, 2, 3, 'x'] }, appearance: {} });
    await expect(q).rejects.toMatchObject({ code: 'INTERNAL' });

    const portal = { placement: { page: 3, rect: [10, 10, 100, 60] as [number, number, number, number] } };
    const r = prompter.placement(doc, portal);
    const third = await shell.nextWindow('placement');
    expect(third.request<PlacementRequest>().defaults).toEqual({ placement: portal.placement, appearance: choice.appearance });
    third.cancel();
    await expect(r).rejects.toMatchObject({ code: 'USER_CANCELLED' });
  });
});

describe('one window at a time', () => {
  it('questions from two sites wait their turn in order; the tray count follows', async () => {
    const { shell, prompter, queue } = setup();
    const counts: number[] = [];
    queue.onChange((n) => counts.push(n));
    const a = prompter.consent('https://a.gov.vn');
    const b = prompter.consent('https://b.gov.vn');
    const c = prompter.confirm({ origin: 'https://a.gov.vn', documents: [{ fileName: 'x.pdf', size: 1 }], certificate: rsaCert() });
    await tick();
    expect(shell.open).toHaveLength(1);
    expect(queue.pending).toBe(3);
    const w1 = await shell.nextWindow('consent');
    expect(w1.request()).toMatchObject({ origin: 'https://a.gov.vn' });
    w1.submit({ allow: true });
    await tick();
    expect(shell.open).toHaveLength(1);
    const w2 = await shell.nextWindow('consent');
    expect(w2.request()).toMatchObject({ origin: 'https://b.gov.vn' });
    w2.submit({ allow: false });
    (await shell.nextWindow('confirm')).submit({ confirmed: true });
    expect([await a, await b, await c]).toEqual([true, false, true]);
    expect(queue.pending).toBe(0);
    expect(Math.max(...counts)).toBe(3);
    expect(counts.at(-1)).toBe(0);
  });

  it('a request withdrawn while waiting never shows its window; one withdrawn on screen closes it', async () => {
    const { shell, prompter } = setup();
    const first = new AbortController();
    const second = new AbortController();
    const a = prompter.consent('https://a.gov.vn', { signal: first.signal });
    const b = prompter.consent('https://b.gov.vn', { signal: second.signal });
    const w1 = await shell.nextWindow('consent');
    second.abort();
    await expect(b).rejects.toMatchObject({ code: 'USER_CANCELLED' });
    first.abort(new KysoError('TIMEOUT'));
    await expect(a).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(w1.closed).toBe(true);
    await tick();
    expect(shell.windows).toHaveLength(1);
  });

  it('English when the user chose it', async () => {
    const { shell, prompter } = setup({ language: 'en' });
    const p = prompter.consent(ORIGIN);
    const w = await shell.nextWindow('consent');
    expect(w.request()).toEqual({ origin: ORIGIN, language: 'en' });
    expect(w.spec.options.title).toBe('Kyso — Allow website');
    w.cancel();
    await p;
  });
});
