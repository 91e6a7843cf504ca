/**
 * The tray app's prompt pages (consent, certificate, PIN, confirm, settings) in Debian's Chromium, served with
 * the exact headers the app's kyso:// handler sends (its CSP included: any violation fails the test) and
 * hosted through window.kysoBridge as the preload exposes it. Each is driven with the keyboard, in
 * Vietnamese and English; screenshots go to tests/artifacts/ui/dialog-*.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDialog, startUiHost, type DialogHostPage, type OpenDialogOptions, type UiHost } from './ui-host.js';
import type {
  CertificateDialogRequest, CertificateView, ConfirmDialogRequest, ConsentDialogRequest, PinDialogRequest, SettingsDialogRequest, SettingsDialogResult,
} from '../../src/ui/kit/protocol.js';
import { ARTIFACTS_DIR } from '../helpers/fixtures.js';
import { letterPdf } from '../appearance/documents.js';
import type { PlacementRequest, PlacementResult } from '../../src/ui/bridge.js';

const SHOTS = path.join(ARTIFACTS_DIR, 'ui');
const ORIGIN = 'https://dichvucong.gov.vn';

let base: string;
let browser: Browser;

let host: UiHost;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  host = await startUiHost();
  base = host.base;
  browser = host.browser;
});

afterAll(async () => {
  await host?.close();
});

/** Opens a dialog page with a test host behind window.kysoBridge (ui-host.ts). */
const open = <Req, R>(kind: string, request: Req, options: OpenDialogOptions = {}): Promise<DialogHostPage<R>> => openDialog<Req, R>(browser, base, kind, request, options);

const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: path.join(SHOTS, `dialog-${name}.png`) });
const focused = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');

const CERTS: CertificateView[] = [
  {
    id: 'a'.repeat(64), commonName: 'NGUYỄN THỊ ÁNH TUYẾT', identifiers: { CCCD: '001190012345' }, title: 'Chuyên viên', organization: 'Sở Tư pháp Thành phố Hà Nội',
    issuer: 'VNPT Certification Authority', notBefore: '2025-03-01T00:00:00.000Z', notAfter: '2028-03-01T00:00:00.000Z', state: 'valid',
    token: 'VNPT-CA (vnpt)', key: 'RSA 2048', serialNumber: '5402a1',
  },
  {
    id: 'b'.repeat(64), commonName: 'CÔNG TY TNHH PHẦN MỀM ĐỒNG XANH', identifiers: { MST: '0101234567' }, organization: 'CÔNG TY TNHH PHẦN MỀM ĐỒNG XANH',
    issuer: 'Viettel-CA', notBefore: '2024-06-10T00:00:00.000Z', notAfter: '2027-06-10T00:00:00.000Z', state: 'valid',
    token: 'Viettel-CA (viettel)', key: 'RSA 2048', serialNumber: '7a01',
  },
  {
    id: 'c'.repeat(64), commonName: 'TRẦN VĂN BÌNH', identifiers: { CMND: '012345678' }, issuer: 'BKAV-CA', notBefore: '2020-01-01T00:00:00.000Z',
    notAfter: '2023-01-01T00:00:00.000Z', state: 'expired', token: 'BKAV-CA (bkav)', key: 'RSA 2048', serialNumber: '99',
  },
];

