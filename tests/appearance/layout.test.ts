/** Appearance text and layout (pure), measured with the real embedded font; option schemas; page geometry. */
import { describe, expect, it } from 'vitest';
import { FontSet } from '../../src/core/pdf/appearance/font.js';
import { ASCENT, DESCENT, LINE_HEIGHT, PADDING, composeText, layoutAppearance, layoutStamp, vietnamTime, wrapParagraph } from '../../src/core/pdf/appearance/layout.js';
import { MIN_FONT_SIZE } from '../../src/core/pdf/appearance/options.js';
import { appearanceOptionsSchema, placementSchema } from '../../src/core/pdf/appearance/schema.js';
import { fromDisplay, toDisplay } from '../../src/core/pdf/placement/geometry.js';

const fonts = new FontSet();
const measure = fonts.measure;
const signer = { commonName: 'NGUYỄN THỊ ÁNH TUYẾT', organization: 'Sở Tư pháp Thành phố Hà Nội', title: 'Chuyên viên', email: 'tuyet.nguyen@example.vn' };
const ctx = { signer, signingTime: new Date('2025-12-31T17:05:09Z') };

describe('text', () => {
  it('shows the time in Vietnam (UTC+7) whatever the machine zone', () => {
    expect(vietnamTime(new Date('2025-12-31T17:05:09Z'))).toBe('01/01/2026 00:05:09');
  });

  it('composes the default parts, Vietnamese labels, NFC', () => {
    const decomposed = { ...ctx, signer: { ...signer, commonName: signer.commonName.normalize('NFD') } };
    expect(composeText({}, decomposed)).toEqual([
      'Ký bởi: NGUYỄN THỊ ÁNH TUYẾT', 'Cơ quan: Sở Tư pháp Thành phố Hà Nội', 'Thời gian ký: 01/01/2026 00:05:09 (GMT+7)',
    ]);
  });

  it('states the zone; with a timestamp, that the time shown is the computer clock (the TSA time comes after)', () => {
    expect(composeText({ show: { signer: false, organization: false } }, { ...ctx, timestamped: true })).toEqual(['Thời gian ký: 01/01/2026 00:05:09 (GMT+7, giờ máy tính)']);
    expect(composeText({ language: 'en', show: { signer: false, organization: false } }, { ...ctx, timestamped: true })).toEqual(['Signing time: 01/01/2026 00:05:09 (GMT+7, computer clock)']);
  });

  it('shows the contact line only when asked and given', () => {
    const only = { show: { signer: false, organization: false, time: false, contact: true } };
    expect(composeText(only, { ...ctx, contact: '  0912 345 678 ' })).toEqual(['Liên hệ: 0912 345 678']);
    expect(composeText(only, ctx)).toEqual([]);
    expect(composeText({ show: { signer: false, organization: false, time: false } }, { ...ctx, contact: '0912 345 678' })).toEqual([]);
  });

  it('English labels, chosen parts, upper-cased values, free text lines', () => {
    expect(composeText({ language: 'en', upperCase: true, show: { organization: false, title: true, email: true, time: false }, text: 'Đã duyệt\n  \nbản chính ' }, ctx)).toEqual([
      'Signed by: NGUYỄN THỊ ÁNH TUYẾT', 'Email: TUYET.NGUYEN@EXAMPLE.VN', 'Title: CHUYÊN VIÊN', 'ĐÃ DUYỆT', 'BẢN CHÍNH',
    ]);
  });

  it('measures (and will draw) characters the font lacks as "?", so layout and drawing agree', () => {
    expect(measure('汉字', 10, false)).toBeCloseTo(measure('??', 10, false), 9);
    expect(fonts.encode('汉', false)).toBe(fonts.encode('?', false));
  });

  it('wraps at word boundaries and breaks a word longer than the line', () => {
    const fits = (s: string): boolean => s.length <= 10;
    expect(wrapParagraph('Ký bởi: NGUYỄN THỊ ÁNH TUYẾT', fits)).toEqual(['Ký bởi:', 'NGUYỄN THỊ', 'ÁNH TUYẾT']);
    expect(wrapParagraph('tuyet.nguyen@example.vn', fits)).toEqual(['tuyet.nguy', 'en@example', '.vn']);
  });
});

