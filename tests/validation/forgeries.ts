/**
 * Incremental updates a forger (or a legitimate tool) appends to a signed PDF, written with the same
 * incremental writer Kyso signs with, so each one is a well-formed update a reader follows.
 */
import { PdfArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfStream, PdfString, type PdfObject } from '@libpdf/core';
import { openPdf, type OpenedPdf } from '../../src/core/pdf/open.js';
import { writeIncrementalUpdate } from '../../src/core/pdf/incremental-writer.js';
import { serialize } from '../../src/core/pdf/serialize.js';

const RED_BOX = new TextEncoder().encode('q 1 0 0 rg 40 700 400 120 re f Q\n');

interface Builder {
  doc: OpenedPdf;
  /** A fresh object number. */
  next(): PdfRef;
  put(ref: PdfRef, obj: PdfObject): void;
}

async function update(bytes: Uint8Array, build: (b: Builder) => void): Promise<Uint8Array> {
  const doc = await openPdf(bytes);
  let next = doc.trailer.getNumber('Size')!.value;
  const objects: { ref: PdfRef; body: Uint8Array }[] = [];
  build({
    doc,
    next: () => PdfRef.of(next++, 0),
    put: (ref, obj) => { objects.push({ ref, body: serialize(obj) }); },
  });
  // Cross-reference streams number themselves: give them the next free number.
  return writeIncrementalUpdate(doc, objects, next).bytes;
}

function firstPage(doc: OpenedPdf): { ref: PdfRef; dict: PdfDict } {
  const p = doc.pdf.getPages()[0]!;
  return { ref: p.ref, dict: p.dict.clone() };
}

const contentsRefs = (doc: OpenedPdf, page: PdfDict): PdfRef[] => {
  const c = page.get('Contents');
  if (c instanceof PdfRef) {
    const o = doc.pdf.getObject(c);
    return o instanceof PdfArray ? [...o].filter((x): x is PdfRef => x instanceof PdfRef) : [c];
  }
  return c instanceof PdfArray ? [...c].filter((x): x is PdfRef => x instanceof PdfRef) : [];
};

/** Replaces page 1's (first) content stream object in place with a red box. */
export const replacePageContent = (bytes: Uint8Array): Promise<Uint8Array> => update(bytes, ({ doc, put }) => {
  const page = firstPage(doc);
  const target = contentsRefs(doc, page.dict)[0]!;
  put(target, new PdfStream([], RED_BOX));
});

/** Appends a new content stream to page 1 painting a red box over the text: a new object referenced from the page. */
export const paintOverPage = (bytes: Uint8Array): Promise<Uint8Array> => update(bytes, ({ doc, put, next }) => {
  const page = firstPage(doc);
  const box = next();
  put(box, new PdfStream([], RED_BOX));
  page.dict.set('Contents', new PdfArray([...contentsRefs(doc, page.dict), box]));
  put(page.ref, page.dict);
});

/** Adds a filled red Square annotation over page 1's text. */
export const annotateOverText = (bytes: Uint8Array): Promise<Uint8Array> => update(bytes, ({ doc, put, next }) => {
  const page = firstPage(doc);
  const annot = next();
  put(annot, PdfDict.of({
    Type: PdfName.of('Annot'), Subtype: PdfName.of('Square'),
    Rect: new PdfArray([40, 700, 440, 820].map((n) => PdfNumber.of(n))),
    C: new PdfArray([PdfNumber.of(1), PdfNumber.of(0), PdfNumber.of(0)]),
    IC: new PdfArray([PdfNumber.of(1), PdfNumber.of(0), PdfNumber.of(0)]),
    F: PdfNumber.of(4),
  }));
  const old = page.dict.get('Annots');
  const list = old instanceof PdfRef ? doc.pdf.getObject(old) : old;
  page.dict.set('Annots', new PdfArray([...(list instanceof PdfArray ? [...list] : []), annot]));
  put(page.ref, page.dict);
});