describe('consent', () => {
  it('names the site; Deny has the focus; Allow is armed after a moment; Tab + Enter allows', async () => {
    const { page, close, outcome, errors } = await open<ConsentDialogRequest, { allow: boolean }>('consent', { origin: ORIGIN, language: 'vi' }, { manualClock: true });
    expect(await page.locator('main').textContent()).toContain('https://dichvucong.gov.vn muốn dùng chữ ký số của bạn.');
    expect(await focused(page)).toBe('deny');
    expect(await page.locator('#allow').isDisabled()).toBe(true);
    await page.clock.runFor(1000);
    await page.waitForSelector('#allow:not([disabled])');
    await shot(page, 'consent-vi');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('allow');
    await page.keyboard.press('Enter');
    expect(await outcome).toEqual({ submitted: { allow: true } });
    expect(errors).toEqual([]);
    await close();
  });

  it('warns about a plain-http site; English; Esc cancels', async () => {
    const { page, close, outcome, errors } = await open<ConsentDialogRequest, { allow: boolean }>('consent', { origin: 'http://dichvucong.example.vn', language: 'en' });
    expect(await page.locator('#insecure').isVisible()).toBe(true);
    expect(await page.locator('#allow').textContent()).toBe('Allow');
    await page.waitForSelector('#allow:not([disabled])');
    await shot(page, 'consent-en-insecure');
    await page.locator('#language').click();
    expect(await page.locator('#allow').textContent()).toBe('Cho phép');
    await page.keyboard.press('Escape');
    expect(await outcome).toEqual({ cancelled: true });
    expect(errors).toEqual([]);
    // The policy is in force (and this test would see a violation): inline style and script are refused.
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { background: red }';
      document.head.append(style);
      const script = document.createElement('script');
      script.textContent = 'window.injected = 1';
      document.head.append(script);
    });
    await page.waitForFunction(() => true);
    await expect.poll(() => errors.join('\n')).toMatch(/CSP violation: style-src-elem/);
    expect(errors.join('\n')).toMatch(/CSP violation: script-src-elem/);
    expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();
    await close();
  });
});

describe('certificate picker', () => {
  it('lists holder, CCCD/MST, issuer, validity and token; expired cannot be chosen; arrows + Enter choose', async () => {
    const { page, close, outcome, errors } = await open<CertificateDialogRequest, { certificateId: string }>('certificate', { origin: ORIGIN, certificates: CERTS, language: 'vi' }, { viewport: { width: 640, height: 560 } });
    const cards = page.locator('label.card');
    expect(await cards.count()).toBe(3);
    const first = await cards.nth(0).textContent();
    expect(first).toContain('NGUYỄN THỊ ÁNH TUYẾT');
    expect(first).toContain('CCCD: 001190012345');
    expect(first).toContain('Nhà cung cấp: VNPT Certification Authority');
    expect(first).toContain('Hiệu lực: 01/03/2025 – 01/03/2028');
    expect(first).toContain('Token: VNPT-CA (vnpt) · RSA 2048');
    expect(await cards.nth(1).textContent()).toContain('MST: 0101234567');
    expect(await cards.nth(2).textContent()).toContain('Hết hạn');
    expect(await page.locator('#cert-2').isDisabled()).toBe(true);
    expect(await page.locator('#cert-0').isChecked()).toBe(true);
    expect(await focused(page)).toBe('cert-0');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#cert-1').isChecked()).toBe(true);
    await shot(page, 'certificate-vi');
    await page.keyboard.press('Enter');
    expect(await outcome).toEqual({ submitted: { certificateId: 'b'.repeat(64) } });
    expect(errors).toEqual([]);
    await close();
  });

  it('English; Esc cancels', async () => {
    const { page, close, outcome } = await open<CertificateDialogRequest, unknown>('certificate', { origin: ORIGIN, certificates: CERTS, language: 'en' }, { viewport: { width: 640, height: 560 } });
    expect(await page.locator('label.card').nth(2).textContent()).toContain('Expired');
    await shot(page, 'certificate-en');
    await page.keyboard.press('Escape');
    expect(await outcome).toEqual({ cancelled: true });
    await close();
  });
});

