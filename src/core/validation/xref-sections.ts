/**
 * A small reader of the cross-reference sections of a PDF's incremental updates: which objects each update
 * declares (added, replaced or freed), and where each revision ends. We read these ourselves rather than
 * through @libpdf/core because the library merges every section into one table, and revision analysis needs
 * to know exactly which section (update) introduced which object.
 */
import { inflateSync } from 'node:zlib';

export interface XrefEntry {
  objectNumber: number;
  generation: number;
  /** false for a free entry (the update deletes the object). */
  inUse: boolean;
}

export interface XrefSection {
  /** Offset of the section (`xref` keyword or the xref stream object). */
  offset: number;
  /**
   * Offset just past this revision's `%%EOF` (and its end-of-line). Absent for a section no `startxref` names (a
   * linearized file's main table, reached through the first-page section's /Prev): it ends no revision.
   */
  revisionEnd?: number;
  prev?: number;
  entries: XrefEntry[];
}

/** Bytes [start, end) as latin1, clamped to the buffer: offsets come from the file, which may lie. */
const latin1 = (b: Uint8Array, start: number, end: number): string => {
  const from = Math.min(Math.max(0, start), b.length);
  return Buffer.from(b.buffer, b.byteOffset + from, Math.max(0, Math.min(end, b.length) - from)).toString('latin1');
};

/** The end of the revision whose `startxref` names `offset`: past the `%%EOF` and one end-of-line. */
function revisionEndFor(bytes: Uint8Array, offset: number): number | undefined {
  const re = new RegExp(`startxref\\s+${offset}\\s+%%EOF`, 'g');
  // Search forward from the section; chunks keep memory flat on large files.
  for (let from = offset; from < bytes.length; from += 1 << 20) {
    const text = latin1(bytes, from, Math.min(bytes.length, from + (1 << 20) + 64));
    re.lastIndex = 0;
    const m = re.exec(text);
    if (m) {
      let end = from + m.index + m[0].length;
      if (bytes[end] === 0x0d) end++;
      if (bytes[end] === 0x0a) end++;
      return end;
    }
  }
  return undefined;
}

function parseTable(bytes: Uint8Array, offset: number): { entries: XrefEntry[]; trailer: string } {
  const text = latin1(bytes, offset, bytes.length);
  const trailerAt = text.indexOf('trailer');
  if (trailerAt < 0) throw new Error(`xref table at ${offset} has no trailer`);
  const lines = text.slice(0, trailerAt).split(/\r\n|\r|\n/).map((l) => l.trim()).filter(Boolean);
  const entries: XrefEntry[] = [];
  let next = 0;
  for (const line of lines.slice(1)) {
    const sub = /^(\d+)\s+(\d+)$/.exec(line);
    if (sub) { next = Number(sub[1]); continue; }
    const e = /^(\d{10})\s+(\d{5})\s+([nf])$/.exec(line);
    if (!e) throw new Error(`xref table at ${offset}: bad line`);
    entries.push({ objectNumber: next++, generation: Number(e[2]), inUse: e[3] === 'n' });
  }
  const end = text.indexOf('startxref', trailerAt);
  return { entries, trailer: text.slice(trailerAt, end < 0 ? undefined : end) };
}

const numbers = (s: string | undefined): number[] => (s ?? '').trim().split(/\s+/).filter(Boolean).map(Number);

/** PNG "Up" and friends, as xref streams use them (/Predictor >= 10). */
function unpredict(data: Uint8Array, columns: number): Uint8Array {
  const row = columns + 1;
  const out = new Uint8Array((data.length / row | 0) * columns);
  const prev = new Uint8Array(columns);
  for (let r = 0; r * row < data.length - columns; r++) {
    const type = data[r * row]!;
    for (let i = 0; i < columns; i++) {
      const raw = data[r * row + 1 + i]!;
      const left = i > 0 ? out[r * columns + i - 1]! : 0;
      const up = prev[i]!;
      const upLeft = i > 0 && r > 0 ? out[(r - 1) * columns + i - 1]! : 0;
      let v = raw;
      if (type === 1) v = raw + left;
      else if (type === 2) v = raw + up;
      else if (type === 3) v = raw + ((left + up) >> 1);
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
        v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      }
      out[r * columns + i] = v & 0xff;
    }
    prev.set(out.subarray(r * columns, (r + 1) * columns));
  }
  return out;
}

