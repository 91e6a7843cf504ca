/**
 * A small ZIP reader and writer for signing Office packages.
 *
 * Why not a zip library: a signature must leave every existing part byte for byte as it was, so entries we do not
 * change are copied raw (local header, compressed data and data descriptor exactly as found) and only the central
 * directory is written anew. Libraries that re-compress on save would change every entry. Reading is strict where
 * a lenient reader would let two readers see different packages (duplicate names, local header names that disagree
 * with the central directory), because a signature covers what one reader sees.
 */
import * as zlib from 'node:zlib';
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { KysoError } from '../errors.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
/** Inflated size cap per entry: portals take ~6 MB files; a zip bomb must not exhaust memory. */
const MAX_ENTRY_SIZE = 256 * 1024 * 1024;
/** Inflated bytes for one whole package: absolute, per input byte (XML deflates ~10–20×), and a floor for small files. */
export const PACKAGE_INFLATE = { absolute: 256 * 1024 * 1024, ratio: 100, floor: 64 * 1024 * 1024 } as const;
/** Entries in one archive (a large workbook or deck has some thousands). */
export const MAX_ENTRIES = 20_000;

/**
 * What may still be inflated from one archive. Checked against an entry's declared size before inflating (the
 * inflater is capped to that size, so a lying size fails as corrupt): a 765 KB file whose one part claims 255 MB,
 * or forty such parts, stop here instead of taking gigabytes.
 */
export class InflateBudget {
  private used = 0;
  constructor(readonly limit: number) {}
  static forInput(inputSize: number): InflateBudget {
    return new InflateBudget(Math.min(PACKAGE_INFLATE.absolute, Math.max(PACKAGE_INFLATE.floor, inputSize * PACKAGE_INFLATE.ratio)));
  }
  take(n: number, what: string): void {
    if (this.used + n > this.limit) {
      throw new KysoError('DOCUMENT_TOO_COMPLEX', `zip: ${what} would inflate the package past ${this.limit} bytes`);
    }
    this.used += n;
  }
}

export interface ZipEntry {
  /** Name as stored (UTF-8 when flagged, otherwise read as Latin-1: OPC names are ASCII). */
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the local header in the source archive. */
  readonly localOffset: number;
  /** Offset just past the entry (data and data descriptor) in the source archive. */
  readonly localEnd: number;
  /** The central directory record exactly as read (name, extra and comment included). */
  readonly centralRecord: Uint8Array;
  /** Where the 32-bit local header offset sits in centralRecord, or in its ZIP64 extra field. */
  readonly offsetField: { at: number; width: 4 | 8 };
}

export interface ZipArchive {
  readonly bytes: Uint8Array;
  /** In central directory order. */
  readonly entries: readonly ZipEntry[];
  readonly comment: Uint8Array;
}

const corrupt = (why: string): never => {
  throw new KysoError('DOCUMENT_CORRUPT', `zip: ${why}`);
};

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u16(v: DataView, at: number): number {
  if (at + 2 > v.byteLength) corrupt('truncated');
  return v.getUint16(at, true);
}
function u32(v: DataView, at: number): number {
  if (at + 4 > v.byteLength) corrupt('truncated');
  return v.getUint32(at, true);
}
function u64(v: DataView, at: number): number {
  if (at + 8 > v.byteLength) corrupt('truncated');
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) corrupt('64-bit value too large');
  return Number(n);
}

function decodeName(raw: Uint8Array, flags: number): string {
  if (flags & FLAG_UTF8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return corrupt('entry name is not UTF-8');
    }
  }
  return Buffer.from(raw).toString('latin1');
}

function findEocd(v: DataView): number {
  const min = Math.max(0, v.byteLength - (22 + 0xffff));
  for (let p = v.byteLength - 22; p >= min; p--) {
    if (v.getUint32(p, true) === SIG_EOCD && p + 22 + v.getUint16(p + 20, true) === v.byteLength) return p;
  }
  // Some writers leave junk after the comment; accept the last record whose comment fits.
  for (let p = v.byteLength - 22; p >= min; p--) {
    if (v.getUint32(p, true) === SIG_EOCD && p + 22 + v.getUint16(p + 20, true) <= v.byteLength) return p;
  }
  return corrupt('no end of central directory record');
}