/** Adds a second page at the end of the page tree. */
export const addPage = (bytes: Uint8Array): Promise<Uint8Array> => update(bytes, ({ doc, put, next }) => {
  const pagesRef = doc.pdf.getCatalog().getRef('Pages')!;
  const pages = (doc.pdf.getObject(pagesRef) as PdfDict).clone();
  const content = next();
  const page = next();
  put(content, new PdfStream([], RED_BOX));
  put(page, PdfDict.of({
    Type: PdfName.of('Page'), Parent: pagesRef, Contents: content,
    MediaBox: new PdfArray([0, 0, 595, 842].map((n) => PdfNumber.of(n))),
  }));
  pages.set('Kids', new PdfArray([...(pages.getArray('Kids') ?? []), page]));
  pages.set('Count', PdfNumber.of((pages.getNumber('Count')?.value ?? 1) + 1));
  put(pagesRef, pages);
});

/** Fills the text field named `name` (a merged field/widget): a new /V and a new appearance stream. */
export const fillField = (bytes: Uint8Array, name: string, value: string, alsoMove = false): Promise<Uint8Array> => update(bytes, ({ doc, put, next }) => {
  const fields = doc.pdf.getCatalog().getDict('AcroForm', (r) => doc.pdf.getObject(r))!.getArray('Fields')!;
  const ref = [...fields].find((f) => f instanceof PdfRef && (doc.pdf.getObject(f) as PdfDict).getString('T')?.asString() === name) as PdfRef;
  const field = (doc.pdf.getObject(ref) as PdfDict).clone();
  const ap = next();
  put(ap, new PdfStream([['Type', PdfName.of('XObject')], ['Subtype', PdfName.of('Form')], ['BBox', new PdfArray([0, 0, 120, 15].map((n) => PdfNumber.of(n)))]],
    new TextEncoder().encode('/Tx BMC EMC\n')));
  field.set('V', PdfString.fromString(value));
  field.set('AP', PdfDict.of({ N: ap }));
  if (alsoMove) field.set('Rect', new PdfArray([10, 10, 500, 800].map((n) => PdfNumber.of(n))));
  put(ref, field);
});

/** Makes the document a certified one with DocMDP P (before it is signed): catalog /Perms /DocMDP. */
export const certifyWith = (bytes: Uint8Array, p: 1 | 2 | 3): Promise<Uint8Array> => update(bytes, ({ doc, put, next }) => {
  const catalogRef = doc.trailer.getRef('Root')!;
  const catalog = doc.pdf.getCatalog().clone();
  const perm = next();
  put(perm, PdfDict.of({
    Type: PdfName.of('Sig'),
    Reference: new PdfArray([PdfDict.of({ Type: PdfName.of('SigRef'), TransformMethod: PdfName.of('DocMDP'), TransformParams: PdfDict.of({ Type: PdfName.of('TransformParams'), P: PdfNumber.of(p), V: PdfName.of('1.2') }) })]),
  }));
  catalog.set('Perms', PdfDict.of({ DocMDP: perm }));
  put(catalogRef, catalog);
});

/** Rewrites, in place, the appearance stream of page 1's first signature widget (keeps its object number). */
export const repaintSignatureAppearance = (bytes: Uint8Array): Promise<Uint8Array> => update(bytes, ({ doc, put }) => {
  const annots = doc.pdf.getPages()[0]!.dict.get('Annots');
  const list = annots instanceof PdfRef ? doc.pdf.getObject(annots) : annots;
  const widget = [...(list as PdfArray)].map((a) => doc.pdf.getObject(a as PdfRef) as PdfDict).find((d) => d.getName('FT')?.value === 'Sig')!;
  const ap = (widget.get('AP') instanceof PdfRef ? doc.pdf.getObject(widget.get('AP') as PdfRef) : widget.get('AP')) as PdfDict;
  const n = ap.get('N') as PdfRef;
  put(n, new PdfStream([['Type', PdfName.of('XObject')], ['Subtype', PdfName.of('Form')], ['BBox', new PdfArray([0, 0, 400, 120].map((x) => PdfNumber.of(x)))]], RED_BOX));
});
