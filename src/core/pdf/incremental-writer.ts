/**
 * Appends an incremental update (PDF 32000 §7.5.6): new and replaced objects, then a cross-reference
 * section of the same style as the file's last one, chained to it with /Prev. The original bytes are
 * never touched, so earlier signatures keep covering exactly what they covered. In an encrypted file the
 * objects' strings and streams are encrypted with the file's key (crypt/encrypt-body.ts) and the trailer keeps
 * /Encrypt and the first /ID element the key depends on; the cross-reference section itself is never encrypted.
 */
import { randomBytes } from 'node:crypto';
import { PdfArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfString } from '@libpdf/core';
import { serialize } from './serialize.js';
import { KysoError } from '../errors.js';
import { assertMayUpdate, type OpenedPdf } from './open.js';
import { encryptObjectBody } from './crypt/encrypt-body.js';
import { PDF_MAX_OFFSET, withJoinedBytes, type SignedBytes } from '../signed-output.js';

export interface UpdateObject {
  readonly ref: PdfRef;
  /** Serialised object body (between `n g obj` and `endobj`). */
  readonly body: Uint8Array;
}

/** The file as written: the original bytes (the same buffer, not a copy) followed by `update`; `bytes` joins them on first read. */
export interface WrittenUpdate extends SignedBytes {
  readonly bytes: Uint8Array;
  /** Where a byte at `offset` of object `objectNumber`'s serialised body ended up in the whole file (original + update, after any encryption). */
  position(objectNumber: number, offset: number): number;
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** Groups sorted object numbers into xref subsections [first, count]. */
function subsections(nums: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of nums) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

/** The trailer entries an update must carry forward (§7.5.5), with a fresh second /ID element. */
function trailerEntries(doc: OpenedPdf, size: number): [string, import('@libpdf/core').PdfObject][] {
  const t = doc.trailer;
  const entries: [string, import('@libpdf/core').PdfObject][] = [['Size', PdfNumber.of(size)]];
  const root = t.getRef('Root');
  if (root) entries.push(['Root', root]);
  const info = t.get('Info');
  if (info instanceof PdfRef) entries.push(['Info', info]);
  const encrypt = t.get('Encrypt');
  if (doc.encryption && encrypt) entries.push(['Encrypt', encrypt]);
  const id = t.get('ID');
  const first = id instanceof PdfArray ? id.at(0) : undefined;
  const fresh = new PdfString(new Uint8Array(randomBytes(16)), 'hex');
  entries.push(['ID', new PdfArray([first instanceof PdfString ? first : fresh, fresh])]);
  entries.push(['Prev', PdfNumber.of(doc.startxref)]);
  return entries;
}

export function writeIncrementalUpdate(doc: OpenedPdf, objects: readonly UpdateObject[], nextFreeNumber: number): WrittenUpdate {
  assertMayUpdate(doc);
  const original = doc.bytes;
  const parts: Uint8Array[] = [];
  let offset = original.length;
  const push = (b: Uint8Array): void => { parts.push(b); offset += b.length; };

  // An update starts on a new line even if the file lacks a final EOL after %%EOF.
  const last = original[original.length - 1];
  if (last !== 0x0a && last !== 0x0d) push(enc('\n'));

  const objectOffsets = new Map<number, { offset: number; gen: number }>();
  const positions = new Map<number, (offset: number) => number>();
  const crypt = doc.encryption?.crypt;
  for (const o of objects) {
    objectOffsets.set(o.ref.objectNumber, { offset, gen: o.ref.generation });
    push(enc(`${o.ref.objectNumber} ${o.ref.generation} obj\n`));
    const bodyAt = offset;
    const body = crypt ? encryptObjectBody(o.body, o.ref.objectNumber, o.ref.generation, crypt) : undefined;
    positions.set(o.ref.objectNumber, (at) => bodyAt + (body ? body.position(at) : at));
    push(body ? body.body : o.body);
    push(enc('\nendobj\n'));
  }

  const xrefOffset = offset;
  if (doc.xrefStyle === 'table') {
    const nums = [...objectOffsets.keys()].sort((a, b) => a - b);
    let xref = 'xref\n';
    for (const [first, count] of subsections(nums)) {
      xref += `${first} ${count}\n`;
      for (let n = first; n < first + count; n++) {
        const e = objectOffsets.get(n)!;
        xref += `${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n\r\n`;
      }
    }
    push(enc(xref));
    const trailer = new PdfDict(trailerEntries(doc, nextFreeNumber));
    push(enc('trailer\n'));
    push(serialize(trailer));
    push(enc(`\nstartxref\n${xrefOffset}\n%%EOF\n`));
  } else {
    // Cross-reference stream: itself takes the next free number; entries are [type(1) offset(4) gen(2)], unfiltered.
    const xrefNumber = nextFreeNumber;
    objectOffsets.set(xrefNumber, { offset: xrefOffset, gen: 0 });
    const nums = [...objectOffsets.keys()].sort((a, b) => a - b);
    const data = new Uint8Array(nums.length * 7);
    nums.forEach((n, i) => {
      const e = objectOffsets.get(n)!;
      const view = new DataView(data.buffer, i * 7, 7);
      view.setUint8(0, 1);
      view.setUint32(1, e.offset);
      view.setUint16(5, e.gen);
    });
    const index = subsections(nums).flatMap(([a, b]) => [PdfNumber.of(a), PdfNumber.of(b)]);
    const dict = new PdfDict([
      ['Type', PdfName.of('XRef')],
      ...trailerEntries(doc, xrefNumber + 1),
      ['Index', new PdfArray(index)],
      ['W', new PdfArray([PdfNumber.of(1), PdfNumber.of(4), PdfNumber.of(2)])],
      ['Length', PdfNumber.of(data.length)],
    ]);
    push(enc(`${xrefNumber} 0 obj\n`));
    push(serialize(dict));
    push(enc('\nstream\n'));
    push(data);
    push(enc(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`));
  }

  if (offset > PDF_MAX_OFFSET) throw new KysoError('TOO_LARGE', `the signed PDF would exceed ${PDF_MAX_OFFSET} bytes, the largest offset a PDF can hold`);
  // Only the update is assembled: the original stays where it is, and the writer appends the update to it.
  const update = new Uint8Array(offset - original.length);
  let p = 0;
  for (const part of parts) { update.set(part, p); p += part.length; }
  return withJoinedBytes({
    original,
    update,
    position(objectNumber: number, at: number): number {
      const f = positions.get(objectNumber);
      if (!f) throw new KysoError('INTERNAL', `object ${objectNumber} is not in the update`);
      return f(at);
    },
  });
}