function parseStream(bytes: Uint8Array, offset: number): { entries: XrefEntry[]; trailer: string } {
  const head = latin1(bytes, offset, Math.min(bytes.length, offset + 4096));
  const streamAt = head.search(/stream(\r\n|\n|\r)/);
  if (!/^\s*\d+\s+\d+\s+obj\b/.test(head) || streamAt < 0) throw new Error(`no xref stream at ${offset}`);
  const dict = head.slice(0, streamAt);
  if (!/\/Type\s*\/XRef\b/.test(dict)) throw new Error(`object at ${offset} is not an xref stream`);
  const dataStart = offset + streamAt + (/stream\r\n/.test(head.slice(streamAt, streamAt + 8)) ? 8 : 7);
  const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  let dataEnd = length ? dataStart + Number(length[1]) : -1;
  if (dataEnd < 0 || dataEnd > bytes.length) {
    const tail = latin1(bytes, dataStart, bytes.length).indexOf('endstream');
    if (tail < 0) throw new Error(`xref stream at ${offset} has no end`);
    dataEnd = dataStart + tail;
  }
  let data: Uint8Array = bytes.subarray(dataStart, dataEnd);
  if (/\/Filter\s*\[?\s*\/FlateDecode/.test(dict)) data = inflateSync(data, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate trailing EOL */ });
  else if (/\/Filter/.test(dict)) throw new Error(`xref stream at ${offset} uses an unsupported filter`);
  const w = numbers(/\/W\s*\[([^\]]*)\]/.exec(dict)?.[1]);
  if (w.length !== 3) throw new Error(`xref stream at ${offset} has a bad /W`);
  const predictor = Number(/\/Predictor\s+(\d+)/.exec(dict)?.[1] ?? 1);
  const rowLength = w[0]! + w[1]! + w[2]!;
  if (predictor >= 10) data = unpredict(data, Number(/\/Columns\s+(\d+)/.exec(dict)?.[1] ?? rowLength));
  const size = Number(/\/Size\s+(\d+)/.exec(dict)?.[1] ?? 0);
  const index = numbers(/\/Index\s*\[([^\]]*)\]/.exec(dict)?.[1]);
  const ranges = index.length >= 2 ? index : [0, size];
  const field = (pos: number, width: number, dflt: number): number => {
    if (width === 0) return dflt;
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + data[pos + i]!;
    return v;
  };
  const entries: XrefEntry[] = [];
  let pos = 0;
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    for (let n = ranges[r]!; n < ranges[r]! + ranges[r + 1]!; n++) {
      if (pos + rowLength > data.length) throw new Error(`xref stream at ${offset} is truncated`);
      const type = field(pos, w[0]!, 1);
      const gen = type === 1 ? field(pos + w[0]! + w[1]!, w[2]!, 0) : 0;
      if (type === 1 || type === 2) entries.push({ objectNumber: n, generation: gen, inUse: true });
      else if (type === 0) entries.push({ objectNumber: n, generation: field(pos + w[0]! + w[1]!, w[2]!, 0), inUse: false });
      pos += rowLength;
    }
  }
  return { entries, trailer: dict };
}

/** Reads the section at `offset` (a table, with its hybrid /XRefStm if any, or a stream). */
export function readXrefSection(bytes: Uint8Array, offset: number): XrefSection {
  const isTable = /^\s*xref\b/.test(latin1(bytes, offset, offset + 16));
  const { entries, trailer } = isTable ? parseTable(bytes, offset) : parseStream(bytes, offset);
  // Hybrid-reference files: the table's trailer names a stream holding the compressed objects.
  const hybrid = isTable ? /\/XRefStm\s+(\d+)/.exec(trailer) : null;
  if (hybrid) entries.push(...parseStream(bytes, Number(hybrid[1])).entries);
  const prev = /\/Prev\s+(\d+)/.exec(trailer);
  const revisionEnd = revisionEndFor(bytes, offset);
  return { offset, entries, ...(revisionEnd !== undefined ? { revisionEnd } : {}), ...(prev ? { prev: Number(prev[1]) } : {}) };
}

/** Offset named by the last `startxref … %%EOF` that ends at or before `end`. */
export function startxrefBefore(bytes: Uint8Array, end: number): number | undefined {
  const text = latin1(bytes, Math.max(0, end - 2048), end);
  const re = /startxref\s+(\d+)\s+%%EOF/g;
  let found: number | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) found = Number(m[1]);
  return found;
}

export type UpdateSection = XrefSection & { revisionEnd: number };

export interface LaterUpdates {
  /** The updates after `end`, oldest first. */
  sections: UpdateSection[];
  /** The chain of /Prev from the last section reaches the revision that ends at `end`. */
  chainIntact: boolean;
  problems: string[];
}

/**
 * The incremental updates appended after the revision that ends at `end`, found by walking /Prev back from the
 * file's last `startxref`: that chain is what a reader follows, so it is what decides what the reader shows.
 */
export function updatesAfter(bytes: Uint8Array, end: number): LaterUpdates {
  const problems: string[] = [];
  const signedXref = startxrefBefore(bytes, end);
  const last = startxrefBefore(bytes, bytes.length);
  const sections: UpdateSection[] = [];
  if (last === undefined) return { sections, chainIntact: false, problems: ['no startxref at the end of the file'] };
  let offset: number | undefined = last;
  const seen = new Set<number>();
  let chainIntact = false;
  while (offset !== undefined && !seen.has(offset)) {
    seen.add(offset);
    if (offset === signedXref && offset < end) { chainIntact = true; break; }
    if (offset < end) { problems.push(`the cross-reference chain skips the signed revision (reaches ${offset})`); break; }
    try {
      const s = readXrefSection(bytes, offset);
      // An appended update always ends with its own `startxref … %%EOF`.
      if (s.revisionEnd === undefined) throw new Error(`no startxref ${offset} %%EOF after the section`);
      sections.unshift(s as UpdateSection);
      offset = s.prev;
    } catch (e) {
      problems.push(`cross-reference section unreadable: ${(e as Error).message}`);
      break;
    }
  }
  if (!chainIntact && problems.length === 0) problems.push('the cross-reference chain does not lead back to the signed revision');
  return { sections, chainIntact, problems };
}
