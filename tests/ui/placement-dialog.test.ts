/**
 * The placement dialog in Debian's Chromium (playwright-core), hosted the way the tray app will host it: the
 * page is served from dist/ui and talks only through window.kysoBridge, which the test provides. A box drawn
 * on page 2 of a real multi-page PDF comes back as a user-space rectangle; signing with it puts the widget
 * exactly there, and pdfsig accepts the signature. Screenshots go to tests/artifacts/ui/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PDF } from '@libpdf/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDialog as openDialogPage, startUiHost, type UiHost } from './ui-host.js';
import type { PlacementRequest, PlacementResult } from '../../src/ui/bridge.js';
import { signPdfVisible } from '../../src/core/pdf/appearance/visible.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { ARTIFACTS_DIR } from '../helpers/fixtures.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { letterPdf, rotatedLetterPdf } from '../appearance/documents.js';
import { displayRect, signatureWidgets, textInRect } from '../appearance/inspect.js';
import { signaturePng } from '../appearance/images.js';

const SHOTS = path.join(ARTIFACTS_DIR, 'ui');
const SIGNER = {
  commonName: 'NGUYỄN THỊ ÁNH TUYẾT', organization: 'Sở Tư pháp Thành phố Hà Nội', organizationalUnit: 'Phòng Hành chính',
  title: 'Chuyên viên', email: 'tuyet.nguyen@example.vn',
};

let host: UiHost;
let browser: Browser;
let tokens: TokenService;
// Our own LibreOffice letter: its page 2 has a known empty area, so the text found in the drawn box is only
// the signature's (corpus files fill their pages differently). Corpus files are covered in tests/appearance.
const documentFile = letterPdf();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  host = await startUiHost();
  browser = host.browser;
  tokens = openTestTokens();
});

afterAll(async () => {
  await host?.close();
  tokens?.close();
});

/** Opens the dialog with a test host behind window.kysoBridge (ui-host.ts); pdf.js's warnings are not errors. */
const openDialog = (request: PlacementRequest, viewport = { width: 1280, height: 900 }) =>
  openDialogPage<PlacementRequest, PlacementResult>(browser, host.base, 'placement', request, { viewport, warningsAreErrors: false });

const request = (extra: Partial<PlacementRequest> = {}): PlacementRequest => ({
  document: readFileSync(documentFile).toString('base64'),
  fileName: path.basename(documentFile),
  origin: 'https://dichvucong.gov.vn',
  signer: SIGNER,
  reason: 'Nộp hồ sơ',
  ...extra,
});

async function pageBox(page: Page): Promise<{ x: number; y: number; width: number; height: number; scale: number }> {
  // The viewer may still scroll the new page into view after rendering: wait until the box stops moving.
  let box = (await page.locator('#page').boundingBox())!;
  for (let i = 0; i < 50; i++) {
    await page.waitForTimeout(50);
    const next = (await page.locator('#page').boundingBox())!;
    const same = next.x === box.x && next.y === box.y && next.width === box.width && next.height === box.height;
    box = next;
    if (same) break;
  }
  const scale = Number(await page.locator('#page').getAttribute('data-scale'));
  return { ...box, scale };
}

const boxRect = async (page: Page): Promise<number[]> => JSON.parse((await page.locator('#box').getAttribute('data-rect'))!) as number[];