/** Reads the central directory and checks every local header against it. Data is not inflated here. */
export function readZip(bytes: Uint8Array): ZipArchive {
  const v = view(bytes);
  if (bytes.length < 22) corrupt('too short');
  const eocd = findEocd(v);
  let count = u16(v, eocd + 10);
  let cdSize = u32(v, eocd + 12);
  let cdOffset = u32(v, eocd + 16);
  const comment = bytes.subarray(eocd + 22, eocd + 22 + u16(v, eocd + 20));
  if (eocd >= 20 && u32(v, eocd - 20) === SIG_ZIP64_LOCATOR) {
    const z = u64(v, eocd - 20 + 8);
    if (u32(v, z) !== SIG_ZIP64_EOCD) corrupt('bad ZIP64 end of central directory');
    count = u64(v, z + 32);
    cdSize = u64(v, z + 40);
    cdOffset = u64(v, z + 48);
  }
  if (cdOffset + cdSize > bytes.length) corrupt('central directory past end of file');

  if (count > MAX_ENTRIES) throw new KysoError('DOCUMENT_TOO_COMPLEX', `zip: ${count} entries > ${MAX_ENTRIES}`);
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (u32(v, p) !== SIG_CENTRAL) corrupt(`bad central directory record ${i}`);
    const flags = u16(v, p + 8);
    const method = u16(v, p + 10);
    const crc32 = u32(v, p + 16);
    let compressedSize = u32(v, p + 20);
    let size = u32(v, p + 24);
    const nameLen = u16(v, p + 28);
    const extraLen = u16(v, p + 30);
    const commentLen = u16(v, p + 32);
    let localOffset = u32(v, p + 42);
    const recordEnd = p + 46 + nameLen + extraLen + commentLen;
    if (recordEnd > cdOffset + cdSize) corrupt('central directory record past its end');
    const name = decodeName(bytes.subarray(p + 46, p + 46 + nameLen), flags);
    let offsetField: ZipEntry['offsetField'] = { at: 42, width: 4 };
    let zip64 = false;
    // ZIP64 extended information: the fields that overflowed, in a fixed order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = u16(v, e);
      const len = u16(v, e + 2);
      if (id === 0x0001) {
        zip64 = true;
        let q = e + 4;
        if (size === 0xffffffff) { size = u64(v, q); q += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = u64(v, q); q += 8; }
        if (localOffset === 0xffffffff) { offsetField = { at: q - p, width: 8 }; localOffset = u64(v, q); q += 8; }
      }
      e += 4 + len;
    }
    const key = name.toLowerCase();
    if (seen.has(key)) corrupt(`duplicate entry ${name}`);
    seen.add(key);
    if (flags & FLAG_ENCRYPTED) throw new KysoError('DOCUMENT_ENCRYPTED', `zip entry ${name} is encrypted`);

    // The local header must agree with the central directory: readers differ in which one they trust.
    if (u32(v, localOffset) !== SIG_LOCAL) corrupt(`no local header for ${name}`);
    const localNameLen = u16(v, localOffset + 26);
    const localExtraLen = u16(v, localOffset + 28);
    const localName = decodeName(bytes.subarray(localOffset + 30, localOffset + 30 + localNameLen), u16(v, localOffset + 6));
    if (localName !== name) corrupt(`local header name ${localName} differs from ${name}`);
    const dataStart = localOffset + 30 + localNameLen + localExtraLen;
    let localEnd = dataStart + compressedSize;
    if (localEnd > cdOffset) corrupt(`entry ${name} overlaps the central directory`);
    if (flags & FLAG_DESCRIPTOR) {
      const withSig = localEnd + 4 <= bytes.length && u32(v, localEnd) === SIG_DESCRIPTOR;
      localEnd += (withSig ? 4 : 0) + (zip64 ? 20 : 12);
      if (localEnd > cdOffset) corrupt(`data descriptor of ${name} overlaps the central directory`);
    }
    entries.push({
      name, method, flags, crc32, compressedSize, size, localOffset, localEnd,
      centralRecord: bytes.subarray(p, recordEnd), offsetField,
    });
    p = recordEnd;
  }
  // Entries must not share bytes (a classic way to make two readers disagree).
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.localOffset < sorted[i - 1]!.localEnd) corrupt(`entries ${sorted[i - 1]!.name} and ${sorted[i]!.name} overlap`);
  }
  return { bytes, entries, comment };
}

