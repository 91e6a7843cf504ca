/**
 * Copies an object graph built in a scratch @libpdf/core document (an embedded font, an image) into our
 * incremental update: every indirect object gets a number from the update's allocator, references are
 * rewritten, and streams are written with their bytes as they are (deflated first when unfiltered).
 * This lets us use libpdf's TrueType subsetter and PNG/JPEG decoders without letting it write the file.
 */
import { deflateSync } from 'node:zlib';
import { PdfArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfStream, type PDF, type PdfObject } from '@libpdf/core';
import { KysoError } from '../../errors.js';
import type { UpdateObject } from '../incremental-writer.js';
import { serialize } from '../serialize.js';

/** `<<dict /Length n>> stream … endstream` with `data` written verbatim (already encoded per the dict's /Filter). */
export function serializeStream(dict: PdfDict, data: Uint8Array): Uint8Array {
  const d = new PdfDict([...dict].filter(([k]) => k.value !== 'Length').map(([k, v]) => [k, v] as [PdfName, PdfObject]));
  d.set('Length', PdfNumber.of(data.length));
  return Buffer.concat([serialize(d), Buffer.from('\nstream\n', 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
}

export class ObjectImporter {
  private readonly mapped = new Map<number, PdfRef>();
  readonly objects: UpdateObject[] = [];

  constructor(private readonly source: PDF, private readonly allocate: () => PdfRef) {}

  /** Imports the object at `ref` and everything it references; returns its number in the update. */
  importRef(ref: PdfRef): PdfRef {
    const known = this.mapped.get(ref.objectNumber);
    if (known) return known;
    const target = this.allocate();
    this.mapped.set(ref.objectNumber, target);
    const obj = this.source.getObject(ref);
    if (obj === null) throw new KysoError('INTERNAL', `scratch object ${ref.objectNumber} missing`);
    if (obj instanceof PdfStream) {
      const dict = this.copy(new PdfDict([...obj].map(([k, v]) => [k, v] as [PdfName, PdfObject]))) as PdfDict;
      let data = obj.data;
      if (!dict.has('Filter')) {
        data = new Uint8Array(deflateSync(data));
        dict.set('Filter', PdfName.of('FlateDecode'));
      }
      this.objects.push({ ref: target, body: serializeStream(dict, data) });
    } else {
      this.objects.push({ ref: target, body: serialize(this.copy(obj)) });
    }
    return target;
  }

  /** A direct copy of `obj` whose references point into the update. */
  copy(obj: PdfObject): PdfObject {
    if (obj instanceof PdfRef) return this.importRef(obj);
    if (obj instanceof PdfStream) throw new KysoError('INTERNAL', 'direct stream');
    if (obj instanceof PdfDict) return new PdfDict([...obj].map(([k, v]) => [k, this.copy(v)] as [PdfName, PdfObject]));
    if (obj instanceof PdfArray) return new PdfArray([...obj].map((v) => this.copy(v)));
    return obj;
  }
}
