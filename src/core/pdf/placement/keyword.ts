/**
 * Finds a phrase in the page text with pdf.js (legacy build, runs in Node without a canvas) and returns where
 * it is in default user space. pdf.js splits text into items at font changes, kerning and positioning, so a
 * phrase may span items and lines: items are read in content order as one stream of code points, white space
 * ignored, each item NFC-normalised (a combining mark starting an item joins the previous one), and the box of
 * a match is the union of the matched parts of its items (text direction and rotation from each item's matrix).
 * pdf.js gives an item's width but not each glyph's: positions inside an item are estimated from the relative
 * advance widths of a proportional font (dots and spaces are narrow, "M" is wide), not character counts.
 * It also gives the boxes of a page's text and rules, which a box placed next to the phrase must keep clear of.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { KysoError } from '../../errors.js';
import { FontSet } from '../appearance/font.js';
import type { Rect } from './geometry.js';
import { pathMarks, type OperatorList, type PathOps } from './rules.js';

export interface TextMatch {
  pageIndex: number;
  /** Box of the matched text in default user space. */
  rect: Rect;
}

interface PdfjsTextItem { str: string; transform: number[]; width: number; height: number }
interface PdfjsPage {
  getTextContent(params?: { disableNormalization?: boolean }): Promise<{ items: Array<PdfjsTextItem | { type: string }> }>;
  getOperatorList(params?: { annotationMode?: number }): Promise<OperatorList>;
  cleanup(): void;
}
interface PdfjsDocument { numPages: number; getPage(n: number): Promise<PdfjsPage>; destroy(): Promise<void> }

interface Glyph { ch: string; item: number; pos: number }
type Item = PdfjsTextItem & {
  /** The item's text (NFC, marks joined) as code points. */
  chars: string[];
  /** Cumulative relative advance before each code point, and the total at the end. */
  stops: number[];
};

const require = createRequire(import.meta.url);
let pdfjs: Promise<{ getDocument(src: object): { promise: Promise<PdfjsDocument> }; OPS: PathOps; AnnotationMode: { DISABLE: number } }> | undefined;

function loadPdfjs(): NonNullable<typeof pdfjs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs') as unknown as NonNullable<typeof pdfjs>;
  return pdfjs;
}

/** pdf.js resources shipped in its package: CMaps for CJK-encoded text, standard font metrics. */
function pdfjsResource(dir: string): string {
  return path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), dir) + path.sep;
}

const isMark = (c: string): boolean => /^\p{M}/u.test(c);

export class TextIndex {
  private readonly cache = new Map<number, { items: Item[]; glyphs: Glyph[] }>();
  private readonly metrics = new FontSet();
  private constructor(private readonly doc: PdfjsDocument) {}

  static async open(bytes: Uint8Array): Promise<TextIndex> {
    const { getDocument } = await loadPdfjs();
    try {
      const doc = await getDocument({
        data: new Uint8Array(bytes), // pdf.js may transfer (detach) the buffer it is given
        verbosity: 0,
        isEvalSupported: false,
        disableFontFace: true,
        useSystemFonts: false,
        cMapUrl: pdfjsResource('cmaps'),
        cMapPacked: true,
        standardFontDataUrl: pdfjsResource('standard_fonts'),
      }).promise;
      return new TextIndex(doc);
    } catch (cause) {
      throw new KysoError('DOCUMENT_CORRUPT', `pdf.js: ${(cause as Error).message}`, { cause });
    }
  }

  get pageCount(): number { return this.doc.numPages; }

  private async page(pageIndex: number): Promise<{ items: Item[]; glyphs: Glyph[] }> {
    const known = this.cache.get(pageIndex);
    if (known) return known;
    const page = await this.doc.getPage(pageIndex + 1);
    const content = await page.getTextContent();
    page.cleanup();
    const items: PdfjsTextItem[] = [];
    const texts: string[] = [];
    for (const it of content.items) {
      if (!('str' in it) || !it.str) continue;
      let s = it.str.normalize('NFC');
      // A combining mark drawn as its own item belongs to the previous item's last letter.
      if (isMark(s) && texts.length > 0) {
        const mark = /^\p{M}+/u.exec(s)![0];
        texts[texts.length - 1] = (texts[texts.length - 1]! + mark).normalize('NFC');
        s = s.slice(mark.length);
        if (!s) continue;
      }
      items.push(it);
      texts.push(s);
    }
    const glyphs: Glyph[] = [];
    texts.forEach((s, item) => {
      Array.from(s).forEach((ch, pos) => { if (!/\s/u.test(ch)) glyphs.push({ ch, item, pos }); });
    });
    const withStops: Item[] = items.map((it, i) => {
      const chars = Array.from(texts[i]!);
      const stops = [0];
      for (const ch of chars) stops.push(stops.at(-1)! + Math.max(0.1, this.metrics.measure(ch, 1, false)));
      return { ...it, chars, stops };
    });
    const entry = { items: withStops, glyphs };
    this.cache.set(pageIndex, entry);
    return entry;
  }