describe('PIN', () => {
  const request = (extra: Partial<PinDialogRequest> = {}): PinDialogRequest => ({ token: 'VNPT-CA', holder: 'NGUYỄN THỊ ÁNH TUYẾT', pinState: 'ok', cacheMinutes: 0, language: 'vi', ...extra });

  it('masked entry with the focus; Enter hands the PIN over and clears the field; no "remember" while the cache is off', async () => {
    const { page, close, outcome, errors } = await open<PinDialogRequest, { pin: string; remember: boolean }>('pin', request(), { viewport: { width: 440, height: 380 } });
    expect(await focused(page)).toBe('pin');
    expect(await page.locator('#pin').getAttribute('type')).toBe('password');
    expect(await page.locator('#remember-row').isVisible()).toBe(false);
    expect(await page.locator('#ok').isDisabled()).toBe(true);
    await page.keyboard.type('12345678');
    await shot(page, 'pin-vi');
    await page.keyboard.press('Enter');
    expect(await outcome).toEqual({ submitted: { pin: '12345678', remember: false } });
    expect(await page.locator('#pin').inputValue()).toBe('');
    expect(errors).toEqual([]);
    await close();
  });

  it('final try: says so; with the cache on, "remember for 5 minutes" can be ticked', async () => {
    const { page, close, outcome, errors } = await open<PinDialogRequest, { pin: string; remember: boolean }>('pin', request({ pinState: 'final-try', cacheMinutes: 5 }), { viewport: { width: 440, height: 460 } });
    expect(await page.locator('#final-try').textContent()).toBe('Đây là lần thử cuối cùng: nếu nhập sai, token sẽ bị khoá.');
    expect(await page.locator('#remember-label').textContent()).toBe('Ghi nhớ mã PIN trong 5 phút');
    expect(await page.locator('#remember').isChecked()).toBe(false);
    await page.keyboard.type('0000');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await shot(page, 'pin-final-try-remember');
    await page.locator('#ok').click();
    expect(await outcome).toEqual({ submitted: { pin: '0000', remember: true } });
    expect(errors).toEqual([]);
    await close();
  });

  it('count low (English); a locked token shows the message and no field', async () => {
    const low = await open<PinDialogRequest, unknown>('pin', request({ pinState: 'count-low', language: 'en' }), { viewport: { width: 440, height: 400 } });
    expect(await low.page.locator('#count-low').isVisible()).toBe(true);
    await shot(low.page, 'pin-en-count-low');
    await low.close();

    const { page, close, outcome, errors } = await open<PinDialogRequest, unknown>('pin', request({ pinState: 'locked' }), { viewport: { width: 440, height: 360 } });
    expect(await page.locator('#title').textContent()).toBe('USB token đã bị khoá');
    expect(await page.locator('#pin').isVisible()).toBe(false);
    expect(await page.locator('#ok').isVisible()).toBe(false);
    expect(await focused(page)).toBe('cancel');
    expect(await page.locator('#cancel').textContent()).toBe('Đóng');
    await shot(page, 'pin-locked');
    await page.keyboard.press('Enter');
    expect(await outcome).toEqual({ cancelled: true });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('confirmation', () => {
  const request: ConfirmDialogRequest = {
    origin: ORIGIN,
    documents: [{ fileName: 'Tờ khai đăng ký hộ kinh doanh.pdf', size: 123_456 }, { fileName: 'Giấy ủy quyền.pdf', size: 2_400_000 }],
    certificate: CERTS[0]!,
    language: 'vi',
  };

  it('names site, files with sizes and the certificate; "Ký số" is armed after a moment', async () => {
    const { page, close, outcome, errors } = await open<ConfirmDialogRequest, { confirmed: boolean }>('confirm', request, { viewport: { width: 560, height: 470 }, manualClock: true });
    const text = await page.locator('main').textContent();
    expect(text).toContain('https://dichvucong.gov.vn');
    expect(text).toContain('yêu cầu ký 2 tài liệu:');
    expect(await page.locator('#files li').nth(0).textContent()).toBe('Tờ khai đăng ký hộ kinh doanh.pdf120,6 KB');
    expect(await page.locator('#files li').nth(1).textContent()).toBe('Giấy ủy quyền.pdf2,3 MB');
    expect(await page.locator('#certificate').textContent()).toContain('CCCD: 001190012345');
    expect(await focused(page)).toBe('cancel');
    expect(await page.locator('#sign').isDisabled()).toBe(true);
    await page.clock.runFor(1000);
    await page.waitForSelector('#sign:not([disabled])');
    await shot(page, 'confirm-vi');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await outcome).toEqual({ submitted: { confirmed: true } });
    expect(errors).toEqual([]);
    await close();
  });

  it('English, one file; "Cancel" says no', async () => {
    const { page, close, outcome } = await open<ConfirmDialogRequest, { confirmed: boolean }>('confirm', { ...request, documents: [request.documents[0]!], language: 'en' }, { viewport: { width: 560, height: 440 } });
    expect(await page.locator('#asks').textContent()).toBe('asks you to sign:');
    expect(await page.locator('#files li').textContent()).toBe('Tờ khai đăng ký hộ kinh doanh.pdf120.6 KB');
    await shot(page, 'confirm-en');
    await page.keyboard.press('Enter'); // on Cancel
    expect(await outcome).toEqual({ submitted: { confirmed: false } });
    await close();
  });
});

describe('settings', () => {
  const request: SettingsDialogRequest = {
    settings: {
      language: 'vi', modulePaths: ['C:\\Windows\\System32\\vnpt-ca_csp11.dll'], tsa: { url: 'http://tsa.ca.gov.vn', username: '', hasPassword: false },
      appearance: { show: { signer: true, organization: true, time: true } }, port: null, pinCacheMinutes: 0, logLevel: 'info', autostart: true, vnptCompat: true,
      trustAnchors: [],
    },
    sites: [{ origin: ORIGIN, since: '2026-02-03T04:05:06.000Z' }, { origin: 'https://igate.vnpt.vn' }],
    secretsAvailable: true,
    pinCacheChoices: [0, 1, 5, 15, 30],
    defaultPort: 58110,
    version: '0.1.0',
    language: 'vi',
  };

  it('edits everything; a module only through the file dialog; revokes a site; checks the port; saves the whole', async () => {
    const { page, close, outcome, errors, calls } = await open<SettingsDialogRequest, SettingsDialogResult>('settings', request, {
      viewport: { width: 720, height: 1400 },
      calls: { chooseModule: () => 'C:\\Program Files\\Viettel-CA\\viettel-ca_v6.dll' },
    });
    expect(await page.locator('#modules li').count()).toBe(1);
    expect(await page.locator('#pin-cache').inputValue()).toBe('0');
    expect(await page.locator('#pin-cache option').first().textContent()).toBe('Không ghi nhớ (khuyên dùng)');
    expect(await page.locator('#port').getAttribute('placeholder')).toBe('mặc định (58110)');
    expect(await page.locator('#sites li').nth(0).textContent()).toContain('từ 03/02/2026');

    await page.locator('#add-module').click();
    await page.waitForFunction(() => document.querySelectorAll('#modules li').length === 2);
    expect(calls).toEqual(['chooseModule']);
    await page.locator('#modules li').nth(0).locator('button').click(); // remove the VNPT one
    await page.locator('#sites li[data-origin="https://igate.vnpt.vn"] button').click();
    expect(await page.locator('#sites li[data-origin="https://igate.vnpt.vn"]').getAttribute('class')).toContain('revoked');
    await page.locator('#tsa-user').fill('cong-dan');
    await page.locator('#tsa-password').fill('Mật-khẩu');
    await page.locator('[data-show="title"]').check();
    await page.locator('#bold').check();
    await page.locator('#pin-cache').selectOption('5');
    await page.locator('#log-level').selectOption('debug');
    await page.locator('#autostart').uncheck();
    expect(await page.locator('#vnpt-compat').isChecked()).toBe(true);
    await page.locator('#vnpt-compat').uncheck();
    await page.locator('#port').fill('80');
    await page.locator('#save').click();
    expect(await page.locator('#port-error').isVisible()).toBe(true);
    expect(await focused(page)).toBe('port');
    await page.locator('#port').fill('14321');
    await shot(page, 'settings-vi');
    await page.keyboard.press('Enter');
    const { submitted } = await outcome;
    expect(submitted).toEqual({
      language: 'vi',
      modulePaths: ['C:\\Program Files\\Viettel-CA\\viettel-ca_v6.dll'],
      tsa: { url: 'http://tsa.ca.gov.vn', username: 'cong-dan', password: 'Mật-khẩu' },
      appearance: { show: { signer: true, organization: true, organizationalUnit: false, title: true, email: false, time: true }, bold: true, upperCase: false, border: false },
      port: 14321,
      pinCacheMinutes: 5,
      logLevel: 'debug',
      autostart: false,
      vnptCompat: false,
      revokedSites: ['https://igate.vnpt.vn'],
      trustAnchors: [],
    });
    expect(await page.locator('#tsa-password').inputValue()).toBe('');
    expect(errors).toEqual([]);
    await close();
  });

  it('trust anchors: added only through the host (file dialog), shown with name, fingerprint and end date; removable; a bad file says why', async () => {
    const stored = { fingerprint: 'f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8', name: 'RootCA của Sở', notAfter: '2048-08-14T07:36:39.000Z' };
    const added = { fingerprint: 'ab'.repeat(32), name: 'Kyso Test Root CA', notAfter: '2036-01-01T00:00:00.000Z' };
    let answers: Array<() => unknown> = [
      () => { throw new Error('tệp không phải chứng thư / not a certificate'); },
      () => [added],
      () => [added], // the same certificate twice: listed once
      () => null, // cancelled
    ];
    const { page, close, outcome, errors, calls } = await open<SettingsDialogRequest, SettingsDialogResult>('settings', { ...request, settings: { ...request.settings, trustAnchors: [stored] } }, {
      viewport: { width: 720, height: 1500 },
      calls: { addTrustAnchor: () => answers.shift()!() },
    });
    expect(await page.locator('#anchors li').count()).toBe(1);
    expect(await page.locator('#anchors li').textContent()).toContain('RootCA của Sở');
    expect(await page.locator('#anchors li .fingerprint').textContent()).toBe('SHA-256 F0:4B:A4:B4:59:A7:C9:A1:B9:71:AD:9B:1C:B8:33:E6:95:A8:0C:79:AE:A6:3B:17:4B:66:A7:0E:DF:E2:FD:B8');
    expect(await page.locator('#anchors li .since').textContent()).toBe('hiệu lực đến 14/08/2048');

    await page.locator('#add-anchor').click();
    await page.locator('#anchor-error').waitFor({ state: 'visible' });
    expect(await page.locator('#anchor-error').textContent()).toContain('not a certificate');
    expect(await page.locator('#anchors li').count()).toBe(1);
    for (let i = 0; i < 3; i++) {
      await page.locator('#add-anchor').click(); // waits for the button to be enabled again, i.e. the previous answer shown
      await expect.poll(() => calls.length).toBe(i + 2);
    }
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('#add-anchor')!.disabled);
    await page.waitForFunction(() => document.querySelectorAll('#anchors li').length === 2);
    expect(calls).toEqual(['addTrustAnchor', 'addTrustAnchor', 'addTrustAnchor', 'addTrustAnchor']);
    expect(await page.locator('#anchor-error').isHidden()).toBe(true);
    expect(await focused(page)).toBe('add-anchor');
    await shot(page, 'settings-anchors');
    await page.locator(`#anchors li[data-fingerprint="${stored.fingerprint}"] button`).click(); // remove the stored one
    expect(await page.locator('#anchors li').count()).toBe(1);
    await page.locator('#save').click();
    const { submitted } = await outcome;
    expect(submitted!.trustAnchors).toEqual([added]);
    expect(errors).toEqual([]);
    answers = [];
    await close();
  });

  it('local certificate: shows what is trusted, and "add again" asks the host and shows the new state', async () => {
    const before = { present: true, caName: 'Kyso Local CA 2026-12-02 ab12', notAfter: '2027-12-01T00:00:00.000Z', stores: [{ label: 'Windows (người dùng hiện tại)', installed: false }] };
    const { page, close, outcome, errors, calls } = await open<SettingsDialogRequest, SettingsDialogResult>('settings', { ...request, localCertificate: before }, {
      viewport: { width: 720, height: 1500 },
      calls: { installLocalCertificate: () => ({ ...before, stores: [{ label: 'Windows (người dùng hiện tại)', installed: true }] }) },
    });
    expect(await page.locator('#local-cert').isVisible()).toBe(true);
    expect(await page.locator('#local-cert-summary').textContent()).toBe('Kyso Local CA 2026-12-02 ab12 — hiệu lực đến 01/12/2027');
    expect(await page.locator('#local-cert-stores li').getAttribute('data-installed')).toBe('false');
    expect(await page.locator('#local-cert-stores li').textContent()).toContain('Chưa tin cậy');
    await page.locator('#local-cert-install').click();
    await page.waitForSelector('#local-cert-stores li[data-installed="true"]');
    expect(calls).toEqual(['installLocalCertificate']);
    expect(await page.locator('#local-cert-stores li').textContent()).toContain('Đã tin cậy');
    await page.keyboard.press('Escape');
    expect(await outcome).toEqual({ cancelled: true });
    expect(errors).toEqual([]);
    await close();
  });

  it('without a local certificate view (headless hosts) the section stays hidden', async () => {
    const { page, close, errors } = await open<SettingsDialogRequest, SettingsDialogResult>('settings', request, { viewport: { width: 720, height: 1400 } });
    expect(await page.locator('#local-cert').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await close();
  });

  it('English; no protected storage: the password field is off and says why; a saved password can be forgotten; Esc changes nothing', async () => {
    const { page, close, outcome, errors } = await open<SettingsDialogRequest, SettingsDialogResult>('settings', {
      ...request, language: 'en', secretsAvailable: false, sites: [],
      settings: { ...request.settings, tsa: { url: 'https://tsa.example.vn', username: 'an', hasPassword: true } },
    }, { viewport: { width: 720, height: 1400 } });
    expect(await page.locator('#tsa-password').isDisabled()).toBe(true);
    expect(await page.locator('#no-secrets').isVisible()).toBe(true);
    expect(await page.locator('#no-sites').textContent()).toBe('No website allowed yet.');
    expect(await page.locator('#forget-row').isVisible()).toBe(true);
    await shot(page, 'settings-en');
    await page.keyboard.press('Escape');
    expect(await outcome).toEqual({ cancelled: true });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('placement dialog under the app\'s headers', () => {
  it('pdf.js (page, worker, fonts) works within the CSP the kyso:// handler sends', async () => {
    const request: PlacementRequest = {
      document: readFileSync(letterPdf()).toString('base64'), fileName: 'thư.pdf', origin: ORIGIN,
      signer: { commonName: 'NGUYỄN THỊ ÁNH TUYẾT' }, language: 'vi', defaults: { placement: { page: 1, rect: [330, 60, 560, 140] } },
    };
    const { page, close, outcome, errors } = await open<PlacementRequest, PlacementResult>('placement', request, { viewport: { width: 1200, height: 860 } });
    await page.waitForSelector('#page[data-rendered="0"]', { timeout: 20_000 }).catch((e: unknown) => { throw new Error(`${String(e)}\n${errors.join('\n')}`); });
    await shot(page, 'placement-app-headers');
    await page.locator('#confirm').click();
    const { submitted } = await outcome;
    expect(submitted!.placement).toEqual({ page: 1, rect: [330, 60, 560, 140] });
    expect(errors).toEqual([]);
    await close();
  });
});
