/**
 * A linear pre-scan of a PDF's object syntax before @libpdf/core sees it, refusing what is known to make the
 * library loop forever or explode:
 * - a `{`, `}` or unbalanced `)` outside strings, comments and stream data. The library's tokenizer
 *   (TokenReader.readToken) has no branch for these three delimiters and falls through to readKeyword, which
 *   consumes nothing and returns an empty keyword at the same offset; in its default lenient mode the dictionary
 *   and array parsers then skip that "token" forever, pushing a warning string per turn (docs/upstream/libpdf-stray-brace.md).
 *   Object streams are inflated (Flate, counted against the decode budget) and scanned the same way.
 * - more objects than MAX_OBJECTS (indirect objects, object stream /N, cross-reference /Size): each costs
 *   memory in the library's xref and cache, and a zero-width xref stream can claim millions from a few bytes.
 * Anything else stays the library's job; what it still gets wrong is caught by the isolation's deadline and heap cap.
 */
import { KysoError } from '../errors.js';
import { countInflated } from './decode-budget.js';
import { inflateSync, constants as zlibConstants } from 'node:zlib';

/** More objects than any real document a portal takes (a 3 000-page scan has ~100 000). */
export const MAX_OBJECTS = 1_000_000;

const WS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

const ENDSTREAM = Buffer.from('endstream', 'latin1');

interface ScanResult { objects: number; objectStreams: Array<{ dict: string; data: Uint8Array }> }

const latin1 = (b: Uint8Array, s: number, e: number): string => Buffer.from(b.buffer, b.byteOffset + s, Math.max(0, e - s)).toString('latin1');

function stray(offset: number, ch: number, where: string): never {
  throw new KysoError('DOCUMENT_CORRUPT', `stray '${String.fromCharCode(ch)}' at offset ${offset}${where}`);
}

/**
 * The entries a cross-reference table or stream claims (/Size, in the trailer or the stream's dictionary), checked
 * where the scan meets the name, before the library allocates for them; `at` is just past `/Size`.
 */
function assertSize(bytes: Uint8Array, at: number): void {
  const m = /^\s+(\d{1,12})\b/.exec(latin1(bytes, at, Math.min(bytes.length, at + 32)));
  if (m && Number(m[1]) > MAX_OBJECTS) throw new KysoError('DOCUMENT_TOO_COMPLEX', `cross-reference /Size ${m[1]} > ${MAX_OBJECTS}`);
}

/** Where stream data starting at `start` ends: by a direct /Length that lands on `endstream`, else the first `endstream`. */
function streamEnd(bytes: Uint8Array, start: number, dict: string): number {
  const m = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  if (m) {
    const end = start + Number(m[1]);
    let p = end;
    while (p < bytes.length && WS[bytes[p]!]) p++;
    if (end <= bytes.length && Buffer.from(bytes.buffer, bytes.byteOffset + p, Math.min(9, bytes.length - p)).equals(ENDSTREAM)) return end;
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const at = buf.indexOf(ENDSTREAM, start);
  return at < 0 ? bytes.length : at;
}

/**
 * Scans object syntax from start to end. `collect` gathers stream data (top level only: object streams hold no
 * streams). Throws DOCUMENT_CORRUPT at the first stray delimiter.
 */
function scan(bytes: Uint8Array, where: string, collect: boolean): ScanResult {
  const n = bytes.length;
  const result: ScanResult = { objects: 0, objectStreams: [] };
  let lastObj = 0;
  let p = 0;
  while (p < n) {
    const c = bytes[p]!;
    if (WS[c]) { p++; continue; }
    if (c === 0x25 /* % */) { while (p < n && bytes[p] !== 10 && bytes[p] !== 13) p++; continue; }
    if (c === 0x28 /* ( */) {
      let depth = 1;
      p++;
      while (p < n && depth > 0) {
        const d = bytes[p]!;
        if (d === 0x5c /* \ */) p += 2;
        else { if (d === 0x28) depth++; else if (d === 0x29) depth--; p++; }
      }
      continue;
    }
    if (c === 0x3c /* < */) {
      if (bytes[p + 1] === 0x3c) { p += 2; continue; }
      while (p < n && bytes[p] !== 0x3e) p++;
      p++;
      continue;
    }
    if (c === 0x3e || c === 0x5b || c === 0x5d) { p++; continue; }
    if (c === 0x2f /* / */) {
      const name = ++p;
      while (p < n && !WS[bytes[p]!] && !DELIM[bytes[p]!]) p++;
      if (p - name === 4 && latin1(bytes, name, p) === 'Size') assertSize(bytes, p);
      continue;
    }
    if (c === 0x7b || c === 0x7d || c === 0x29) stray(p, c, where);
    // A number or keyword: a run of regular characters.
    const start = p;
    while (p < n && !WS[bytes[p]!] && !DELIM[bytes[p]!]) p++;
    const len = p - start;
    if (len === 3 && bytes[start] === 0x6f && bytes[start + 1] === 0x62 && bytes[start + 2] === 0x6a /* obj */) {
      result.objects++;
      lastObj = p;
    } else if (len === 6 && latin1(bytes, start, p) === 'stream') {
      const dict = latin1(bytes, lastObj, start);
      if (bytes[p] === 0x0d) p++;
      if (bytes[p] === 0x0a) p++;
      const end = streamEnd(bytes, p, dict);
      if (collect && /\/Type\s*\/ObjStm\b/.test(dict)) result.objectStreams.push({ dict, data: bytes.subarray(p, end) });
      p = end;
    }
  }
  return result;
}

function inflateObjectStream(dict: string, data: Uint8Array): Uint8Array | undefined {
  const filter = /\/Filter\s*(\[\s*)?\/(\w+)\s*(\])?/.exec(dict);
  if (!filter) return data;
  // Only a lone FlateDecode is pre-scanned; other chains are left to the isolation's limits.
  if (filter[2] !== 'FlateDecode' || /\/Filter\s*\[\s*\/\w+\s*\/\w+/.test(dict)) return undefined;
  let out: Buffer;
  try {
    out = inflateSync(data, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 64 * 1024 * 1024 });
  } catch (cause) {
    if (cause instanceof RangeError) throw new KysoError('DOCUMENT_TOO_COMPLEX', 'an object stream inflates to more than 64 MiB', { cause });
    return undefined;
  }
  countInflated(out.length);
  return out;
}

/** Throws DOCUMENT_CORRUPT (stray delimiter) or DOCUMENT_TOO_COMPLEX (objects, inflated size). */
export function assertPdfSyntaxSafe(bytes: Uint8Array): void {
  const top = scan(bytes, '', true);
  let objects = top.objects;
  for (const [i, s] of top.objectStreams.entries()) {
    const count = Number(/\/N\s+(\d{1,12})\b/.exec(s.dict)?.[1] ?? 0);
    objects += count;
    if (objects > MAX_OBJECTS) break;
    const data = inflateObjectStream(s.dict, s.data);
    if (data) scan(data, ` in object stream ${i + 1}`, false);
  }
  if (objects > MAX_OBJECTS) throw new KysoError('DOCUMENT_TOO_COMPLEX', `more than ${MAX_OBJECTS} objects`);
}
