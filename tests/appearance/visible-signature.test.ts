/**
 * Visible signatures on real multi-page documents (LibreOffice, qpdf, and the corpus when it has multi-page
 * files), signed on the SoftHSM token, checked with tools we did not write: pdfsig (valid, trusted), pdftotext
 * (exact Vietnamese text back), pdffonts (embedded subset Type0 with ToUnicode), poppler and pdf.js renders
 * (ink where the box is; PNGs under tests/artifacts/appearance/ to look at).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareVisibleSignature, signPdfVisible } from '../../src/core/pdf/appearance/visible.js';
import type { Placement, SignatureAppearanceOptions } from '../../src/core/pdf/appearance/options.js';
import { openPdf } from '../../src/core/pdf/open.js';
import { TextIndex } from '../../src/core/pdf/placement/keyword.js';
import { pageGeometry } from '../../src/core/pdf/placement/geometry.js';
import { isKysoError } from '../../src/core/errors.js';
import type { SigningKey } from '../../src/core/signing-key.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import { pdfsig, qpdfCheck } from '../helpers/tools.js';
import { artifact, compressedLetterPdf, corpusMultipage, croppedLetterPdf, letterPdf, rotatedLetterPdf } from './documents.js';
import { jpegOf, signaturePng } from './images.js';
import { displayRect, inkIn, pageText, pdffonts, readBytes, renderPdfjs, renderPoppler, signatureWidgets, textInRect } from './inspect.js';

const SIGNING_TIME = new Date('2025-03-15T09:30:00Z'); // 16:30:00 in Vietnam
const ALL_PARTS: SignatureAppearanceOptions = {
  show: { signer: true, email: true, organization: true, organizationalUnit: true, title: true, time: true },
  border: true,
};
const EXPECTED_LINES = [
  'Ký bởi: NGUYỄN THỊ ÁNH TUYẾT',
  'Email: tuyet.nguyen@example.vn',
  'Đơn vị: Phòng Hành chính',
  'Cơ quan: Sở Tư pháp Thành phố Hà Nội',
  'Chức vụ: Chuyên viên',
  'Lý do: Nộp hồ sơ xin cấp phép',
  'Nơi ký: Hà Nội',
  'Thời gian ký: 15/03/2025 16:30:00',
];

let tokens: TokenService;
let rsa: SigningKey;
beforeAll(async () => {
  tokens = openTestTokens();
  rsa = await testKey(tokens, 'rsa');
});
afterAll(() => tokens.close());

async function sign(file: string, placement: Placement, appearance: SignatureAppearanceOptions, name: string, key = rsa): Promise<{ bytes: Uint8Array; out: string }> {
  const input = readBytes(file);
  const result = await signPdfVisible(input, key, {
    placement, appearance, signingTime: SIGNING_TIME, reason: 'Nộp hồ sơ xin cấp phép', location: 'Hà Nội',
  });
  const out = artifact(`${name}.pdf`);
  writeFileSync(out, result.bytes);
  // Always: appended update, valid and trusted for pdfsig, structurally clean for qpdf.
  expect(Buffer.compare(Buffer.from(result.bytes.subarray(0, input.length)), Buffer.from(input))).toBe(0);
  const sig = pdfsig(out);
  expect(sig.signatures.at(-1)?.valid, sig.output).toBe(true);
  expect(sig.signatures.at(-1)?.trusted, sig.output).toBe(true);
  expect(sig.signatures.at(-1)?.totalDocumentSigned, sig.output).toBe(true);
  const q = qpdfCheck(out);
  expect([0, 3], q.output).toContain(q.status);
  return { bytes: result.bytes, out };
}

const close = (a: readonly number[], b: readonly number[], eps = 1e-3): boolean => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= eps);

describe('rectangle on page 2', () => {
  const rect: [number, number, number, number] = [300, 280, 565, 400];
  let signed: { bytes: Uint8Array; out: string };
  beforeAll(async () => { signed = await sign(letterPdf(), { page: 2, rect }, ALL_PARTS, 'rect-page2'); });

  it('puts one widget on page 2 at exactly the requested /Rect', async () => {
    const widgets = await signatureWidgets(signed.bytes);
    expect(widgets).toHaveLength(1);
    expect(widgets[0]!.pageIndex).toBe(1);
    expect(widgets[0]!.hasParent).toBe(false);
    expect(close(widgets[0]!.rect, rect), String(widgets[0]!.rect)).toBe(true);
    expect(pdfsig(signed.out).signatures).toHaveLength(1);
  });

  it('extracts exactly the Vietnamese text drawn (pdftotext)', async () => {
    expect(await textInRect(signed.out, 1, rect)).toEqual(EXPECTED_LINES);
    // Nothing else on the page changed.
    expect(pageText(signed.out, 1)).toContain('Người làm đơn');
  });

  it('embeds a subset Unicode TrueType font (Type0, Identity-H, ToUnicode)', () => {
    const line = pdffonts(signed.out).split('\n').find((l) => l.includes('DejaVuSans'));
    expect(line).toMatch(/^[A-Z]{6}\+DejaVuSans\s+CID TrueType\s+Identity-H\s+yes yes yes/);
  });

  it('renders in the box with poppler and with pdf.js', async () => {
    const box = await displayRect(signed.bytes, 1, rect);
    const poppler = renderPoppler(signed.out, 1, 100, artifact('rect-page2.poppler.png'));
    const pdfjs = await renderPdfjs(signed.bytes, 1, 100, artifact('rect-page2.pdfjs.png'));
    for (const img of [poppler, pdfjs]) {
      expect(inkIn(img, 100, box)).toBeGreaterThan(0.02);
      // The empty lower part of the page stays empty.
      expect(inkIn(img, 100, [60, 700, 280, 800])).toBe(0);
    }
  });
});

describe('keyword placement', () => {
  it('finds a phrase split across text items (bold + italic) and an NFD-typed keyword', async () => {
    const index = await TextIndex.open(readBytes(letterPdf()));
    try {
      const nfc = await index.find('Người làm đơn');
      const nfd = await index.find('Người làm đơn'.normalize('NFD'));
      expect(nfc).toHaveLength(1);
      expect(nfc[0]!.pageIndex).toBe(1);
      expect(nfd).toEqual(nfc);
      // Across a line break: "…chịu / trách nhiệm" is wrapped by LibreOffice.
      expect(await index.find('chịu trách nhiệm')).toHaveLength(1);
      expect(await index.find('NGƯỜI LÀM ĐƠN')).toHaveLength(0);
      expect(await index.find('NGƯỜI LÀM ĐƠN', { ignoreCase: true })).toHaveLength(1);
    } finally {
      await index.close();
    }
  });

  it('signs below "Người làm đơn" on page 2', async () => {
    const file = letterPdf();
    const index = await TextIndex.open(readBytes(file));
    const [kw] = await index.find('Người làm đơn');
    await index.close();
    const signed = await sign(file, { keyword: 'Người làm đơn', position: 'below', offset: { x: -40, y: -20 }, size: { width: 220, height: 70 } }, {}, 'keyword-below');
    const [w] = await signatureWidgets(signed.bytes);
    expect(w!.pageIndex).toBe(1);
    const r = w!.rect;
    expect(r[2]! - r[0]!).toBeCloseTo(220, 3);
    expect(r[3]! - r[1]!).toBeCloseTo(70, 3);
    // Asked for 20 pt under the keyword, where "(Ký, ghi rõ họ tên)" is printed: moved down to the free space under it.
    expect(r[3]).toBeLessThan(kw!.rect[1] - 20);
    expect(r[0]).toBeCloseTo(kw!.rect[0] - 40, 3);
    // Only the signature's own lines are in the box: it covers none of the page's text.
    expect(await textInRect(signed.out, 1, r as [number, number, number, number])).toEqual(['Ký bởi: NGUYỄN THỊ ÁNH TUYẾT', 'Cơ quan: Sở Tư pháp Thành phố Hà Nội', 'Lý do: Nộp hồ sơ xin cấp phép', 'Nơi ký: Hà Nội', 'Thời gian ký: 15/03/2025 16:30:00']);
    renderPoppler(signed.out, 1, 100, artifact('keyword-below.poppler.png'));
  });

  it('places below a keyword as displayed on a page turned by /Rotate 90', async () => {
    const signed = await sign(rotatedLetterPdf(90), { keyword: 'Người làm đơn', position: 'below', size: { width: 120, height: 60 } }, { show: { time: false } }, 'keyword-rot90');
    const [w] = await signatureWidgets(signed.bytes);
    const index = await TextIndex.open(readBytes(rotatedLetterPdf(90)));
    const [kw] = await index.find('Người làm đơn');
    await index.close();
    const box = await displayRect(signed.bytes, 1, w!.rect as [number, number, number, number]);
    const k = await displayRect(signed.bytes, 1, kw!.rect);
    // Under the keyword as the reader sees it (still across its width), moved clear of the page's sideways
    // text columns that reach lower than the keyword.
    expect(box[1]).toBeGreaterThanOrEqual(k[3]);
    expect(box[2]).toBeGreaterThan(k[0]);
    expect(box[0]).toBeLessThan(k[2]);
    expect((await textInRect(signed.out, 1, w!.rect as [number, number, number, number])).join(' ')).not.toMatch(/Hồ Chí Minh|Ký, ghi/);
    expect(box[2] - box[0]).toBeCloseTo(120, 3);
    expect(box[3] - box[1]).toBeCloseTo(60, 3);
    // Upright as displayed: the form is turned by its /Matrix (the page's text here is not; see the PNG).
    expect(w!.matrix).toEqual([0, 1, -1, 0, 0, 0]);
    renderPoppler(signed.out, 1, 100, artifact('keyword-rot90.poppler.png'));
  });

  it('keeps the box inside a CropBox that does not start at 0,0', async () => {
    const file = await croppedLetterPdf();
    const signed = await sign(file, { keyword: 'Người làm đơn', position: 'right', size: { width: 200, height: 60 } }, {}, 'keyword-cropbox');
    const [w] = await signatureWidgets(signed.bytes);
    // The phrase is centred on the page: to its right a 200 pt box would pass the crop's right edge (560), and
    // pulled in it would cover the phrase, so it goes below; inside the crop with its 8 pt margin.
    const [x1, y1, x2, y2] = w!.rect as [number, number, number, number];
    expect(x1).toBeGreaterThanOrEqual(48);
    expect(y1).toBeGreaterThanOrEqual(68);
    expect(x2).toBeLessThanOrEqual(552);
    expect(y2).toBeLessThanOrEqual(792);
    expect((await textInRect(signed.out, 1, w!.rect as [number, number, number, number]))[0]).toBe('Ký bởi: NGUYỄN THỊ ÁNH TUYẾT');
  });

  it('chooses the first, the last or every occurrence, on the pages asked', async () => {
    const doc = await openPdf(readBytes(letterPdf()));
    const plan = (p: Placement) => prepareVisibleSignature(doc, { placement: p, signer: { commonName: 'A' }, signingTime: SIGNING_TIME });
    const all = (await plan({ keyword: 'giấy', occurrence: 'all' })).widgets;
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(new Set(all.map((w) => w.pageIndex))).toEqual(new Set([0, 1, 2]));
    expect((await plan({ keyword: 'giấy' })).widgets).toEqual([all[0]]);
    expect((await plan({ keyword: 'giấy', occurrence: 'last' })).widgets).toEqual([all.at(-1)]);
    const onPage2 = (await plan({ keyword: 'giấy', occurrence: 'all', pages: [2] })).widgets;
    expect(onPage2.length).toBeGreaterThan(0);
    expect(onPage2.every((w) => w.pageIndex === 1)).toBe(true);
    // "over": centred on the phrase.
    const index = await TextIndex.open(readBytes(letterPdf()));
    const [kw] = await index.find('Người làm đơn');
    await index.close();
    const [over] = (await plan({ keyword: 'Người làm đơn', position: 'over', size: { width: 100, height: 40 } })).widgets;
    expect((over!.rect[0] + over!.rect[2]) / 2).toBeCloseTo((kw!.rect[0] + kw!.rect[2]) / 2, 3);
    expect((over!.rect[1] + over!.rect[3]) / 2).toBeCloseTo((kw!.rect[1] + kw!.rect[3]) / 2, 3);
  });

  it('fails with KEYWORD_NOT_FOUND and writes nothing when the phrase is absent', async () => {
    const doc = await openPdf(readBytes(letterPdf()));
    const err = await prepareVisibleSignature(doc, { placement: { keyword: 'Không có cụm này' }, signer: {}, signingTime: SIGNING_TIME }).catch((e: unknown) => e);
    expect(isKysoError(err) && err.code).toBe('KEYWORD_NOT_FOUND');
  });
});

describe('several pages', () => {
  it('all pages: one signature (widget on page 1, locked copies on the others), valid, drawn on every page', async () => {
    const rect: [number, number, number, number] = [340, 40, 560, 110];
    const signed = await sign(letterPdf(), { pages: 'all', rect }, { show: { organization: false, reason: false, location: false } }, 'all-pages');
    const widgets = await signatureWidgets(signed.bytes);
    expect(widgets.map((w) => [w.kind, w.pageIndex])).toEqual([['widget', 0], ['copy', 1], ['copy', 2]]);
    expect(widgets[0]!.field).toBe('Signature1');
    for (const w of widgets) expect(close(w.rect, rect)).toBe(true);
    expect(pdfsig(signed.out).signatures).toHaveLength(1);
    for (const page of [0, 1, 2]) {
      const box = await displayRect(signed.bytes, page, rect);
      expect(await textInRect(signed.out, page, rect)).toEqual(['Ký bởi: NGUYỄN THỊ ÁNH TUYẾT', 'Thời gian ký: 15/03/2025 16:30:00']);
      const pdfjs = await renderPdfjs(signed.bytes, page, 72, artifact(`all-pages.p${page + 1}.pdfjs.png`));
      expect(inkIn(pdfjs, 72, box)).toBeGreaterThan(0.02);
    }
  });

  it('all pages of a linearized file with object streams and a cross-reference stream', async () => {
    const rect: [number, number, number, number] = [340, 40, 560, 110];
    const signed = await sign(compressedLetterPdf(), { pages: 'all', rect }, {}, 'all-pages-objstm');
    const widgets = await signatureWidgets(signed.bytes);
    expect(widgets.map((w) => [w.kind, w.pageIndex])).toEqual([['widget', 0], ['copy', 1], ['copy', 2]]);
    for (const page of [0, 1, 2]) expect((await textInRect(signed.out, page, rect))[0]).toBe('Ký bởi: NGUYỄN THỊ ÁNH TUYẾT');
  });

  it('a list of pages with negative numbers counting from the end', async () => {
    const doc = await openPdf(readBytes(letterPdf()));
    const planned = await prepareVisibleSignature(doc, { placement: { pages: [1, -1], rect: [50, 50, 200, 100] }, signer: { commonName: 'A' }, signingTime: SIGNING_TIME });
    expect(planned.widgets.map((w) => w.pageIndex)).toEqual([0, 2]);
  });

  it('signing again keeps the first visible signature valid', async () => {
    const first = await sign(letterPdf(), { page: 2, rect: [60, 300, 280, 380] }, {}, 'second-signer.first');
    const ec = await testKey(tokens, 'ec256');
    const second = await sign(first.out, { page: 2, rect: [320, 300, 560, 380] }, { show: { organization: true } }, 'second-signer', ec);
    const sig = pdfsig(second.out);
    expect(sig.signatures).toHaveLength(2);
    expect(sig.signatures.every((s) => s.valid)).toBe(true);
    const widgets = await signatureWidgets(second.bytes);
    expect(widgets.map((w) => w.field)).toEqual(['Signature1', 'Signature2']);
    expect((await textInRect(second.out, 1, [320, 300, 560, 380]))[0]).toBe('Ký bởi: TRẦN VĂN ĐỨC');
    renderPoppler(second.out, 1, 100, artifact('second-signer.poppler.png'));
  });
});

describe.each([90, 180, 270] as const)('page 2 turned by /Rotate %i', (rotation) => {
  it('draws the text upright as displayed, widget /Rect as requested', async () => {
    // As displayed the box is 260 wide and 90 high whatever the rotation.
    const rect: [number, number, number, number] = rotation === 180 ? [200, 300, 460, 390] : [200, 300, 290, 560];
    const signed = await sign(rotatedLetterPdf(rotation), { page: 2, rect }, { show: { organization: true } }, `rotate${rotation}`);
    const [w] = await signatureWidgets(signed.bytes);
    expect(close(w!.rect, rect)).toBe(true);
    expect(w!.bbox).toEqual([0, 0, 260, 90]);
    expect(w!.matrix).toEqual({ 90: [0, 1, -1, 0, 0, 0], 180: [-1, 0, 0, -1, 0, 0], 270: [0, -1, 1, 0, 0, 0] }[rotation]);
    const box = await displayRect(signed.bytes, 1, rect);
    expect(box[2] - box[0]).toBeCloseTo(260, 3);
    expect(await textInRect(signed.out, 1, rect)).toEqual(['Ký bởi: NGUYỄN THỊ ÁNH TUYẾT', 'Cơ quan: Sở Tư pháp Thành phố Hà Nội', 'Lý do: Nộp hồ sơ xin cấp phép', 'Nơi ký: Hà Nội', 'Thời gian ký: 15/03/2025 16:30:00']);
    const pdfjs = await renderPdfjs(signed.bytes, 1, 100, artifact(`rotate${rotation}.pdfjs.png`));
    expect(inkIn(pdfjs, 100, box)).toBeGreaterThan(0.02);
    renderPoppler(signed.out, 1, 100, artifact(`rotate${rotation}.poppler.png`));
  });
});

describe('signature image', () => {
  it('PNG with transparency beside the text', async () => {
    const rect: [number, number, number, number] = [300, 280, 565, 380];
    const signed = await sign(letterPdf(), { page: 2, rect }, { image: Buffer.from(signaturePng()).toString('base64') }, 'image-png-text');
    const [w] = await signatureWidgets(signed.bytes);
    const xobjects = w!.resources?.get('XObject');
    expect(xobjects).toBeDefined();
    const box = await displayRect(signed.bytes, 1, rect);
    expect((await textInRect(signed.out, 1, rect))[0]).toMatch(/^Ký bởi: NGUYỄN THỊ/);
    // The transparent background does not hide the page: the pixels left of the stroke stay white.
    const img = renderPoppler(signed.out, 1, 100, artifact('image-png-text.poppler.png'));
    expect(inkIn(img, 100, box)).toBeGreaterThan(0.02);
    await renderPdfjs(signed.bytes, 1, 100, artifact('image-png-text.pdfjs.png'));
  });

  it('JPEG alone fills the box keeping its aspect ratio', async () => {
    const jpeg = jpegOf(letterPdf());
    const signed = await sign(letterPdf(), { page: 3, rect: [350, 500, 550, 700] }, { mode: 'image', image: Buffer.from(jpeg).toString('base64') }, 'image-jpeg-only');
    const [w] = await signatureWidgets(signed.bytes);
    expect(w!.pageIndex).toBe(2);
    expect((await textInRect(signed.out, 2, [350, 500, 550, 700])).join('')).not.toContain('Ký bởi');
    renderPoppler(signed.out, 2, 100, artifact('image-jpeg-only.poppler.png'));
  });

  it('rejects data that is not PNG or JPEG before touching the token', async () => {
    const doc = await openPdf(readBytes(letterPdf()));
    const err = await prepareVisibleSignature(doc, { placement: { page: 1, rect: [0, 0, 100, 100] }, appearance: { image: Buffer.from('GIF89a').toString('base64') }, signer: {}, signingTime: SIGNING_TIME }).catch((e: unknown) => e);
    expect(isKysoError(err) && err.code).toBe('BAD_REQUEST');
  });
});

describe('document number and date stamps', () => {
  it('stamps số văn bản and ngày văn bản next to their labels, in the same signed update', async () => {
    const signed = await sign(letterPdf(), { page: 2, rect: [320, 300, 560, 380] }, {
      documentNumber: { text: '125', placement: { keyword: 'Số:', position: 'right', offset: { x: 4, y: 0 } }, bold: true },
      documentDate: { text: '15/03/2025', placement: { keyword: 'Ngày văn bản:', position: 'right' } },
    }, 'stamps');
    const widgets = await signatureWidgets(signed.bytes);
    expect(widgets.map((w) => [w.kind, w.pageIndex])).toEqual([['copy', 0], ['copy', 0], ['widget', 1]]);
    widgets.push(widgets.shift()!, widgets.shift()!); // widget first, then number, date
    expect(pdfsig(signed.out).signatures).toHaveLength(1);
    // Stamped over the dotted line after the label, so the page's own dots are in the box too.
    // pdftotext also picks up the page's dots the stamps sit on (see stamps.p1.poppler.png).
    expect(await textInRect(signed.out, 0, widgets[1]!.rect as [number, number, number, number])).toContain('125');
    expect((await textInRect(signed.out, 0, widgets[2]!.rect as [number, number, number, number])).join(' ')).toMatch(/(^|\s|:\s?)15\/03\/2025\b/);
    expect(widgets.slice(1).map((w) => w.resources?.get('Font'))).toBeDefined();
    renderPoppler(signed.out, 0, 100, artifact('stamps.p1.poppler.png'));
  });
});

describe('placement errors', () => {
  it.each([
    [{ page: 9, rect: [0, 0, 100, 100] }, 'BAD_REQUEST'],
    [{ page: 1, rect: [700, 900, 800, 1000] }, 'BAD_REQUEST'],
    [{ page: 1, rect: [10, 10, 10, 50] }, 'BAD_REQUEST'],
    [{ pages: [2, 4], rect: [10, 10, 100, 50] }, 'BAD_REQUEST'],
  ] as [Placement, string][])('%j → %s', async (placement, code) => {
    const doc = await openPdf(readBytes(letterPdf()));
    const err = await prepareVisibleSignature(doc, { placement, signer: {}, signingTime: SIGNING_TIME }).catch((e: unknown) => e);
    expect(isKysoError(err) && err.code).toBe(code);
  });
});

const corpus = corpusMultipage();
describe.skipIf(corpus.length === 0)('corpus multi-page files', () => {
  it.each(corpus.map((f) => [path.basename(f), f]))('%s: all pages', async (name, file) => {
    const doc = await openPdf(readBytes(file));
    const [x, y] = pageGeometry(doc, 0).view; // the first page's visible box may not start at 0,0
    const signed = await sign(file, { pages: 'all', rect: [x + 36, y + 36, x + 236, y + 96] }, {}, `corpus-${name}`);
    const widgets = await signatureWidgets(signed.bytes);
    expect(widgets.filter((w) => w.kind === 'copy')).toHaveLength(doc.pdf.getPageCount() - 1);
  });
});
