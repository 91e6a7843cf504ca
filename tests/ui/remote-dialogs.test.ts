/**
 * Remote signing's windows in Debian's Chromium, under the app's kyso:// headers (CSP violations fail): the
 * approval notice (app to open, short code, countdown, Cancel), the confirmation and the picker naming the
 * provider, and Settings → "Chữ ký số từ xa" adding and removing accounts. States are waited for, never timed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDialog, startUiHost, type OpenDialogOptions, type UiHost } from './ui-host.js';
import type {
  ApprovalDialogRequest, CertificateDialogRequest, CertificateView, ConfirmDialogRequest, PinDialogRequest, PinDialogResult, SettingsDialogRequest, SettingsDialogResult,
} from '../../src/ui/kit/protocol.js';

let host: UiHost;
let browser: Browser;
beforeAll(async () => {
  host = await startUiHost();
  browser = host.browser;
});
afterAll(async () => {
  await host?.close();
});

const open = <Req, R>(kind: string, request: Req, options: OpenDialogOptions = {}) => openDialog<Req, R>(browser, host.base, kind, request, options);

/** The page's clock under the test's hand (ui-host's manualClock): it reads T0 + 60 s and stands still. */
const NOW = Date.parse('2026-12-01T08:00:00+07:00') + 60_000;

const REMOTE_CERT: CertificateView = {
  id: 'd'.repeat(64), commonName: 'LÊ THỊ HỒNG NHUNG', identifiers: { CCCD: '079190001234' }, issuer: 'VNPT Certification Authority',
  notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2028-01-01T00:00:00.000Z', state: 'valid', key: 'RSA 2048', serialNumber: '0a11',
  remote: { provider: 'VNPT SmartCA', app: 'VNPT SmartCA', account: 'CCCD của tôi' },
};
const TOKEN_CERT: CertificateView = {
  id: 'a'.repeat(64), commonName: 'NGUYỄN VĂN AN', identifiers: { CCCD: '001190012345' }, issuer: 'Viettel-CA', notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2028-01-01T00:00:00.000Z', state: 'valid', token: 'Viettel-CA (viettel)', key: 'RSA 2048', serialNumber: '7a01',
};

