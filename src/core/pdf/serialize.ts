/**
 * Writes PDF objects as bytes for our own incremental updates. Strings are always written as hex,
 * which needs no escaping and survives any byte content (UTF-16 text, binary).
 */
import { PdfArray, PdfBool, PdfDict, PdfName, PdfNumber, PdfRef, PdfStream, PdfString, type PdfObject } from '@libpdf/core';
import { KysoError } from '../errors.js';

const utf8 = new TextEncoder();

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new KysoError('INTERNAL', `non-finite PDF number ${n}`);
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

/** PDF name syntax: regular characters verbatim, delimiters/whitespace/non-ASCII as #xx (of the UTF-8 bytes). */
export function formatName(name: string): string {
  let out = '/';
  for (const b of utf8.encode(name)) {
    const c = String.fromCharCode(b);
    out += b < 0x21 || b > 0x7e || '#()<>[]{}/%'.includes(c) ? `#${b.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

export const hexString = (bytes: Uint8Array): string => `<${Buffer.from(bytes).toString('hex').toUpperCase()}>`;

/**
 * Serialises one object (not the `n g obj` wrapper). Streams are written with their encoded data as-is. The syntax
 * is gathered as one string and turned into bytes once (every character of it is ASCII: names are #-escaped,
 * strings hex): a typed array per token cost more than the rest of a signature's update.
 */
export function serialize(obj: PdfObject): Uint8Array {
  const parts: Uint8Array[] = [];
  let pending = '';
  const text = (s: string): void => { pending += s; };
  const flush = (): void => {
    if (pending) parts.push(Buffer.from(pending, 'latin1'));
    pending = '';
  };
  const write = (o: PdfObject): void => {
    if (o instanceof PdfStream) {
      const data = o.getEncodedData();
      text('<<');
      for (const [k, v] of o) {
        if (k.value === 'Length') continue;
        text(`${formatName(k.value)} `); write(v); text(' ');
      }
      text(`/Length ${data.length}>>\nstream\n`);
      flush();
      parts.push(data);
      text('\nendstream');
    } else if (o instanceof PdfDict) {
      text('<<');
      for (const [k, v] of o) { text(`${formatName(k.value)} `); write(v); text(' '); }
      text('>>');
    } else if (o instanceof PdfArray) {
      text('[');
      let first = true;
      for (const v of o) { if (!first) text(' '); first = false; write(v); }
      text(']');
    } else if (o instanceof PdfName) text(formatName(o.value));
    else if (o instanceof PdfNumber) text(formatNumber(o.value));
    else if (o instanceof PdfString) text(hexString(o.bytes));
    else if (o instanceof PdfRef) text(`${o.objectNumber} ${o.generation} R`);
    else if (o instanceof PdfBool) text(o.value ? 'true' : 'false');
    else if (o.type === 'null') text('null');
    else throw new KysoError('INTERNAL', `cannot serialise PDF object of type ${o.type}`);
  };
  write(obj);
  flush();
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
