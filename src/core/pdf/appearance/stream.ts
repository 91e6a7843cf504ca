/**
 * The appearance form XObject of a widget: content drawn upright in a BBox the size of the box as displayed,
 * turned by /Matrix for pages with /Rotate (PDF 32000 §12.5.5: BBox × Matrix is fitted to the widget /Rect).
 */
import { deflateSync } from 'node:zlib';
import { PdfArray, PdfDict, PdfName, PdfNumber, type PdfObject } from '@libpdf/core';
import { formatNumber } from '../serialize.js';
import { appearanceMatrix, type Rotation } from '../placement/geometry.js';
import type { AppearanceLayout } from './layout.js';
import type { FontSet } from './font.js';
import { serializeStream } from './import-objects.js';
import { colourOperator, type DeviceColour } from './pdfa-rules.js';

const n = formatNumber;
/** Text colour: a dark blue, as Vietnamese signature stamps are usually printed. */
export const TEXT_RGB = [0.05, 0.15, 0.55] as const;

/**
 * Content stream operators for a laid-out box. `imageName` is the image's /XObject resource name; `colour` the
 * device space to paint in (a PDF/A file's output intent decides it, see pdfa-rules.ts), DeviceRGB by default.
 */
export function drawLayout(layout: AppearanceLayout, fonts: FontSet, options: { border?: boolean; imageName?: string; colour?: DeviceColour } = {}): string {
  const colour = options.colour ?? 'RGB';
  const ops: string[] = ['q'];
  // Clip to the box: text that could not shrink enough never spills over the page.
  ops.push(`0 0 ${n(layout.width)} ${n(layout.height)} re W n`);
  if (options.border) ops.push(`${colourOperator(TEXT_RGB, colour, true)} 0.75 w 0.375 0.375 ${n(layout.width - 0.75)} ${n(layout.height - 0.75)} re S`);
  if (layout.image && options.imageName) {
    const i = layout.image;
    ops.push(`q ${n(i.width)} 0 0 ${n(i.height)} ${n(i.x)} ${n(i.y)} cm /${options.imageName} Do Q`);
  }
  if (layout.lines.length > 0) {
    ops.push('BT', colourOperator(TEXT_RGB, colour), `/${fonts.resourceName(layout.bold)} ${n(layout.fontSize)} Tf`);
    for (const line of layout.lines) ops.push(`1 0 0 1 ${n(line.x)} ${n(line.y)} Tm ${fonts.encode(line.text, layout.bold)} Tj`);
    ops.push('ET');
  }
  ops.push('Q');
  return ops.join('\n');
}

/** Body of the form XObject (deflated), ready to append. */
export function formXObject(content: string, width: number, height: number, rotation: Rotation, resources: PdfDict): Uint8Array {
  const dict = new PdfDict([
    ['Type', PdfName.of('XObject')],
    ['Subtype', PdfName.of('Form')],
    ['BBox', new PdfArray([0, 0, width, height].map((v) => PdfNumber.of(v)))],
    ['Matrix', new PdfArray(appearanceMatrix(rotation).map((v) => PdfNumber.of(v)))],
    ['Resources', resources],
    ['Filter', PdfName.of('FlateDecode')],
  ] as [string, PdfObject][]);
  return serializeStream(dict, new Uint8Array(deflateSync(Buffer.from(content, 'latin1'))));
}