describe('approval window', () => {
  const request: ApprovalDialogRequest = {
    provider: 'VNPT SmartCA', app: 'VNPT SmartCA', account: 'CCCD của tôi', holder: 'LÊ THỊ HỒNG NHUNG', documents: 5,
    approval: { index: 1, of: 2 }, code: '4821', expiresAt: new Date(NOW + 125_000).toISOString(), language: 'vi',
  };

  it('says which app to open, shows the code and a countdown to the provider\'s deadline; Cancel cancels', async () => {
    const { page, close, outcome, errors } = await open<ApprovalDialogRequest, never>('approval', request, { manualClock: true });
    expect(await page.locator('#open').textContent()).toBe('Mở ứng dụng VNPT SmartCA trên điện thoại để xác nhận');
    expect(await page.locator('#what').textContent()).toContain('ký 5 tài liệu trong một lần xác nhận');
    expect(await page.locator('#step').textContent()).toBe('Lần xác nhận 1/2.');
    expect(await page.locator('#code').textContent()).toBe('4821');
    expect(await page.locator('#code-box').isVisible()).toBe(true);
    expect(await page.locator('#countdown').textContent()).toBe('2:05');
    await page.clock.runFor(5_000);
    await page.waitForFunction(() => document.getElementById('countdown')?.textContent === '2:00');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('cancel');
    await page.keyboard.press('Enter');
    expect(await outcome).toEqual({ cancelled: true });
    expect(errors).toEqual([]);
    await close();
  });

  it('English, no code, one document; past the deadline it says so; Esc cancels', async () => {
    const { page, close, outcome, errors } = await open<ApprovalDialogRequest, never>('approval', {
      ...request, language: 'en', documents: 1, approval: { index: 1, of: 1 }, code: undefined, expiresAt: new Date(NOW + 2_000).toISOString(),
    } as ApprovalDialogRequest, { manualClock: true });
    expect(await page.locator('#open').textContent()).toBe('Open VNPT SmartCA on your phone to confirm');
    expect(await page.locator('#what').textContent()).toContain('signing 1 document');
    expect(await page.locator('#step').textContent()).toBe('');
    expect(await page.locator('#code-box').isVisible()).toBe(false);
    await page.clock.runFor(3_000);
    await page.waitForSelector('body[data-expired="true"]');
    expect(await page.locator('#countdown').textContent()).toBe('time is up');
    await page.keyboard.press('Escape');
    expect(await outcome).toEqual({ cancelled: true });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('confirmation and picker with a remote certificate', () => {
  it('the confirmation names the provider and, for a batch beyond one approval, how many approvals it takes', async () => {
    const request: ConfirmDialogRequest = {
      origin: 'https://dichvucong.gov.vn', documents: [{ fileName: 'a.pdf', size: 1000 }, { fileName: 'b.pdf', size: 2000 }, { fileName: 'c.pdf', size: 3000 }],
      certificate: REMOTE_CERT, approvals: 3, language: 'vi',
    };
    const { page, close, outcome, errors } = await open<ConfirmDialogRequest, { confirmed: boolean }>('confirm', request, { viewport: { width: 560, height: 520 } });
    expect(await page.locator('#certificate').textContent()).toContain('Ký số từ xa: VNPT SmartCA (CCCD của tôi)');
    expect(await page.locator('#approvals').textContent()).toBe('Cần xác nhận 3 lần trên điện thoại.');
    expect(await page.locator('#after').textContent()).toContain('mở ứng dụng VNPT SmartCA trên điện thoại');
    await page.locator('#language').click();
    expect(await page.locator('#approvals').textContent()).toBe('This takes 3 approvals on your phone.');
    await page.keyboard.press('Escape');
    expect(await outcome).toEqual({ cancelled: true });
    expect(errors).toEqual([]);
    await close();
  });

  it('one approval: no count; a token certificate keeps its token line', async () => {
    const one = await open<ConfirmDialogRequest, { confirmed: boolean }>('confirm', {
      origin: 'https://dichvucong.gov.vn', documents: [{ fileName: 'a.pdf', size: 1000 }], certificate: REMOTE_CERT, approvals: 1, language: 'vi',
    });
    expect(await one.page.locator('#approvals').textContent()).toBe('');
    await one.close();
    const token = await open<ConfirmDialogRequest, { confirmed: boolean }>('confirm', {
      origin: 'https://dichvucong.gov.vn', documents: [{ fileName: 'a.pdf', size: 1000 }], certificate: TOKEN_CERT, language: 'vi',
    });
    expect(await token.page.locator('#certificate').textContent()).toContain('Token: Viettel-CA (viettel)');
    expect(await token.page.locator('#after').textContent()).toContain('mã PIN của USB token');
    await token.close();
  });

  it('the picker lists a remote certificate beside a token one, marked with its provider', async () => {
    const { page, close, outcome, errors } = await open<CertificateDialogRequest, { certificateId: string }>('certificate', {
      origin: 'https://dichvucong.gov.vn', certificates: [TOKEN_CERT, REMOTE_CERT], language: 'vi',
    }, { viewport: { width: 640, height: 520 } });
    expect(await page.locator('.cert').nth(0).textContent()).toContain('Token: Viettel-CA (viettel)');
    expect(await page.locator('.cert').nth(1).textContent()).toContain('Ký số từ xa: VNPT SmartCA (CCCD của tôi) · xác nhận trên VNPT SmartCA');
    await page.locator(`.cert[data-id="${REMOTE_CERT.id}"]`).click();
    await page.locator('#choose').click();
    expect(await outcome).toEqual({ submitted: { certificateId: REMOTE_CERT.id } });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('a remote service\'s password', () => {
  it('the PIN window asks for the account\'s password naming provider and account, masked, with no "remember"', async () => {
    const request: PinDialogRequest = {
      token: 'VNPT SmartCA', holder: 'CCCD của tôi', pinState: 'ok', cacheMinutes: 0,
      remote: { secret: 'password', provider: 'VNPT SmartCA', account: 'CCCD của tôi' }, language: 'vi',
    };
    const { page, close, outcome, errors } = await open<PinDialogRequest, PinDialogResult>('pin', request);
    expect(await page.locator('#title').textContent()).toBe('Mật khẩu tài khoản ký số từ xa');
    expect(await page.locator('#token-label').textContent()).toBe('Nhà cung cấp');
    expect(await page.locator('#token').textContent()).toBe('VNPT SmartCA');
    expect(await page.locator('#holder').textContent()).toBe('CCCD của tôi');
    expect(await page.locator('#pin-label').textContent()).toBe('Mật khẩu');
    expect(await page.locator('#pin').getAttribute('type')).toBe('password');
    expect(await page.locator('#remember-row').isHidden()).toBe(true);
    expect(await page.locator('#note').textContent()).toContain('Chỉ được gửi tới VNPT SmartCA');
    await page.locator('#language').click();
    expect(await page.locator('#title').textContent()).toBe('Remote signing account password');
    await page.locator('#pin').fill('mật-khẩu:1');
    await page.locator('#pin').press('Enter');
    expect(await outcome).toEqual({ submitted: { pin: 'mật-khẩu:1', remember: false } });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('settings: remote signing', () => {
  const request: SettingsDialogRequest = {
    settings: {
      language: 'vi', modulePaths: [], tsa: { url: '', username: '', hasPassword: false }, appearance: {}, port: null, pinCacheMinutes: 0,
      logLevel: 'info', autostart: true, vnptCompat: false, trustAnchors: [],
    },
    sites: [],
    secretsAvailable: true,
    pinCacheChoices: [0, 5],
    remote: {
      providers: [
        { id: 'vnpt-smartca', name: 'VNPT SmartCA', app: 'VNPT SmartCA', accountKind: 'cccd-or-mst' },
        { id: 'csc-test', name: 'CSC thử nghiệm', app: 'CSC Phone', accountKind: 'phone' },
      ],
      accounts: [{ id: 'acc-1', providerId: 'vnpt-smartca', provider: 'VNPT SmartCA', label: 'Công ty', account: '010••••567' }],
    },
    version: '0.1.0',
    language: 'vi',
  };

  it('adds an account (a preset, a well-formed number, a label) and removes one; nothing asks for a password', async () => {
    const { page, close, outcome, errors } = await open<SettingsDialogRequest, SettingsDialogResult>('settings', request, { viewport: { width: 720, height: 1600 } });
    expect(await page.locator('#remote legend').textContent()).toBe('Chữ ký số từ xa');
    expect(await page.locator('#remote-accounts li').first().textContent()).toContain('Công ty — VNPT SmartCA · 010••••567');
    expect(await page.locator('#remote input[type="password"]').count()).toBe(0);
    // A number that is neither a CCCD nor an MST is refused, saying what was expected.
    await page.locator('#remote-account').fill('12345');
    await page.locator('#remote-label').fill('CCCD của tôi');
    await page.locator('#remote-add').click();
    await page.waitForSelector('#remote-error:not([hidden])');
    expect(await page.locator('#remote-error').textContent()).toBe('Số tài khoản không đúng dạng: Số CCCD hoặc mã số thuế.');
    await page.locator('#remote-account').fill('079 190 001 234');
    await page.waitForSelector('#remote-error', { state: 'hidden' });
    await page.locator('#remote-add').click();
    await page.waitForFunction(() => document.querySelectorAll('#remote-accounts li').length === 2);
    expect(await page.locator('#remote-accounts li').nth(1).textContent()).toContain('CCCD của tôi — VNPT SmartCA · 079••••••234');
    // The label a phone account asks for follows the provider.
    await page.locator('#remote-provider').selectOption('csc-test');
    expect(await page.locator('label:has(#remote-account) span').textContent()).toBe('Số điện thoại');
    await page.locator('#remote-accounts li').first().locator('button').click();
    await page.waitForSelector('#remote-accounts li.revoked');
    await page.locator('#save').click();
    const result = (await outcome).submitted!;
    expect(result.remoteAccounts).toEqual({ add: [{ providerId: 'vnpt-smartca', account: '079190001234', label: 'CCCD của tôi' }], remove: ['acc-1'] });
    expect(errors).toEqual([]);
    await close();
  });

  it('no change: the answer carries no remoteAccounts; without remote signing the section stays hidden', async () => {
    const same = await open<SettingsDialogRequest, SettingsDialogResult>('settings', request, { viewport: { width: 720, height: 1600 } });
    await same.page.locator('#save').click();
    expect((await same.outcome).submitted).not.toHaveProperty('remoteAccounts');
    await same.close();
    const { remote: _, ...without } = request;
    const none = await open<SettingsDialogRequest, SettingsDialogResult>('settings', without, { viewport: { width: 720, height: 1600 } });
    expect(await none.page.locator('#remote').isHidden()).toBe(true);
    await none.close();
  });
});