let crcTable: Uint32Array | undefined;
/** zlib's own CRC-32 where Node has it (20.15+): ten times faster than the table below on large parts. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
export function crc32(data: Uint8Array): number {
  if (nativeCrc32) return nativeCrc32(data) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The uncompressed content of an entry, checked against its size and CRC-32 (and `budget`, before inflating). */
export function readEntry(zip: ZipArchive, entry: ZipEntry, budget?: InflateBudget): Uint8Array {
  const v = view(zip.bytes);
  const dataStart = entry.localOffset + 30 + u16(v, entry.localOffset + 26) + u16(v, entry.localOffset + 28);
  const raw = zip.bytes.subarray(dataStart, dataStart + entry.compressedSize);
  if (entry.size > MAX_ENTRY_SIZE) throw new KysoError('DOCUMENT_TOO_COMPLEX', `zip: entry ${entry.name} inflates to ${entry.size} bytes`);
  budget?.take(entry.size, `entry ${entry.name}`);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(entry.size, 1) });
    } catch (cause) {
      throw new KysoError('DOCUMENT_CORRUPT', `zip: cannot inflate ${entry.name}`, { cause });
    }
  } else {
    return corrupt(`entry ${entry.name} uses compression method ${entry.method}`);
  }
  if (data.length !== entry.size) corrupt(`entry ${entry.name} has the wrong size`);
  if (crc32(data) !== entry.crc32) corrupt(`entry ${entry.name} fails its CRC check`);
  return data;
}

/** One entry of the archive to write: an existing one copied raw, or new content deflated here. */
export type ZipOutputEntry = { copy: ZipEntry } | { name: string; data: Uint8Array; time?: Date };

function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

/**
 * Writes an archive: copied entries keep their local bytes exactly; new ones are deflated. The central directory
 * keeps each copied record as it was except for the local header offset.
 */
export function writeZip(source: ZipArchive | undefined, out: readonly ZipOutputEntry[], comment: Uint8Array = new Uint8Array(0)): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const item of out) {
    if ('copy' in item) {
      if (!source) throw new KysoError('INTERNAL', 'zip: copy without a source archive');
      const e = item.copy;
      const local = source.bytes.subarray(e.localOffset, e.localEnd);
      const record = new Uint8Array(e.centralRecord);
      const rv = view(record);
      if (e.offsetField.width === 8) rv.setBigUint64(e.offsetField.at, BigInt(offset), true);
      else {
        if (offset > 0xfffffffe) throw new KysoError('TOO_LARGE', 'zip: archive too large');
        rv.setUint32(e.offsetField.at, offset, true);
      }
      chunks.push(local);
      central.push(record);
      offset += local.length;
      continue;
    }
    const name = Buffer.from(item.name, 'utf8');
    const ascii = name.every((c) => c < 0x80);
    const flags = ascii ? 0 : FLAG_UTF8;
    const compressed = deflateRawSync(item.data, { level: 9 });
    const crc = crc32(item.data);
    const { date, time } = dosDateTime(item.time ?? new Date());
    if (offset > 0xfffffffe || compressed.length > 0xfffffffe || item.data.length > 0xfffffffe) {
      throw new KysoError('TOO_LARGE', 'zip: archive too large');
    }
    const local = new Uint8Array(30 + name.length);
    const lv = view(local);
    lv.setUint32(0, SIG_LOCAL, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, 8, true);
    lv.setUint16(10, time, true);
    lv.setUint16(12, date, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, compressed.length, true);
    lv.setUint32(22, item.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true);
    local.set(name, 30);
    const record = new Uint8Array(46 + name.length);
    const cv = view(record);
    cv.setUint32(0, SIG_CENTRAL, true);
    cv.setUint16(4, 20, true); // made by: MS-DOS, spec 2.0
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, 8, true);
    cv.setUint16(12, time, true);
    cv.setUint16(14, date, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, compressed.length, true);
    cv.setUint32(24, item.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    record.set(name, 46);
    chunks.push(local, compressed);
    central.push(record);
    offset += local.length + compressed.length;
  }
  const cdOffset = offset;
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  if (central.length > 0xfffe || cdOffset + cdSize > 0xfffffffe) throw new KysoError('TOO_LARGE', 'zip: archive too large');
  const eocd = new Uint8Array(22 + comment.length);
  const ev = view(eocd);
  ev.setUint32(0, SIG_EOCD, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, cdOffset, true);
  ev.setUint16(20, comment.length, true);
  eocd.set(comment, 22);
  return new Uint8Array(Buffer.concat([...chunks, ...central, eocd]));
}