describe('placement dialog', () => {
  it('draws a box on page 2, previews it, confirms, and the signature lands exactly there', async () => {
    // Tall enough that the whole page is on screen at 100% (the mouse only reaches what is visible).
    const { page, close, outcome, errors } = await openDialog(request(), { width: 1280, height: 1100 });
    await page.waitForSelector('#thumbs[data-ready="true"]');
    await page.locator('#zoom-out').click();
    await page.locator('#zoom-out').click();
    await page.screenshot({ path: path.join(SHOTS, 'placement-1-opened.png') });

    await page.locator('#thumbs button').nth(1).click();
    await page.waitForSelector('#page[data-rendered="1"]');
    expect(await page.locator('#page-number').inputValue()).toBe('2');

    // Drag a box in the lower right part of page 2.
    const p = await pageBox(page);
    const from = { x: p.width * 0.5, y: p.height * 0.62 };
    const to = { x: p.width * 0.92, y: p.height * 0.74 };
    await page.mouse.move(p.x + from.x, p.y + from.y);
    await page.mouse.down();
    await page.mouse.move(p.x + to.x, p.y + to.y, { steps: 8 });
    await page.mouse.up();
    const drawn = await boxRect(page);
    // User space = (css / scale) with y flipped from the top of page 2's MediaBox (the corpus file may be
    // Letter or A4: read it from the document, never assume).
    const pageHeight = (await PDF.load(new Uint8Array(readFileSync(documentFile)))).getPage(1)!.height;
    const expected = [from.x / p.scale, pageHeight - to.y / p.scale, to.x / p.scale, pageHeight - from.y / p.scale];
    drawn.forEach((v, i) => expect(Math.abs(v - expected[i]!), `${drawn} vs ${expected}`).toBeLessThan(1.5 / p.scale + 0.01));

    // Options change the live preview; the preview shrinks text to fit like the signer does.
    await page.locator('[data-show="title"]').check();
    await page.locator('#bold').check();
    await page.locator('#text').fill('Đã xem và đồng ý');
    expect(Number(await page.locator('#box').getAttribute('data-lines'))).toBeGreaterThanOrEqual(5);

    // Keyboard: Shift+← five times moves 50 pt left; Alt+↓ grows it 1 pt downwards.
    await page.locator('#box').focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Alt+ArrowDown');
    const moved = await boxRect(page);
    expect(moved[0]).toBeCloseTo(drawn[0]! - 50, 1);
    expect(moved[2]).toBeCloseTo(drawn[2]! - 50, 1);
    expect(moved[1]).toBeCloseTo(drawn[1]! - 1, 1);
    await page.screenshot({ path: path.join(SHOTS, 'placement-2-box-on-page-2.png') });

    await page.keyboard.press('Enter');
    const { submitted } = await outcome;
    expect(errors, errors.join('\n')).toEqual([]);
    expect(submitted!.placement).toEqual({ page: 2, rect: moved });
    expect(submitted!.appearance).toMatchObject({ bold: true, text: 'Đã xem và đồng ý', show: { title: true, signer: true } });
    await close();

    // Sign with what the dialog returned.
    const key = await testKey(tokens, 'rsa');
    const signed = await signPdfVisible(new Uint8Array(readFileSync(documentFile)), key, { ...submitted!, reason: 'Nộp hồ sơ' });
    const widgets = await signatureWidgets(signed.bytes);
    expect(widgets).toHaveLength(1);
    expect(widgets[0]!.pageIndex).toBe(1);
    widgets[0]!.rect.forEach((v, i) => expect(v).toBeCloseTo(moved[i]!, 3));
    withTempFile(signed.bytes, 'dialog-signed.pdf', (file) => {
      const sig = pdfsig(file);
      expect(sig.signatures).toHaveLength(1);
      expect(sig.signatures[0]!.valid, sig.output).toBe(true);
    });
    const out = path.join(SHOTS, 'placement-signed.pdf');
    writeFileSync(out, signed.bytes);
    expect((await textInRect(out, 1, moved as [number, number, number, number]))[0]).toBe('Ký bởi: NGUYỄN THỊ ÁNH TUYẾT');

    // The signed file opened again in the dialog: pdf.js in Chromium draws the signature's appearance.
    const again = await openDialog(request({ document: Buffer.from(signed.bytes).toString('base64'), defaults: { placement: { page: 2, rect: [40, 40, 200, 90] } } }), { width: 1280, height: 1100 });
    await again.page.waitForSelector('#page[data-rendered="1"]');
    await again.page.locator('#zoom-out').click();
    await again.page.locator('#zoom-out').click();
    await again.page.waitForSelector('#page[data-rendered="1"]');
    await again.page.screenshot({ path: path.join(SHOTS, 'placement-3-signed-file-in-pdfjs.png') });
    await again.close();
  });

  it('returns all pages, an image and remembered defaults; English labels', async () => {
    const image = Buffer.from(signaturePng()).toString('base64');
    const { page, close, outcome, errors } = await openDialog(request({
      language: 'en',
      defaults: { placement: { page: 1, rect: [330, 60, 560, 140] }, appearance: { image, show: { email: true }, border: true } },
    }));
    expect(await page.locator('#confirm').textContent()).toBe('Sign');
    expect(await page.locator('#mode').inputValue()).toBe('image-text');
    expect(await page.locator('[data-show="email"]').isChecked()).toBe(true);
    expect(await boxRect(page)).toEqual([330, 60, 560, 140]);
    await page.locator('input[name="pages"][value="all"]').check();
    await page.screenshot({ path: path.join(SHOTS, 'placement-4-english-image-all-pages.png') });
    await page.locator('#confirm').click();
    const { submitted } = await outcome;
    expect(errors, errors.join('\n')).toEqual([]);
    expect(submitted!.placement).toEqual({ pages: 'all', rect: [330, 60, 560, 140] });
    expect(submitted!.appearance).toMatchObject({ image, mode: 'image-text', border: true, show: { email: true } });
    await close();
  });

  it('keyboard only, on a page turned by /Rotate 90: the box is where the user saw it', async () => {
    const file = rotatedLetterPdf(90);
    const { page, close, outcome, errors } = await openDialog(request({ document: readFileSync(file).toString('base64'), fileName: 'xoay.pdf' }));
    await page.locator('body').press('PageDown');
    await page.waitForSelector('#page[data-rendered="1"]');
    await page.locator('#place').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('box');
    // Away from the page's own text (on the right as displayed): 25 × 10 pt left, then 3 × 1 pt right.
    for (let i = 0; i < 25; i++) await page.keyboard.press('Shift+ArrowLeft');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.screenshot({ path: path.join(SHOTS, 'placement-5-rotated-page-keyboard.png') });
    await page.keyboard.press('Enter');
    const { submitted } = await outcome;
    expect(errors, errors.join('\n')).toEqual([]);
    expect(submitted!.placement).toMatchObject({ page: 2 });
    await close();

    const key = await testKey(tokens, 'rsa');
    const signed = await signPdfVisible(new Uint8Array(readFileSync(file)), key, submitted!);
    const [w] = await signatureWidgets(signed.bytes);
    const rect = (submitted!.placement as { rect: [number, number, number, number] }).rect;
    w!.rect.forEach((v, i) => expect(v).toBeCloseTo(rect[i]!, 3));
    expect(w!.matrix).toEqual([0, 1, -1, 0, 0, 0]);
    // As displayed (landscape 841.89 × 595.3): 180 × 60 pt, 36 pt from the lower right corner, moved 247 pt left.
    const shown = await displayRect(signed.bytes, 1, w!.rect as [number, number, number, number]);
    const expected = [841.89 - 36 - 180 - 247, 595.3 - 36 - 60, 841.89 - 36 - 247, 595.3 - 36];
    shown.forEach((v, i) => expect(Math.abs(v - expected[i]!), `${shown} vs ${expected}`).toBeLessThan(0.1));
    const out = path.join(SHOTS, 'placement-rotated-signed.pdf');
    writeFileSync(out, signed.bytes);
    expect((await textInRect(out, 1, rect))[0]).toBe('Ký bởi: NGUYỄN THỊ ÁNH TUYẾT');
  });

  it('Escape cancels; confirming without a box asks for one', async () => {
    const { page, close, outcome } = await openDialog(request());
    await page.locator('#confirm').click();
    expect(await page.locator('#status').textContent()).toBe('Hãy vẽ khung chữ ký trên trang.');
    await page.keyboard.press('Escape');
    expect(await outcome).toEqual({ cancelled: true });
    await close();
  });
});
