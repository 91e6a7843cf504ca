/**
 * Page geometry for placing widgets: the visible box (CropBox ∩ MediaBox, both inheritable), /Rotate
 * (inheritable, multiples of 90), and the mapping between default user space (what /Rect is in) and the
 * page as displayed (origin top-left, y downwards, points) — the same mapping pdf.js's viewport uses.
 */
import { PdfArray, PdfDict, PdfNumber, PdfRef, type PdfObject } from '@libpdf/core';
import { KysoError } from '../../errors.js';
import type { OpenedPdf } from '../open.js';
import type { Rect } from '../signature-field.js';

export type { Rect };
export type Rotation = 0 | 90 | 180 | 270;

export interface PageGeometry {
  pageIndex: number;
  /** Visible region in user space, normalised [x1, y1, x2, y2]. */
  view: Rect;
  rotation: Rotation;
  /** Size as displayed (after rotation). */
  displayWidth: number;
  displayHeight: number;
}

export const normalizeRect = (r: readonly number[]): Rect => {
  const [a = 0, b = 0, c = 0, d = 0] = r;
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
};

function inherited(doc: OpenedPdf, dict: PdfDict, key: string): PdfObject | undefined {
  let d: PdfDict | undefined = dict;
  for (let depth = 0; d && depth < 64; depth++) {
    const v = d.get(key);
    if (v !== undefined) return v instanceof PdfRef ? (doc.pdf.getObject(v) ?? undefined) : v;
    const parent: PdfObject | undefined = d.get('Parent');
    const p: PdfObject | null | undefined = parent instanceof PdfRef ? doc.pdf.getObject(parent) : parent;
    d = p instanceof PdfDict ? p : undefined;
  }
  return undefined;
}

function boxOf(doc: OpenedPdf, o: PdfObject | undefined): Rect | undefined {
  if (!(o instanceof PdfArray) || o.length !== 4) return undefined;
  const nums = [...o].map((v) => {
    const r = v instanceof PdfRef ? doc.pdf.getObject(v) : v;
    return r instanceof PdfNumber ? r.value : NaN;
  });
  return nums.every(Number.isFinite) ? normalizeRect(nums) : undefined;
}

export function intersect(a: Rect, b: Rect): Rect | undefined {
  const r: Rect = [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  return r[2] > r[0] && r[3] > r[1] ? r : undefined;
}

export function pageGeometry(doc: OpenedPdf, pageIndex: number): PageGeometry {
  const page = doc.pdf.getPage(pageIndex);
  if (!page) throw new KysoError('BAD_REQUEST', `page ${pageIndex + 1} does not exist`);
  const media = boxOf(doc, inherited(doc, page.dict, 'MediaBox')) ?? [0, 0, 612, 792];
  const crop = boxOf(doc, inherited(doc, page.dict, 'CropBox'));
  const view = (crop && intersect(crop, media)) ?? media;
  const rot = inherited(doc, page.dict, 'Rotate');
  const deg = rot instanceof PdfNumber && Number.isInteger(rot.value) ? ((rot.value % 360) + 360) % 360 : 0;
  const rotation: Rotation = deg === 90 || deg === 180 || deg === 270 ? deg : 0;
  const w = view[2] - view[0];
  const h = view[3] - view[1];
  return { pageIndex, view, rotation, displayWidth: rotation % 180 ? h : w, displayHeight: rotation % 180 ? w : h };
}

/** User-space point → displayed point (origin top-left, y down). */
export function toDisplay(g: Pick<PageGeometry, 'view' | 'rotation'>, x: number, y: number): [number, number] {
  const [x1, y1, x2, y2] = g.view;
  switch (g.rotation) {
    case 90: return [y - y1, x - x1];
    case 180: return [x2 - x, y - y1];
    case 270: return [y2 - y, x2 - x];
    default: return [x - x1, y2 - y];
  }
}

/** Displayed point → user-space point. */
export function fromDisplay(g: Pick<PageGeometry, 'view' | 'rotation'>, dx: number, dy: number): [number, number] {
  const [x1, y1, x2, y2] = g.view;
  switch (g.rotation) {
    case 90: return [x1 + dy, y1 + dx];
    case 180: return [x2 - dx, y1 + dy];
    case 270: return [x2 - dy, y2 - dx];
    default: return [x1 + dx, y2 - dy];
  }
}

/** A rectangle through a point mapping: the normalised box of its mapped corners. */
export function mapRect(r: Rect, f: (x: number, y: number) => [number, number]): Rect {
  const [a, b] = f(r[0], r[1]);
  const [c, d] = f(r[2], r[3]);
  return normalizeRect([a, b, c, d]);
}

/**
 * The appearance stream's /Matrix that turns a form drawn upright in a displayed-size BBox into the rotated
 * widget, so the text reads upright on a page with /Rotate (the widget /Rect keeps user-space coordinates).
 */
export function appearanceMatrix(rotation: Rotation): [number, number, number, number, number, number] {
  switch (rotation) {
    case 90: return [0, 1, -1, 0, 0, 0];
    case 180: return [-1, 0, 0, -1, 0, 0];
    case 270: return [0, -1, 1, 0, 0, 0];
    default: return [1, 0, 0, 1, 0, 0];
  }
}
