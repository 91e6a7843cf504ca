/**
 * Incremental updates a forger (or a legitimate tool) appends to a signed PDF, written with the same
 * incremental writer Kyso signs with, so each one is a well-formed update a reader follows.
 */
import { PdfArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfStream, type PdfObject } from '@libpdf/core';
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
