/**
 * The objects an incremental signature update rewrites besides the signature itself: a merged
 * field+widget annotation, the page's /Annots, and the AcroForm (/Fields, /SigFlags 3).
 * Objects are copied into new dictionaries, never mutated in libpdf's cache.
 */
import { PdfArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfStream, type PdfObject } from '@libpdf/core';
import { KysoError } from '../errors.js';
import type { OpenedPdf } from './open.js';
import { serialize } from './serialize.js';
import { textString } from './text-string.js';
import type { UpdateObject } from './incremental-writer.js';

export type Rect = readonly [number, number, number, number];

/** Hands out object numbers past the end of the file's current cross-reference. */
export class ObjectAllocator {
  private next: number;
  constructor(doc: OpenedPdf) {
    const size = doc.trailer.getNumber('Size')?.value ?? 0;
    let n = Math.max(1, size);
    // Some producers write a /Size that is too small; never reuse a live object number.
    while (doc.pdf.getObject(PdfRef.of(n, 0)) !== null) n++;
    this.next = n;
  }
  allocate(): PdfRef {
    return PdfRef.of(this.next++, 0);
  }
  /** First number not handed out: the update's trailer /Size (or its xref stream's number). */
  get size(): number {
    return this.next;
  }
}

function copyDict(d: PdfDict): PdfDict {
  return new PdfDict([...d].map(([k, v]) => [k, v] as [PdfName, PdfObject]));
}

function resolve(doc: OpenedPdf, o: PdfObject | undefined): PdfObject | undefined {
  return o instanceof PdfRef ? (doc.pdf.getObject(o) ?? undefined) : o;
}

/** Every fully qualified field name in the form, so a new field never collides. */
export function existingFieldNames(doc: OpenedPdf): Set<string> {
  const names = new Set<string>();
  const acro = resolve(doc, doc.pdf.getCatalog().get('AcroForm'));
  if (!(acro instanceof PdfDict)) return names;
  const walk = (arr: PdfObject | undefined, prefix: string, depth: number): void => {
    const a = resolve(doc, arr);
    if (!(a instanceof PdfArray) || depth > 32) return;
    for (const item of a) {
      const f = resolve(doc, item);
      if (!(f instanceof PdfDict)) continue;
      const t = f.getString('T')?.asString();
      const name = t === undefined ? prefix : prefix ? `${prefix}.${t}` : t;
      if (name) names.add(name);
      walk(f.get('Kids'), name, depth + 1);
    }
  };
  walk(acro.get('Fields'), '', 0);
  return names;
}

export interface FieldUpdateInput {
  pageIndex: number;
  rect: Rect;
  signatureRef: PdfRef;
  fieldName: string;
  /** Normal appearance stream; invisible signatures get an empty one (PDF/A requires /AP). */
  appearanceRef: PdfRef;
  /** Page rotation is handled by the appearance author; here we only place the widget. */
  /**
   * The same signature shown in more places (other pages; document number/date stamps): locked, printed
   * Stamp annotations with their own appearance, added in the same update (so the signature covers them) but
   * not widgets of the field. A field with several widgets (/Kids) is legal PDF, but poppler (pdfsig 22.12)
   * then reports each widget as a separate, unsigned signature.
   */
  copies?: readonly AppearanceCopy[];
}

export interface AppearanceCopy {
  pageIndex: number;
  rect: Rect;
  appearanceRef: PdfRef;
  /** Alternate description (/Contents), e.g. "Ký bởi: …". */
  description?: string;
}

