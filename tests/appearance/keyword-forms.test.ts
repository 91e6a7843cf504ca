/**
 * Keyword placement never covers text (issue 17 item 3), end to end: `kyso sign --keyword "CÁ NHÂN LÀM ĐƠN"
 * --position below` on forms made by LibreOffice, pandoc + LibreOffice and Chromium, signed on the SoftHSM
 * token. Checked with tools we did not write: pdf.js text positions of the original page (no glyph under the
 * widget), poppler renders (nothing printed there before, the signature visible after) and pdfsig (valid).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rect } from '../../src/core/pdf/placement/geometry.js';
import { TextIndex } from '../../src/core/pdf/placement/keyword.js';
import { kyso, mod } from '../cli/cli.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig } from '../helpers/tools.js';
import { artifact } from './documents.js';
import { KEYWORD, keywordForms, type KeywordForm } from './forms.js';
import { displayRect, inkIn, readBytes, renderPoppler, signatureWidgets, textInRect } from './inspect.js';

const DPI = 72;
let forms: KeywordForm[] = [];
beforeAll(async () => {
  forms = await keywordForms();
}, 600_000);

/** Every non-blank text item of a page as pdf.js positions it: baseline origin, advance width, font height. */
async function glyphRuns(file: string, pageIndex: number): Promise<Array<{ str: string; rect: Rect }>> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({ data: readBytes(file), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const content = await (await doc.getPage(pageIndex + 1)).getTextContent();
    return content.items.flatMap((it) => {
      if (!('str' in it) || !it.str.trim()) return [];
      const [, , , , e = 0, f = 0] = it.transform as number[];
      return [{ str: it.str, rect: [e, f - 0.2 * it.height, e + it.width, f + 0.9 * it.height] as Rect }];
    });
  } finally {
    await doc.destroy();
  }
}

const overlaps = (a: Rect, b: Rect): boolean => a[0] < b[2] && a[2] > b[0] && a[1] < b[3] && a[3] > b[1];

async function keywordBox(file: string): Promise<{ pageIndex: number; rect: Rect }> {
  const index = await TextIndex.open(readBytes(file));
  try {
    const [match] = await index.find(KEYWORD);
    expect(match, `${KEYWORD} in ${file}`).toBeDefined();
    return match!;
  } finally {
    await index.close();
  }
}

/** Per form: where the box must be beyond the common checks (user space, origin bottom-left, A4). */
const CASES: Array<[name: string, side: 'below' | 'right' | 'above', extra?: (rect: Rect, kw: Rect, form: KeywordForm) => Promise<void>]> = [
  ['don-lo-html', 'below', async (rect, _kw, form) => {
    // The case: under "(Ký, ghi rõ họ và tên)", not over it.
    const hint = (await glyphRuns(form.file, 0)).find((g) => g.str.includes('(Ký, ghi rõ họ và tên)'));
    expect(hint).toBeDefined();
    expect(rect[3]).toBeLessThan(hint!.rect[1]);
  }],
  ['to-khai-pandoc-docx', 'below', async (rect, _kw, form) => {
    const dots = (await glyphRuns(form.file, 0)).find((g) => g.str.startsWith('.....'));
    expect(dots).toBeDefined();
    expect(rect[3]).toBeLessThan(dots!.rect[1]); // under the dotted signature line as well
  }],
  ['don-chromium-right', 'right'],
  ['don-chromium-above', 'above'],
  ['phieu-chromium-rule', 'below', async (rect, kw) => {
    // A drawn rule (not text) 40 pt under the keyword's top, at y = 842 - 441: the box starts under it, near
    // it (the white page background Chromium paints is no obstacle), under the keyword.
    expect(rect[3]).toBeLessThan(842 - 441);
    expect(rect[1]).toBeGreaterThan(842 - 520);
    expect(rect[0]).toBeCloseTo(kw[0], 0);
  }],
];

describe('kyso sign --keyword: the box goes where nothing is printed', () => {
  it.each(CASES)('%s: %s the keyword, over no glyph, visible, valid', async (name, side, extra) => {
    const form = forms.find((f) => f.name === name)!;
    expect(form.side).toBe(side);
    const out = artifact(`keyword-form-${name}.pdf`);
    const r = kyso(['sign', form.file, '-o', out, '--force', '--keyword', KEYWORD, '--position', 'below',
      ...mod(), '--cert', certificateId('rsa').slice(0, 16), '--pin-stdin'], `${fixtures().softhsm.pin}\n`);
    expect(r.status, r.stderr).toBe(0);
    const signed = readBytes(out);
    const [w] = await signatureWidgets(signed);
    const rect = w!.rect as Rect;
    const kw = await keywordBox(form.file);
    expect(w!.pageIndex).toBe(kw.pageIndex);
    // Full size (the CLI's default 180 × 60 pt): there is room for it on these forms.
    expect(rect[2] - rect[0]).toBeCloseTo(180, 3);
    expect(rect[3] - rect[1]).toBeCloseTo(60, 3);

    // (a) No glyph of the original page under the widget, by pdf.js's own text positions.
    const runs = await glyphRuns(form.file, kw.pageIndex);
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.filter((g) => overlaps(g.rect, rect)).map((g) => g.str)).toEqual([]);

    // On the side the nearest free room is, as the reader sees the page.
    const box = await displayRect(signed, kw.pageIndex, rect);
    const k = await displayRect(signed, kw.pageIndex, kw.rect);
    if (side === 'below') expect(box[1]).toBeGreaterThanOrEqual(k[3]);
    if (side === 'right') expect(box[0]).toBeGreaterThanOrEqual(k[2]);
    if (side === 'above') expect(box[3]).toBeLessThanOrEqual(k[1]);
    await extra?.(rect, kw.rect, form);

    // (b) poppler: nothing at all (text, rules) was printed there; the signature is visible there now.
    const before = renderPoppler(form.file, kw.pageIndex, DPI);
    const after = renderPoppler(out, kw.pageIndex, DPI, artifact(`keyword-form-${name}.poppler.png`));
    expect(inkIn(before, DPI, box)).toBe(0);
    expect(inkIn(after, DPI, box)).toBeGreaterThan(0.01);
    expect((await textInRect(out, kw.pageIndex, rect))[0]).toMatch(/^Ký bởi: /);

    // (c) pdfsig: valid, trusted, the whole file signed.
    const sig = pdfsig(out);
    expect(sig.signatures.at(-1)?.valid, sig.output).toBe(true);
    expect(sig.signatures.at(-1)?.trusted, sig.output).toBe(true);
    expect(sig.signatures.at(-1)?.totalDocumentSigned, sig.output).toBe(true);
  }, 120_000);
});
