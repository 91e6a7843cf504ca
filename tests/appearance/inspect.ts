/**
 * Reading back what a signed file shows: signature widgets (@libpdf/core), text in a box (poppler's
 * pdftotext), fonts (pdffonts), and ink in a box as rendered by poppler (pdftoppm) and by pdf.js (Node canvas).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { PDF, PdfArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfStream, type PdfObject } from '@libpdf/core';
import { openPdf } from '../../src/core/pdf/open.js';
import { mapRect, pageGeometry, toDisplay, type Rect } from '../../src/core/pdf/placement/geometry.js';

export interface SignatureWidget {
  /** The signature field's widget, or a locked Stamp annotation showing the same signature elsewhere. */
  kind: 'widget' | 'copy';
  pageIndex: number;
  rect: number[];
  /** Field name (of the widget, or of its parent field). */
  field: string | undefined;
  hasParent: boolean;
  matrix: number[] | undefined;
  bbox: number[] | undefined;
  resources: PdfDict | undefined;
}

const nums = (o: PdfObject | undefined, pdf: PDF): number[] | undefined => {
  const a = o instanceof PdfRef ? pdf.getObject(o) : o;
  return a instanceof PdfArray ? [...a].map((v) => (v instanceof PdfNumber ? v.value : NaN)) : undefined;
};

export async function signatureWidgets(bytes: Uint8Array): Promise<SignatureWidget[]> {
  const pdf = await PDF.load(bytes);
  const out: SignatureWidget[] = [];
  const get = (o: PdfObject | undefined): PdfObject | undefined => (o instanceof PdfRef ? (pdf.getObject(o) ?? undefined) : o);
  for (let i = 0; i < pdf.getPageCount(); i++) {
    const annots = get(pdf.getPage(i)!.dict.get('Annots'));
    if (!(annots instanceof PdfArray)) continue;
    for (const a of annots) {
      const w = get(a);
      if (!(w instanceof PdfDict)) continue;
      const subtype = w.getName('Subtype')?.value;
      const parent = get(w.get('Parent'));
      const field = parent instanceof PdfDict ? parent : w;
      const kind = subtype === 'Widget' && (field.get('FT') as PdfName | undefined)?.value === 'Sig' ? 'widget'
        : subtype === 'Stamp' && w.getName('Name')?.value === 'KysoSignature' ? 'copy' : undefined;
      if (!kind) continue;
      const ap = get(w.get('AP'));
      const n = ap instanceof PdfDict ? get(ap.get('N')) : undefined;
      out.push({
        kind,
        pageIndex: i,
        rect: nums(w.get('Rect'), pdf) ?? [],
        field: kind === 'widget' ? field.getString('T')?.asString() : undefined,
        hasParent: parent instanceof PdfDict,
        matrix: n instanceof PdfStream ? nums(n.get('Matrix'), pdf) : undefined,
        bbox: n instanceof PdfStream ? nums(n.get('BBox'), pdf) : undefined,
        resources: n instanceof PdfStream ? (get(n.get('Resources')) as PdfDict | undefined) : undefined,
      });
    }
  }
  return out;
}

/** A user-space rect as displayed (points from the top-left of the visible page). */
export async function displayRect(bytes: Uint8Array, pageIndex: number, rect: Rect): Promise<Rect> {
  const g = pageGeometry(await openPdf(bytes), pageIndex);
  return mapRect(rect, (x, y) => toDisplay(g, x, y));
}

/**
 * pdftotext of one user-space rectangle, lines trimmed, empty lines dropped. pdftotext's -x/-y/-W/-H are
 * points from the top-left of the page as displayed but measured on the MediaBox (also with -cropbox).
 */