  /** Every occurrence of `phrase` on the given pages (0-based; default all), in document order. */
  async find(phrase: string, options: { pages?: readonly number[]; ignoreCase?: boolean } = {}): Promise<TextMatch[]> {
    const fold = (c: string): string => (options.ignoreCase ? c.toLocaleLowerCase('vi') : c);
    const needle = Array.from(phrase.normalize('NFC')).filter((c) => !/\s/u.test(c)).map(fold);
    if (needle.length === 0) throw new KysoError('BAD_REQUEST', 'empty keyword');
    const pages = options.pages ?? Array.from({ length: this.doc.numPages }, (_, i) => i);
    const out: TextMatch[] = [];
    for (const pageIndex of pages) {
      const { items, glyphs } = await this.page(pageIndex);
      const hay = glyphs.map((g) => fold(g.ch));
      for (let i = 0; i + needle.length <= hay.length; i++) {
        let j = 0;
        while (j < needle.length && hay[i + j] === needle[j]) j++;
        if (j < needle.length) continue;
        out.push({ pageIndex, rect: matchRect(items, glyphs.slice(i, i + needle.length)) });
        i += needle.length - 1; // non-overlapping matches
      }
    }
    return out;
  }

  /**
   * Boxes of the printed text on a page in default user space: one per pdf.js item, from its first to its last
   * visible character (leading and trailing blanks cover nothing), with room for Vietnamese stacked marks.
   */
  async textBoxes(pageIndex: number): Promise<Rect[]> {
    const { items } = await this.page(pageIndex);
    const out: Rect[] = [];
    for (const it of items) {
      const first = it.chars.findIndex((c) => !/\s/u.test(c));
      if (first < 0) continue;
      const last = it.chars.findLastIndex((c) => !/\s/u.test(c));
      out.push(spanRect(it, first, last + 1, GLYPH_EXTENT));
    }
    return out;
  }

  /** Printed rules and small marks on a page (see rules.ts), from pdf.js's operator list; annotations left out. */
  async ruleBoxes(pageIndex: number): Promise<Rect[]> {
    const { OPS, AnnotationMode } = await loadPdfjs();
    const page = await this.doc.getPage(pageIndex + 1);
    try {
      return pathMarks(await page.getOperatorList({ annotationMode: AnnotationMode.DISABLE }), OPS);
    } catch (cause) {
      throw new KysoError('DOCUMENT_CORRUPT', `pdf.js: ${(cause as Error).message}`, { cause });
    } finally {
      page.cleanup();
    }
  }

  async close(): Promise<void> {
    await this.doc.destroy();
  }
}

/** How far text reaches below and above its baseline, in font heights: the keyword's box, and obstacles (stacked marks such as Ấ, Ề reach above the cap height). */
const MATCH_EXTENT: [number, number] = [-0.25, 0.95];
const GLYPH_EXTENT: [number, number] = [-0.3, 1.15];

/** Union of the matched parts of each item. */
function matchRect(items: readonly Item[], matched: readonly Glyph[]): Rect {
  const spans = new Map<number, [number, number]>();
  for (const g of matched) {
    const s = spans.get(g.item);
    spans.set(g.item, s ? [Math.min(s[0], g.pos), Math.max(s[1], g.pos + 1)] : [g.pos, g.pos + 1]);
  }
  return [...spans].map(([index, [from, to]]) => spanRect(items[index]!, from, to, MATCH_EXTENT))
    .reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
}

/** Box of code points [from, to) of an item, from its text matrix (any direction) and font height. */
function spanRect(it: Item, from: number, to: number, [below, above]: [number, number]): Rect {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = it.transform;
  const along = Math.hypot(a, b) || 1;
  const up = Math.hypot(c, d) || 1;
  const u = [a / along, b / along];
  const v = [c / up, d / up];
  const height = it.height || up;
  const total = it.stops.at(-1)!;
  // Some producers report no advance; half an em per character still marks the text as there.
  const width = it.width > 0 ? it.width : 0.5 * height * it.chars.length;
  const start = (width * it.stops[from]!) / total;
  const end = (width * it.stops[to]!) / total;
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const t of [start, end]) {
    for (const h of [below * height, above * height]) {
      const x = e + u[0]! * t + v[0]! * h;
      const y = f + u[1]! * t + v[1]! * h;
      x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x); y2 = Math.max(y2, y);
    }
  }
  return [x1, y1, x2, y2];
}
