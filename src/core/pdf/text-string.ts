/** PDF text strings and dates as signature dictionaries need them. */
import { PdfString } from '@libpdf/core';

/**
 * A PDF text string: printable ASCII as is; anything else as UTF-16BE with a BOM (PDF 32000 §7.9.2.2),
 * so Vietnamese names, reasons and locations survive every reader. Input is normalised to NFC.
 */
export function textString(value: string): PdfString {
  const s = value.normalize('NFC');
  if (/^[\x20-\x7e]*$/.test(s)) return new PdfString(Uint8Array.from(s, (c) => c.charCodeAt(0)), 'hex');
  const out = new Uint8Array(2 + s.length * 2);
  out[0] = 0xfe;
  out[1] = 0xff;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i); // UTF-16 code units, surrogates included
    out[2 + 2 * i] = c >> 8;
    out[3 + 2 * i] = c & 0xff;
  }
  return new PdfString(out, 'hex');
}

/** Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), or PDFDocEncoding ≈ Latin-1). */
export function decodeTextString(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    return s;
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder().decode(bytes.subarray(3));
  return String.fromCharCode(...bytes);
}

const pad = (n: number, w = 2): string => String(Math.trunc(Math.abs(n))).padStart(w, '0');

/** `D:YYYYMMDDHHmmSS+HH'mm'` in the given UTC offset (minutes east); never this machine's zone, which a signer cannot see. */
export function pdfDate(d: Date, offsetMinutes: number): string {
  const local = new Date(d.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  return `D:${local.getUTCFullYear()}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}` +
    `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}` +
    `${sign}${pad(offsetMinutes / 60)}'${pad(offsetMinutes % 60)}'`;
}

export function parsePdfDate(s: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+\-])?(\d{2})?'?(\d{2})?'?/.exec(s.trim());
  if (!m) return undefined;
  const utc = Date.UTC(Number(m[1]), Number(m[2] ?? 1) - 1, Number(m[3] ?? 1), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const sign = m[7] === '-' ? -1 : m[7] === '+' ? 1 : 0;
  const offset = sign * (Number(m[8] ?? 0) * 60 + Number(m[9] ?? 0));
  return new Date(utc - offset * 60_000);
}
