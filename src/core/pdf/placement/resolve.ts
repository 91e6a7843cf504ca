/**
 * Turns a Placement (rectangle on a page, the same rectangle on several pages, or next to a phrase) into the
 * widgets to write: page index + /Rect in default user space.
 */
import { KysoError } from '../../errors.js';
import type { OpenedPdf } from '../open.js';
import {
  DEFAULT_BOX, isKeywordPlacement, isPagesPlacement, type KeywordPlacement, type KeywordPosition, type PageSelection, type Placement,
} from '../appearance/options.js';
import { findFreeSpace, sideOrder } from './free-space.js';
import { fromDisplay, intersect, mapRect, normalizeRect, pageGeometry, toDisplay, type PageGeometry, type Rect } from './geometry.js';
import { TextIndex } from './keyword.js';

/** Distance kept from the edge of the visible page, so a box is never cut by a viewer or printer. */
const PAGE_MARGIN = 8;

export interface WidgetPlacement {
  pageIndex: number;
  rect: Rect;
}

/** 0-based page indices of a selection; page numbers are 1-based, negative ones count from the end. */
export function selectPages(selection: PageSelection, pageCount: number): number[] {
  if (selection === 'all') return Array.from({ length: pageCount }, (_, i) => i);
  if (selection === 'first') return [0];
  if (selection === 'last') return [pageCount - 1];
  const out: number[] = [];
  for (const n of selection) {
    const index = n > 0 ? n - 1 : pageCount + n;
    if (!Number.isInteger(n) || index < 0 || index >= pageCount) {
      throw new KysoError('BAD_REQUEST', `page ${n} does not exist (the document has ${pageCount})`);
    }
    if (!out.includes(index)) out.push(index);
  }
  return out;
}

/** A rectangle must have an area and overlap the visible page, or nobody would ever see the signature. */
export function checkRect(doc: OpenedPdf, pageIndex: number, rect: readonly number[]): Rect {
  const r = normalizeRect(rect);
  if (!(r[2] - r[0] >= 1 && r[3] - r[1] >= 1)) throw new KysoError('BAD_REQUEST', `rectangle [${rect.join(' ')}] is empty`);
  const g = pageGeometry(doc, pageIndex);
  if (!intersect(r, g.view)) {
    throw new KysoError('BAD_REQUEST', `rectangle [${rect.join(' ')}] is outside page ${pageIndex + 1} [${g.view.join(' ')}]`);
  }
  return r;
}

/**
 * A box of `size` (as displayed) next to a keyword's box, moved by `offset` (x right, y up, as displayed),
 * then shifted back inside the visible page if it sticks out.
 */
export function placeNear(
  g: PageGeometry, keyword: Rect, position: KeywordPosition, size: { width: number; height: number }, offset = { x: 0, y: 0 },
): Rect {
  const k = mapRect(keyword, (x, y) => toDisplay(g, x, y)); // display: y down
  const { width: w, height: h } = size;
  const midY = (k[1] + k[3]) / 2;
  let [x, y] = ((): [number, number] => {
    switch (position) {
      case 'above': return [k[0], k[1] - h];
      case 'right': return [k[2], midY - h / 2];
      case 'left': return [k[0] - w, midY - h / 2];
      case 'over': return [(k[0] + k[2] - w) / 2, midY - h / 2];
      default: return [k[0], k[3]];
    }
  })();
  x += offset.x;
  y -= offset.y;
  x = Math.min(Math.max(0, x), Math.max(0, g.displayWidth - w));
  y = Math.min(Math.max(0, y), Math.max(0, g.displayHeight - h));
  return mapRect([x, y, x + w, y + h], (dx, dy) => fromDisplay(g, dx, dy));
}

export interface ResolveOptions {
  /** Shared pdf.js text index (opened on demand when a keyword is used). */
  text?: () => Promise<TextIndex>;
  defaultSize?: { width: number; height: number };
  defaultPosition?: KeywordPosition;
  /**
   * Keep a keyword-placed box off the page's text (default). Document-number and date stamps are written on
   * the dotted line after their label on purpose, so they turn it off.
   */
  clearOfText?: boolean;
}

export async function resolveKeyword(doc: OpenedPdf, p: KeywordPlacement, text: TextIndex, options: ResolveOptions = {}): Promise<WidgetPlacement[]> {
  const pageCount = doc.pdf.getPageCount();
  const pages = p.pages ? selectPages(p.pages, pageCount) : undefined;
  const matches = await text.find(p.keyword, { ...(pages ? { pages } : {}), ...(p.ignoreCase ? { ignoreCase: true } : {}) });
  if (matches.length === 0) throw new KysoError('KEYWORD_NOT_FOUND', `"${p.keyword}"`);
  const chosen = p.occurrence === 'all' ? matches : p.occurrence === 'last' ? [matches.at(-1)!] : [matches[0]!];
  const size = p.size ?? options.defaultSize ?? DEFAULT_BOX;
  const position = p.position ?? options.defaultPosition ?? 'below';
  const out: WidgetPlacement[] = [];
  const printed = new Map<number, Rect[]>(); // per page: its text and rules, read once for every match on it
  for (const m of chosen) {
    const g = pageGeometry(doc, m.pageIndex);
    // "over" asks to cover the keyword itself: the caller chose the spot.
    if (position === 'over' || options.clearOfText === false) {
      out.push({ pageIndex: m.pageIndex, rect: placeNear(g, m.rect, position, size, p.offset) });
      continue;
    }
    let marks = printed.get(m.pageIndex);
    if (!marks) printed.set(m.pageIndex, (marks = [...await text.textBoxes(m.pageIndex), ...await text.ruleBoxes(m.pageIndex)]));
    const display = (r: Rect): Rect => mapRect(r, (x, y) => toDisplay(g, x, y));
    // Boxes already placed at other matches (occurrence "all") are obstacles too.
    const obstacles = [...marks, ...out.filter((w) => w.pageIndex === m.pageIndex).map((w) => w.rect)];
    const free = findFreeSpace({
      keyword: display(m.rect),
      size,
      position,
      obstacles: obstacles.map(display),
      bounds: [PAGE_MARGIN, PAGE_MARGIN, g.displayWidth - PAGE_MARGIN, g.displayHeight - PAGE_MARGIN],
      // Offsets are given x right, y up as displayed; free-space works y down.
      ...(p.offset ? { offset: { x: p.offset.x, y: -p.offset.y } } : {}),
    });
    if (!free) {
      throw new KysoError('KEYWORD_NO_ROOM', `"${p.keyword}" on page ${m.pageIndex + 1}: no free ${size.width}×${size.height} pt box, nor 60 % of it (tried: ${sideOrder(position).join(', ')})`);
    }
    out.push({ pageIndex: m.pageIndex, rect: mapRect(free.rect, (dx, dy) => fromDisplay(g, dx, dy)) });
  }
  return out;
}

export async function resolvePlacement(doc: OpenedPdf, placement: Placement, options: ResolveOptions = {}): Promise<WidgetPlacement[]> {
  const pageCount = doc.pdf.getPageCount();
  if (isKeywordPlacement(placement)) {
    let index: TextIndex | undefined;
    const text = options.text ?? (async () => (index = await TextIndex.open(doc.bytes)));
    try {
      return await resolveKeyword(doc, placement, await text(), options);
    } finally {
      await index?.close();
    }
  }
  const pages = isPagesPlacement(placement) ? selectPages(placement.pages, pageCount) : selectPages([placement.page], pageCount);
  return pages.map((pageIndex) => ({ pageIndex, rect: checkRect(doc, pageIndex, placement.rect) }));
}
