/**
 * The one place that knows which font Kyso draws signatures with: DejaVu Sans (regular and bold), shipped
 * in assets/fonts with its licence. It covers every Vietnamese letter as a precomposed glyph.
 *
 * Per signature, a FontSet measures text, encodes it as glyph ids (Identity-H, 2 bytes per glyph), and
 * finally emits each face used as a Type0 / CIDFontType2 font with a subset TrueType program, /W widths,
 * CIDToGIDMap and a ToUnicode CMap (so text extraction gives back exactly what was drawn). The subsetting and
 * font dictionaries come from @libpdf/core, run in a scratch document and imported into our update.
 */
import { readFileSync } from 'node:fs';
import { PDF, PdfArray, PdfDict, PdfName, PdfRef, PdfStream, type EmbeddedFont, type PdfObject } from '@libpdf/core';
import { KysoError } from '../../errors.js';
import { FONT_DIR } from '../../package-paths.js';
import type { UpdateObject } from '../incremental-writer.js';
import { ObjectImporter } from './import-objects.js';
import { PLAIN_RULES, type AppearanceRules } from './pdfa-rules.js';

export { FONT_DIR };
export const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;
/** CSS/family name the dialog's preview uses for the same files. */
export const FONT_FAMILY = 'Kyso DejaVu Sans';

const fileCache = new Map<string, Uint8Array>();
export function fontBytes(face: keyof typeof FONT_FILES): Uint8Array {
  const file = FONT_DIR + FONT_FILES[face];
  let b = fileCache.get(file);
  if (!b) {
    b = new Uint8Array(readFileSync(file));
    fileCache.set(file, b);
  }
  return b;
}

const REPLACEMENT = '?';

export class FontSet {
  private readonly scratch = PDF.create();
  private readonly faces = new Map<boolean, EmbeddedFont>();

  private face(bold: boolean): EmbeddedFont {
    let f = this.faces.get(bold);
    if (!f) {
      f = this.scratch.embedFont(fontBytes(bold ? 'bold' : 'regular'));
      this.faces.set(bold, f);
    }
    return f;
  }

  /** NFC text with characters the font lacks replaced, so measuring and drawing agree. */
  private drawable(text: string, bold: boolean): string {
    const f = this.face(bold);
    return Array.from(text.normalize('NFC'), (c) => (f.canEncode(c) ? c : REPLACEMENT)).join('');
  }

  measure = (text: string, size: number, bold: boolean): number => this.face(bold).getTextWidth(this.drawable(text, bold), size);

  /** Resource name of a face in the appearance's /Font dictionary. */
  resourceName(bold: boolean): string {
    return bold ? 'KysoB' : 'KysoR';
  }

  /** Hex string operand (`<…>`) of the glyph ids for `text`; records the glyphs for the subset. */
  encode(text: string, bold: boolean): string {
    const gids = this.face(bold).encodeTextToGids(this.drawable(text, bold));
    return `<${gids.map((g) => g.toString(16).padStart(4, '0')).join('').toUpperCase()}>`;
  }

  /**
   * Writes the faces used so far; returns the /Font resource dictionary and the objects to append. With
   * `rules.cidSet` (PDF/A-1) each CID font's descriptor gets a CIDSet listing the CIDs its subset holds.
   */
  emit(allocate: () => PdfRef, rules: AppearanceRules = PLAIN_RULES): { fonts: PdfDict; objects: UpdateObject[] } {
    this.scratch.fonts.finalize(true);
    const importer = new ObjectImporter(this.scratch, allocate);
    const entries: [string, PdfObject][] = [];
    for (const [bold, font] of this.faces) {
      if (font.getUsedGlyphIds().length === 0) continue;
      const ref = this.scratch.fonts.getRef(font);
      if (rules.cidSet) this.addCidSet(ref);
      entries.push([this.resourceName(bold), importer.importRef(ref)]);
    }
    return { fonts: new PdfDict(entries.map(([k, v]) => [PdfName.of(k), v] as [PdfName, PdfObject])), objects: importer.objects };
  }

  /** Sets /CIDSet in the descriptor of the Type0 font at `type0` (in the scratch document). */
  private addCidSet(type0: PdfRef): void {
    const get = (o: PdfObject | undefined): PdfObject | undefined => (o instanceof PdfRef ? (this.scratch.getObject(o) ?? undefined) : o);
    const descendants = get((get(type0) as PdfDict | undefined)?.get('DescendantFonts'));
    const cidFont = descendants instanceof PdfArray ? get(descendants.at(0)) : undefined;
    const descriptor = cidFont instanceof PdfDict ? get(cidFont.get('FontDescriptor')) : undefined;
    const map = cidFont instanceof PdfDict ? get(cidFont.get('CIDToGIDMap')) : undefined;
    if (!(descriptor instanceof PdfDict) || !(map instanceof PdfStream)) throw new KysoError('INTERNAL', 'subset font without descriptor or CIDToGIDMap');
    if (descriptor.has('CIDSet')) return;
    descriptor.set('CIDSet', this.scratch.register(new PdfStream(new PdfDict(), cidSet(map.getDecodedData()))));
  }
}

/**
 * CIDSet bits (PDF 32000 §9.8.3: bit i, most significant first, set when CID i is in the font program) from a
 * CIDToGIDMap stream (2 bytes a CID: the glyph in the subset). CID 0 (.notdef) is always in the program; any
 * other CID is when it maps to a glyph other than 0.
 */
export function cidSet(cidToGid: Uint8Array): Uint8Array {
  const cids = Math.max(1, cidToGid.length >> 1);
  const bits = new Uint8Array(Math.ceil(cids / 8));
  for (let cid = 0; cid < cids; cid++) {
    if (cid === 0 || cidToGid[cid * 2]! !== 0 || cidToGid[cid * 2 + 1]! !== 0) bits[cid >> 3]! |= 0x80 >> (cid & 7);
  }
  return bits;
}
