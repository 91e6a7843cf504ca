/**
 * Minimal DER reader and writer. CMS is built by hand so that we control the exact bytes that get signed:
 * DER lengths, sorted SET OF, and the signer's issuer Name copied verbatim from the certificate
 * (re-encoding a UTF8String issuer is what breaks Vietnamese certificates in other libraries).
 */
import { KysoError } from './errors.js';

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content (before the end-of-contents octets of a BER indefinite length). */
  readonly contentEnd: number;
  /** Offset just past the whole element. */
  readonly end: number;
}

/**
 * Reads one element. Definite lengths (DER) always; indefinite lengths (BER, `0x80 … 00 00`) too, because
 * NSS-based signers (pdfsig, Okular, LibreOffice on Linux) write their CMS that way and we must verify it.
 */
export function readTlv(buf: Uint8Array, offset: number, depth = 0): Tlv {
  const fail = (why: string): never => { throw new KysoError('DOCUMENT_CORRUPT', `DER: ${why} at ${offset}`); };
  if (offset + 2 > buf.length) fail('truncated header');
  if (depth > 64) fail('nesting too deep');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tags unsupported');
  let p = offset + 1;
  const first = buf[p++]!;
  if (first === 0x80) {
    if (!(tag & 0x20)) fail('indefinite length on a primitive element');
    let q = p;
    while (q + 1 < buf.length && !(buf[q] === 0 && buf[q + 1] === 0)) q = readTlv(buf, q, depth + 1).end;
    if (q + 1 >= buf.length) fail('missing end-of-contents');
    return { tag, start: offset, contentStart: p, contentEnd: q, end: q + 2 };
  }
  let len = first;
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 4 || p + n > buf.length) fail('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > buf.length) fail('content past end');
  return { tag, start: offset, contentStart: p, contentEnd: p + len, end: p + len };
}

/** The TLVs directly inside a constructed TLV. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.contentStart; p < parent.contentEnd; ) {
    const t = readTlv(buf, p);
    out.push(t);
    p = t.end;
  }
  return out;
}

export const bytesOf = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.start, t.end);
/** Content bytes; a constructed (BER) OCTET STRING is joined from its segments. */
export function contentOf(buf: Uint8Array, t: Tlv): Uint8Array {
  if (t.tag === 0x24) return Buffer.concat(children(buf, t).map((c) => contentOf(buf, c)));
  return buf.subarray(t.contentStart, t.contentEnd);
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.from([tag, ...lengthBytes(body.length)]), body]);
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function setOf(items: readonly Uint8Array[]): Uint8Array {
  return tlv(0x31, ...sortDer(items));
}

export function sortDer(items: readonly Uint8Array[]): Uint8Array[] {
  return [...items].sort((a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  });
}

export function integer(value: number): Uint8Array {
  const bytes: number[] = [];
  let v = value;
  do { bytes.unshift(v & 0xff); v = Math.floor(v / 256); } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

/** INTEGER from big-endian magnitude bytes (a nonce, a serial): leading zeros dropped, a 0x00 added when the top bit is set. */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return tlv(0x02, ...(m.length === 0 ? [Uint8Array.of(0)] : m[0]! & 0x80 ? [Uint8Array.of(0), m] : [m]));
}

export const boolean = (value: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, value ? 0xff : 0x00);

const encodedOids = new Map<string, Uint8Array>();

/**
 * An OBJECT IDENTIFIER, DER. Each is encoded once: the same few recur in every signature (attribute types,
 * algorithms), and encoding one arc by arc cost more than the rest of a CMS. Callers copy it into what they build
 * (tlv, sequence); it must not be modified. The OIDs are the code's own constants and the user's TSA policy.
 */
export function oid(dotted: string): Uint8Array {
  let der = encodedOids.get(dotted);
  if (!der) {
    der = encodeOid(dotted);
    encodedOids.set(dotted, der);
  }
  return der;
}

function encodeOid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const arc of parts.slice(2)) {
    const chunk: number[] = [];
    let v = arc;
    do { chunk.unshift(v & 0x7f); v = Math.floor(v / 128); } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

export function decodeOid(buf: Uint8Array, t: Tlv): string {
  const c = contentOf(buf, t);
  if (c.length === 0) return '';
  const arcs = [Math.floor(c[0]! / 40), c[0]! % 40];
  let v = 0;
  for (const b of c.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) { arcs.push(v); v = 0; }
  }
  return arcs.join('.');
}

export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const NULL = Uint8Array.from([0x05, 0x00]);
/** [n] EXPLICIT / constructed context tag. */
export const explicit = (n: number, ...content: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...content);

/** Re-tags an encoded element (used for IMPLICIT tagging and for signed attributes' SET ↔ [0]). */
export function retag(encoded: Uint8Array, tag: number): Uint8Array {
  const out = Uint8Array.from(encoded);
  out[0] = tag;
  return out;
}

/** Decodes a UTCTime (0x17) or GeneralizedTime (0x18), fractional seconds included; undefined when malformed. */
export function decodeTime(buf: Uint8Array, t: Tlv): Date | undefined {
  const s = Buffer.from(contentOf(buf, t)).toString('latin1');
  const m = (t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?()Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?Z$/).exec(s);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms));
}

export function generalizedTime(d: Date): Uint8Array {
  const s = d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
  return tlv(0x18, new TextEncoder().encode(s));
}
