/**
 * The "Kiểm tra chữ ký / Verify a document" page in Debian's Chromium, served with the exact headers of the
 * app's kyso:// handler (its CSP included: a violation fails the test), behind a test bridge that answers the
 * way the main process does: with reports core made from real PDFs signed on the SoftHSM token — one signed
 * twice and untouched, the same with a red box painted over page 1 afterwards, one whose CA is not trusted.
 * Keyboard only; Vietnamese and English; screenshots in tests/artifacts/ui/dialog-verify-*.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PDF } from '@libpdf/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDialog, startUiHost, type UiHost } from './ui-host.js';
import { verifyReportView } from '../../src/app/dialogs/verify.js';
import { signPdf } from '../../src/core/pdf/sign.js';
import { verifyDocument } from '../../src/core/verify-document.js';
import { builtInAnchors, parseAnchorFile } from '../../src/core/validation/trust.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import type { VerifyDialogRequest, VerifyOutcome, VerifyReportView } from '../../src/ui/kit/protocol.js';
import { ARTIFACTS_DIR, fixtures } from '../helpers/fixtures.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { paintOverPage } from '../validation/forgeries.js';

const SHOTS = path.join(ARTIFACTS_DIR, 'ui');

let host: UiHost;
let base: string;
let browser: Browser;
let tokens: TokenService;
let twice: Uint8Array;
let reports: { trusted: VerifyReportView; modified: VerifyReportView; untrusted: VerifyReportView };

/** Core's report, as the main process makes it for the page. */
async function report(bytes: Uint8Array, name: string, trustTestRoot: boolean): Promise<VerifyReportView> {
  const root = fixtures().pki.rootCa;
  const anchors = [...builtInAnchors(), ...(trustTestRoot ? parseAnchorFile(readFileSync(root), root) : [])];
  return verifyReportView(await verifyDocument(bytes, { anchors, offline: true }), name, bytes.length);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });

  tokens = openTestTokens();
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Don de nghi cap phep xay dung', { x: 50, y: 780, size: 14 });
  const once = (await signPdf(await pdf.save(), await testKey(tokens, 'rsa'), { reason: 'Nộp hồ sơ', location: 'Hà Nội' })).bytes;
  twice = (await signPdf(once, await testKey(tokens, 'ec256'), { reason: 'Phê duyệt' })).bytes;
  reports = {
    trusted: await report(twice, 'don-de-nghi.pdf', true),
    modified: await report(await paintOverPage(twice), 'don-de-nghi-da-sua.pdf', true),
    untrusted: await report(once, 'don-de-nghi.pdf', false),
  };

  host = await startUiHost();
  base = host.base;
  browser = host.browser;
}, 120_000);

afterAll(async () => {
  await host?.close();
  tokens?.close();
});

interface Call { method: string; arg?: unknown }
interface Host { page: Page; cancelled: Promise<true>; errors: string[]; calls: Call[]; close(): Promise<void> }

/**
 * Opens the page with a test host behind window.kysoBridge, shaped as the preload exposes it for `verify`
 * (ui-host.ts). Playwright carries JSON only, so a dropped document's bytes travel as an array and become a
 * Uint8Array again here.
 */
async function open(request: VerifyDialogRequest, answers: { openDocument?: () => VerifyOutcome | null; verifyDropped?: (name: string, bytes: Uint8Array) => VerifyOutcome; saveRevision?: (n: number) => boolean } = {}): Promise<Host> {
  const calls: Call[] = [];
  const call = <T>(method: string, answer: (arg?: unknown) => T) => (arg?: unknown): T => {
    calls.push({ method, ...(arg !== undefined ? { arg } : {}) });
    return answer(arg);
  };
  const dialog = await openDialog<VerifyDialogRequest, unknown>(browser, base, 'verify', request, {
    viewport: { width: 760, height: 900 },
    calls: {
      openDocument: call('openDocument', () => answers.openDocument?.() ?? null),
      verifyDropped: call('verifyDropped', (arg) => {
        const d = arg as { name: string; bytes: number[] };
        return answers.verifyDropped!(d.name, Uint8Array.from(d.bytes));
      }),
      saveRevision: call('saveRevision', (arg) => answers.saveRevision?.(arg as number) ?? false),
    },
  });
  // The verify window never submits; it only closes.
  const cancelled = dialog.outcome.then((o) => {
    if (!o.cancelled) dialog.errors.push('the verify page submitted something');
    return true as const;
  });
  return { page: dialog.page, cancelled, errors: dialog.errors, calls, close: dialog.close };
}

const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: path.join(SHOTS, `dialog-verify-${name}.png`), fullPage: true });
const focused = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');
const card = (page: Page, n: number) => page.locator(`#signatures li.sig[data-number="${n}"]`);