export function buildFieldUpdate(doc: OpenedPdf, alloc: ObjectAllocator, input: FieldUpdateInput): UpdateObject[] {
  const pageOf = (pageIndex: number) => {
    const page = doc.pdf.getPage(pageIndex);
    if (!page) throw new KysoError('BAD_REQUEST', `page ${pageIndex + 1} does not exist`);
    return page;
  };
  const page = pageOf(input.pageIndex);
  const out: UpdateObject[] = [];
  const emit = (ref: PdfRef, obj: PdfObject): void => { out.push({ ref, body: serialize(obj) }); };
  const rectArray = (r: Rect): PdfArray => new PdfArray(r.map((n) => PdfNumber.of(n)));

  const widgetRef = alloc.allocate();
  emit(widgetRef, new PdfDict([
    ['Type', PdfName.of('Annot')],
    ['Subtype', PdfName.of('Widget')],
    ['FT', PdfName.of('Sig')],
    ['T', textString(input.fieldName)],
    ['V', input.signatureRef],
    ['F', PdfNumber.of(132)], // Print | Locked
    ['P', page.ref],
    ['Rect', rectArray(input.rect)],
    ['AP', new PdfDict([['N', input.appearanceRef]])],
  ]));
  const added = new Map<number, PdfRef[]>([[input.pageIndex, [widgetRef]]]);
  for (const copy of input.copies ?? []) {
    const ref = alloc.allocate();
    emit(ref, new PdfDict([
      ['Type', PdfName.of('Annot')],
      ['Subtype', PdfName.of('Stamp')],
      ['Name', PdfName.of('KysoSignature')],
      ['F', PdfNumber.of(4 | 64 | 128 | 512)], // Print | ReadOnly | Locked | LockedContents
      ['P', pageOf(copy.pageIndex).ref],
      ['Rect', rectArray(copy.rect)],
      ['AP', new PdfDict([['N', copy.appearanceRef]])],
      ...(copy.description ? [['Contents', textString(copy.description)] as [string, PdfObject]] : []),
    ]));
    added.set(copy.pageIndex, [...(added.get(copy.pageIndex) ?? []), ref]);
  }

  // Page /Annots, once per page: an indirect array is rewritten in place of the page.
  for (const [pageIndex, refs] of added) {
    const p = pageOf(pageIndex);
    const annotsRaw = p.dict.get('Annots');
    const annots = resolve(doc, annotsRaw);
    const newAnnots = new PdfArray([...(annots instanceof PdfArray ? annots : []), ...refs]);
    if (annotsRaw instanceof PdfRef && annots instanceof PdfArray) {
      emit(annotsRaw, newAnnots);
    } else {
      const pageDict = copyDict(p.dict);
      pageDict.set('Annots', newAnnots);
      emit(p.ref, pageDict);
    }
  }

  // AcroForm: /Fields gains the widget, /SigFlags = SignaturesExist | AppendOnly.
  const catalogRef = doc.trailer.getRef('Root')!;
  const catalog = doc.pdf.getCatalog();
  const acroRaw = catalog.get('AcroForm');
  const acro = resolve(doc, acroRaw);
  const acroDict = acro instanceof PdfDict && !(acro instanceof PdfStream) ? copyDict(acro) : new PdfDict();
  const fieldsRaw = acroDict.get('Fields');
  const fields = resolve(doc, fieldsRaw);
  const newFields = new PdfArray([...(fields instanceof PdfArray ? fields : []), widgetRef]);
  if (fieldsRaw instanceof PdfRef && fields instanceof PdfArray) emit(fieldsRaw, newFields);
  else acroDict.set('Fields', newFields);
  acroDict.set('SigFlags', PdfNumber.of(3));
  if (acroRaw instanceof PdfRef && acro instanceof PdfDict) {
    emit(acroRaw, acroDict);
  } else {
    const acroRef = alloc.allocate();
    emit(acroRef, acroDict);
    const newCatalog = copyDict(catalog);
    newCatalog.set('AcroForm', acroRef);
    emit(catalogRef, newCatalog);
  }
  return out;
}

/** An empty form XObject: the appearance of an invisible signature. */
export function emptyAppearance(): PdfStream {
  return new PdfStream(new PdfDict([
    ['Type', PdfName.of('XObject')],
    ['Subtype', PdfName.of('Form')],
    ['BBox', new PdfArray([PdfNumber.of(0), PdfNumber.of(0), PdfNumber.of(0), PdfNumber.of(0)])],
  ]), new Uint8Array(0));
}