describe('layout', () => {
  it('keeps the requested size when everything fits', () => {
    const l = layoutAppearance({ fontSize: 9 }, ctx, { width: 260, height: 80 }, measure);
    expect(l.fontSize).toBe(9);
    expect(l.lines.map((x) => x.text)).toEqual(composeText({}, ctx));
    expect(l.overflow).toBe(false);
  });

  it('shrinks (and wraps) to fit a small box, every line inside it', () => {
    const box = { width: 120, height: 40 };
    const l = layoutAppearance({ fontSize: 12, show: { title: true, email: true } }, ctx, box, measure);
    expect(l.fontSize).toBeLessThan(12);
    expect(l.overflow).toBe(false);
    for (const line of l.lines) {
      expect(line.x + measure(line.text, l.fontSize, false)).toBeLessThanOrEqual(box.width - PADDING + 1e-6);
      expect(line.y - DESCENT * l.fontSize).toBeGreaterThanOrEqual(PADDING - 1e-6);
      expect(line.y + ASCENT * l.fontSize).toBeLessThanOrEqual(box.height - PADDING + 1e-6);
    }
    // Consecutive baselines are one line height apart.
    expect(l.lines[0]!.y - l.lines[1]!.y).toBeCloseTo(LINE_HEIGHT * l.fontSize, 6);
  });

  it('reports overflow instead of going below the smallest size', () => {
    const l = layoutAppearance({ text: 'x '.repeat(400) }, ctx, { width: 60, height: 20 }, measure);
    expect(l.fontSize).toBe(MIN_FONT_SIZE);
    expect(l.overflow).toBe(true);
  });

  it('image with text: the image on the left, aspect kept; image only: centred', () => {
    const withText = layoutAppearance({}, ctx, { width: 300, height: 80 }, measure, { width: 200, height: 100 });
    expect(withText.image!.x).toBeCloseTo(PADDING, 6);
    expect(withText.image!.width / withText.image!.height).toBeCloseTo(2, 6);
    expect(Math.min(...withText.lines.map((l) => l.x))).toBeGreaterThanOrEqual(withText.image!.x + withText.image!.width);
    const only = layoutAppearance({ mode: 'image' }, ctx, { width: 300, height: 80 }, measure, { width: 200, height: 100 });
    expect(only.lines).toEqual([]);
    expect(only.image!.x + only.image!.width / 2).toBeCloseTo(150, 6);
  });

  it('a stamp is one line, shrunk to its box', () => {
    const l = layoutStamp('  125/QĐ-UBND ', { width: 40, height: 14 }, 12, true, measure);
    expect(l.lines.map((x) => x.text)).toEqual(['125/QĐ-UBND']);
    expect(measure('125/QĐ-UBND', l.fontSize, true)).toBeLessThanOrEqual(38 + 1e-6);
  });
});

describe('schemas', () => {
  it('accept the three placement forms and reject the rest', () => {
    expect(placementSchema.safeParse({ page: 2, rect: [1, 2, 3, 4] }).success).toBe(true);
    expect(placementSchema.safeParse({ pages: 'all', rect: [1, 2, 3, 4] }).success).toBe(true);
    expect(placementSchema.safeParse({ pages: [1, -1], rect: [1, 2, 3, 4] }).success).toBe(true);
    expect(placementSchema.safeParse({ keyword: 'Người ký', position: 'below', offset: { x: 0, y: -10 } }).success).toBe(true);
    expect(placementSchema.safeParse({ page: 0, rect: [1, 2, 3, 4] }).success).toBe(false);
    expect(placementSchema.safeParse({ pages: [0], rect: [1, 2, 3, 4] }).success).toBe(false);
    expect(placementSchema.safeParse({ keyword: '  ' }).success).toBe(false);
    expect(placementSchema.safeParse({ page: 1, rect: [1, 2, 3] }).success).toBe(false);
    expect(placementSchema.safeParse({ page: 1, rect: [1, 2, 3, 4], extra: 1 }).success).toBe(false);
  });

  it('accept appearance options and reject unknown keys and silly sizes', () => {
    expect(appearanceOptionsSchema.safeParse({ show: { title: true }, fontSize: 9, documentNumber: { text: '12', placement: { keyword: 'Số:' } } }).success).toBe(true);
    expect(appearanceOptionsSchema.safeParse({ show: { photo: true } }).success).toBe(false);
    expect(appearanceOptionsSchema.safeParse({ fontSize: 1000 }).success).toBe(false);
    expect(appearanceOptionsSchema.safeParse({ image: 'not base64!' }).success).toBe(false);
  });
});

describe('geometry', () => {
  it.each([0, 90, 180, 270] as const)('display ↔ user space round-trips with /Rotate %i and an offset view', (rotation) => {
    const g = { view: [40, 60, 560, 800] as const, rotation };
    for (const [x, y] of [[40, 60], [100, 700], [559, 61]] as const) {
      const [dx, dy] = toDisplay(g, x, y);
      expect(dx).toBeGreaterThanOrEqual(0);
      expect(dy).toBeGreaterThanOrEqual(0);
      const [ux, uy] = fromDisplay(g, dx, dy);
      expect(ux).toBeCloseTo(x, 9);
      expect(uy).toBeCloseTo(y, 9);
    }
  });
});