describe('verify window', () => {
  it('Ctrl+O opens a document through the host; two signatures in order, green, the first followed only by the second', async () => {
    const { page, close, errors, calls } = await open({ language: 'vi' }, { openDocument: () => ({ report: reports.trusted }) });
    expect(await focused(page)).toBe('open');
    expect(await page.locator('#report').isHidden()).toBe(true);
    await page.keyboard.press('Control+o');
    await page.waitForSelector('#report:not([hidden])');
    expect(calls).toEqual([{ method: 'openDocument' }]);
    expect(await focused(page)).toBe('summary');
    const summary = await page.locator('#summary').textContent();
    expect(summary).toContain('don-de-nghi.pdf');
    expect(summary).toContain('Mọi chữ ký hợp lệ và được tin cậy');
    expect(await page.locator('#summary').getAttribute('class')).toBe('summary ok');

    const first = (await card(page, 1).textContent())!;
    expect(first).toContain('Chữ ký số #1');
    expect(first).toContain('HỢP LỆ');
    expect(first).toContain(fixtures().pki.signers.rsa.cn);
    expect(first).toContain('CCCD: 001190012345');
    expect(first).toContain('Chuyên viên');
    expect(first).toContain('Sở Tư pháp Thành phố Hà Nội');
    expect(first).toMatch(/Tổ chức cấp.+\S/);
    expect(first).toMatch(/Thời điểm ký\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00 \(do máy người ký tự khai, không có dấu thời gian\)/);
    expect(first).toContain('PAdES B-B');
    expect(first).toContain('Nộp hồ sơ');
    expect(first).toContain('Tin cậy — đến chứng thư gốc «Kyso Test Root CA»');
    expect(first).toMatch(/Chỉ có bổ sung được phép: thêm chữ ký «[^»]+»/);
    expect(await card(page, 1).getAttribute('class')).toBe('sig ok');

    const second = (await card(page, 2).textContent())!;
    expect(second).toContain(fixtures().pki.signers.ec256.cn);
    expect(second).toContain('MST: 0101234567');
    expect(second).toContain('Không thay đổi: chữ ký phủ toàn bộ tài liệu');
    await shot(page, 'valid-vi');
    expect(errors).toEqual([]);
    await close();
  });

  it('changed after signing: red, "đã thay đổi trang 1"; saving revision #2 calls the host with 2; English too', async () => {
    const { page, close, errors, calls } = await open({ language: 'vi', report: reports.modified }, { saveRevision: () => true });
    expect(await page.locator('#summary').getAttribute('class')).toBe('summary bad');
    expect(await page.locator('#summary').textContent()).toContain('KHÔNG HỢP LỆ');
    for (const n of [1, 2]) {
      const text = (await card(page, n).textContent())!;
      expect(text).toContain('KHÔNG HỢP LỆ — tài liệu bị sửa sau khi ký');
      expect(text).toContain('ĐÃ BỊ SỬA sau khi ký: đã thay đổi trang 1 (nội dung trang)');
      expect(await card(page, n).getAttribute('class')).toBe('sig bad');
    }
    // The first signature's history names both what was not allowed and the second signature added on top.
    expect(await card(page, 1).textContent()).toMatch(/\(nội dung trang\); thêm chữ ký «[^»]+»/);
    await shot(page, 'modified-vi');

    // Keyboard: Tab to "save revision #2", Enter.
    const save = page.locator('#save-2');
    for (let i = 0; i < 10 && (await focused(page)) !== 'save-2'; i++) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('save-2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('li.sig[data-number="2"] .saved');
    expect(calls).toEqual([{ method: 'saveRevision', arg: 2 }]);
    expect(await card(page, 2).locator('.saved').textContent()).toBe('Đã lưu phiên bản #2.');
    expect(await save.textContent()).toBe('Lưu phiên bản đã ký #2…');

    await page.locator('#language').click();
    const en = (await card(page, 1).textContent())!;
    expect(en).toContain('INVALID — the document was changed after signing');
    expect(en).toContain('CHANGED after signing: changed page 1 (page content)');
    expect(en).toContain('claimed by the signer’s computer');
    expect(await card(page, 2).locator('.saved').textContent()).toBe('Saved revision #2.');
    await shot(page, 'modified-en');
    expect(errors).toEqual([]);
    await close();
  });

  it('a dropped document goes to the host as name and bytes; an untrusted CA is amber with the reason; Esc closes', async () => {
    let received: { name: string; bytes: Uint8Array } | undefined;
    const { page, close, errors, cancelled } = await open({ language: 'vi' }, {
      verifyDropped: (name, bytes) => { received = { name, bytes }; return { report: reports.untrusted }; },
    });
    const data = Buffer.from(twice).toString('base64');
    const dt = await page.evaluateHandle((b64) => {
      const t = new DataTransfer();
      t.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'don-de-nghi.pdf', { type: 'application/pdf' }));
      return t;
    }, data);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
    await page.waitForSelector('#report:not([hidden])');
    expect(received?.name).toBe('don-de-nghi.pdf');
    expect(Buffer.compare(Buffer.from(received!.bytes), Buffer.from(twice))).toBe(0);
    expect(await page.locator('#summary').getAttribute('class')).toBe('summary warn');
    expect(await page.locator('#summary').textContent()).toContain('Nguyên vẹn, nhưng có chứng thư chưa được tin cậy');
    const text = (await card(page, 1).textContent())!;
    expect(text).toContain('NGUYÊN VẸN NHƯNG CHƯA TIN CẬY');
    expect(text).toMatch(/CHƯA tin cậy — .*Kyso Test Root CA/);
    expect(await card(page, 1).getAttribute('class')).toBe('sig warn');
    await shot(page, 'untrusted-vi');
    await page.keyboard.press('Escape');
    expect(await cancelled).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });

  it('a file that is not a signed document: the host’s reason, in the page’s language', async () => {
    const { page, close, errors } = await open({ language: 'en' }, { openDocument: () => ({ error: { vi: 'Định dạng tài liệu không được hỗ trợ.', en: 'This document format is not supported.' } }) });
    await page.keyboard.press('Enter');
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.locator('#error').textContent()).toBe('This document format is not supported.');
    expect(await page.locator('#report').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });
});