export async function textInRect(file: string, pageIndex: number, rect: Rect): Promise<string[]> {
  const doc = await openPdf(readBytes(file));
  const g = pageGeometry(doc, pageIndex);
  const m = doc.pdf.getPage(pageIndex)!.getMediaBox();
  const media = { ...g, view: [m.x, m.y, m.x + m.width, m.y + m.height] as Rect };
  const [x1, y1, x2, y2] = mapRect(rect, (x, y) => toDisplay(media, x, y));
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', '-f', String(pageIndex + 1), '-l', String(pageIndex + 1),
    '-x', String(Math.floor(x1)), '-y', String(Math.floor(y1)), '-W', String(Math.ceil(x2 - x1) + 1), '-H', String(Math.ceil(y2 - y1) + 1), file, '-'], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && l !== '\f');
}

export function pageText(file: string, pageIndex: number): string {
  return spawnSync('pdftotext', ['-enc', 'UTF-8', '-f', String(pageIndex + 1), '-l', String(pageIndex + 1), file, '-'], { encoding: 'utf8' }).stdout;
}

export function pdffonts(file: string): string {
  return spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout;
}

/** Gray pixels (0 = black) of one page rendered by poppler at `dpi`. */
export function renderPoppler(file: string, pageIndex: number, dpi: number, pngOut?: string): { width: number; height: number; gray: Uint8Array } {
  if (pngOut) spawnSync('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', '-f', String(pageIndex + 1), '-l', String(pageIndex + 1), file, pngOut.replace(/\.png$/, '')]);
  const r = spawnSync('pdftoppm', ['-r', String(dpi), '-gray', '-singlefile', '-f', String(pageIndex + 1), '-l', String(pageIndex + 1), file], { maxBuffer: 256 * 1024 * 1024 });
  const buf = r.stdout as Buffer;
  // PGM (P5): header "P5\n<w> <h>\n255\n"
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error(`pdftoppm gave no PGM: ${r.stderr}`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, gray: new Uint8Array(buf.subarray(header[0].length, header[0].length + width * height)) };
}

/** One page rendered by pdf.js (legacy build, @napi-rs/canvas), annotations' appearance streams included. */
export async function renderPdfjs(bytes: Uint8Array, pageIndex: number, dpi: number, pngOut?: string): Promise<{ width: number; height: number; gray: Uint8Array }> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const { createCanvas } = await import('@napi-rs/canvas');
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false, disableFontFace: true }).promise;
  try {
    const page = await doc.getPage(pageIndex + 1);
    const viewport = page.getViewport({ scale: dpi / 72 });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'white';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    // annotationMode 1 = ENABLE: draw annotations from their appearance streams, as a viewer does.
    await page.render({ canvasContext: ctx as unknown as CanvasRenderingContext2D, canvas: canvas as unknown as HTMLCanvasElement, viewport, annotationMode: 1 }).promise;
    if (pngOut) writeFileSync(pngOut, canvas.toBuffer('image/png'));
    const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const gray = new Uint8Array(canvas.width * canvas.height);
    for (let i = 0; i < gray.length; i++) gray[i] = Math.round((rgba[4 * i]! + rgba[4 * i + 1]! + rgba[4 * i + 2]!) / 3);
    return { width: canvas.width, height: canvas.height, gray };
  } finally {
    await doc.destroy();
  }
}

/** Fraction of clearly non-white pixels inside a display box (points) of a rendered page. */
export function inkIn(img: { width: number; height: number; gray: Uint8Array }, dpi: number, box: Rect): number {
  const s = dpi / 72;
  const [x1, y1, x2, y2] = box.map((v) => Math.round(v * s)) as [number, number, number, number];
  let ink = 0, total = 0;
  for (let y = Math.max(0, y1 + 2); y < Math.min(img.height, y2 - 2); y++) {
    for (let x = Math.max(0, x1 + 2); x < Math.min(img.width, x2 - 2); x++) {
      total++;
      if (img.gray[y * img.width + x]! < 160) ink++;
    }
  }
  return total ? ink / total : 0;
}

export const readBytes = (file: string): Uint8Array => new Uint8Array(readFileSync(file));
