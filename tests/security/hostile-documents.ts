/**
 * Hostile documents from the security audit (issue 21), built in code and small: a PDF whose catalog holds a
 * stray `}`, the same hidden where the pre-scan cannot see it, object-stream bombs, DOCX zip bombs (one big part,
 * many parts) and a part nesting a million elements.
 */
import { constants as zlibConstants, crc32, deflateRawSync, deflateSync } from 'node:zlib';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A classic-xref PDF from object bodies (`N 0 obj` added), object 1 the catalog. */
export function pdfFromObjects(objects: Array<string | Buffer>, trailerExtra = ''): Buffer {
  const parts: Buffer[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(length);
    const chunk = Buffer.concat([latin1(`${i + 1} 0 obj\n`), typeof body === 'string' ? latin1(body) : body, latin1('\nendobj\n')]);
    parts.push(chunk);
    length += chunk.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  parts.push(latin1(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

const PAGES = ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'];

/** The audit's 334-byte file: `<< /Type /Catalog /Pages 2 0 R /X } >>` made @libpdf/core loop forever. */
export function strayBracePdf(): Buffer {
  return pdfFromObjects(['<< /Type /Catalog /Pages 2 0 R /X } >>', ...PAGES]);
}

function stream(dict: string, data: Buffer): Buffer {
  return Buffer.concat([latin1(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, latin1('\nendstream')]);
}

/**
 * The stray brace inside an object stream the pre-scan does not decode (ASCIIHex): only the isolation (deadline,
 * heap cap) stands between it and the library's loop.
 */
export function hiddenBracePdf(): Buffer {
  const hex = Buffer.from(`2 0 ${PAGES[0]!.replace('/Count 1', '/Count 1 /X }')}`, 'latin1').toString('hex');
  return xrefStreamPdf(['<< /Type /Catalog /Pages 2 0 R >>', null, PAGES[1]!],
    [{ objectNumber: 2, dict: '/Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode', data: latin1(`${hex}>`), index: 0 }]);
}

const MIB = 1024 * 1024;
const SPACES = Buffer.alloc(MIB, 0x20);

/**
 * Raw deflate of `head` then `mb` MiB of spaces, without ever holding them: blocks compressed apart and ended by a
 * sync flush can be concatenated, and one final empty block closes the stream.
 */
function rawDeflateOfSpaces(head: Buffer, mb: number): Buffer {
  const flush = { finishFlush: zlibConstants.Z_SYNC_FLUSH, level: 9 };
  const piece = deflateRawSync(SPACES, flush);
  return Buffer.concat([deflateRawSync(head, flush), ...Array.from({ length: mb }, () => piece), deflateRawSync(Buffer.alloc(0))]);
}

function adler32Spaces(head: Buffer, mb: number): number {
  const M = 65521n;
  let a = 1n;
  let b = 0n;
  for (const byte of head) { a = (a + BigInt(byte)) % M; b = (b + a) % M; }
  // n equal bytes c at once: a += n·c; b += n·a + c·n(n+1)/2.
  const n = BigInt(mb * MIB);
  const c = 0x20n;
  b = (b + n * a + c * n * (n + 1n) / 2n) % M;
  a = (a + n * c) % M;
  return Number((b << 16n) | a) >>> 0;
}

/** zlib stream of `mb` MiB of spaces (what /FlateDecode expects). */
function zlibOfSpaces(head: Buffer, mb: number): Buffer {
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler32Spaces(head, mb));
  return Buffer.concat([Buffer.from([0x78, 0xda]), rawDeflateOfSpaces(head, mb), trailer]);
}

/**
 * A PDF whose object stream inflates to `mb` MiB. `doubleDeflate`: filtered twice (/FlateDecode /FlateDecode),
 * which the pre-scan leaves to the library, so the inflate budget must stop it.
 */
export function objectStreamBombPdf(mb: number, doubleDeflate = false): Buffer {
  // The page tree lives in the stream: opening the document must inflate it.
  const inner = zlibOfSpaces(Buffer.from('2 0 ', 'latin1'), mb);
  const data = doubleDeflate ? deflateSync(inner, { level: 9 }) : inner;
  const filter = doubleDeflate ? '[/FlateDecode /FlateDecode]' : '/FlateDecode';
  return xrefStreamPdf(['<< /Type /Catalog /Pages 2 0 R >>', null, PAGES[1]!],
    [{ objectNumber: 2, dict: `/Type /ObjStm /N 1 /First 4 /Filter ${filter}`, data, index: 0 }]);
}

/**
 * A PDF with a cross-reference stream: `plain` objects 1..n (null: a number left to a compressed object), then for each compressed object its object stream
 * (numbered after the compressed objects).
 */
function xrefStreamPdf(plain: Array<string | null>, compressed: Array<{ objectNumber: number; dict: string; data: Buffer; index: number }>): Buffer {
  const parts: Buffer[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let length = parts[0]!.length;
  const entries = new Map<number, [number, number, number]>();
  const add = (n: number, body: Buffer): void => {
    entries.set(n, [1, length, 0]);
    const chunk = Buffer.concat([latin1(`${n} 0 obj\n`), body, latin1('\nendobj\n')]);
    parts.push(chunk);
    length += chunk.length;
  };
  plain.forEach((b, i) => { if (b !== null) add(i + 1, latin1(b)); });
  let next = plain.length + compressed.length + 1;
  for (const c of compressed) {
    const streamNumber = next++;
    add(streamNumber, stream(c.dict, c.data));
    entries.set(c.objectNumber, [2, streamNumber, c.index]);
  }
  const xrefNumber = next++;
  const size = xrefNumber + 1;
  const rows: Buffer[] = [];
  for (let n = 0; n < size; n++) {
    const [t, f2, f3] = n === xrefNumber ? [1, length, 0] : entries.get(n) ?? [0, 0, n === 0 ? 65535 : 0];
    const row = Buffer.alloc(1 + 4 + 2);
    row.writeUInt8(t, 0); row.writeUInt32BE(f2, 1); row.writeUInt16BE(f3 & 0xffff, 5);
    rows.push(row);
  }
  const xrefData = deflateSync(Buffer.concat(rows));
  const xrefAt = length;
  parts.push(Buffer.concat([latin1(`${xrefNumber} 0 obj\n`), stream(`/Type /XRef /Size ${size} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode`, xrefData), latin1('\nendobj\n')]));
  parts.push(latin1(`startxref\n${xrefAt}\n%%EOF\n`));
  return Buffer.concat(parts);
}

// ---- Office packages ----

export interface RawZipEntry { name: string; compressed: Buffer; size: number; crc: number }

/** A deflated entry from content (small content only). */
export function zipEntry(name: string, content: Buffer | string): RawZipEntry {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { name, compressed: deflateRawSync(data, { level: 9 }), size: data.length, crc: crc32(data) };
}

/** An entry of `mb` MiB of spaces after `head`, built without holding it inflated. */
export function bombEntry(name: string, mb: number, head = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'): RawZipEntry {
  const h = Buffer.from(head, 'utf8');
  let crc = crc32(h);
  for (let i = 0; i < mb; i++) crc = crc32(SPACES, crc);
  return { name, compressed: rawDeflateOfSpaces(h, mb), size: h.length + mb * MIB, crc };
}

/** A ZIP of entries as given (stored sizes and CRCs taken as given: a bomb may lie). */
export function rawZip(entries: RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30 + name.length);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 6); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.crc >>> 0, 14); local.writeUInt32LE(e.compressed.length, 18); local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26); name.copy(local, 30);
    const central = Buffer.alloc(46 + name.length);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(0, 8);
    central.writeUInt16LE(8, 10); central.writeUInt32LE(e.crc >>> 0, 16); central.writeUInt32LE(e.compressed.length, 20);
    central.writeUInt32LE(e.size, 24); central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42); name.copy(central, 46);
    locals.push(local, e.compressed);
    centrals.push(central);
    offset += local.length + e.compressed.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0); eocd.writeUInt16LE(entries.length, 8); eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12); eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const RELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';
const DOC = '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>';

/** The audit's DOCX: `[Content_Types].xml` unpacks to `mb` MiB (255 in the audit; less suffices past the budget). */
export function bigPartDocx(mb = 255): Buffer {
  return rawZip([bombEntry('[Content_Types].xml', mb), zipEntry('_rels/.rels', RELS), zipEntry('word/document.xml', DOC)]);
}

/** Many parts each under the per-part cap, together far past the package budget. */
export function manyPartsDocx(parts = 40, mb = 60): Buffer {
  const one = bombEntry('x', mb, '');
  const ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/></Types>';
  const entries = [zipEntry('[Content_Types].xml', ct), zipEntry('_rels/.rels', RELS), zipEntry('word/document.xml', DOC)];
  for (let i = 0; i < parts; i++) entries.push({ ...one, name: `word/media/blob${i}.xml` });
  // Every part is an image of the document (a relationship type Office signs), so signing digests them all.
  const rels = Array.from({ length: parts }, (_, i) => `<Relationship Id="rIdB${i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/blob${i}.xml"/>`).join('');
  entries.push(zipEntry('word/_rels/document.xml.rels', `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>`));
  return rawZip(entries);
}

/** `[Content_Types].xml` nesting `depth` elements (a million in the audit: 12 KB deflated). */
export function deepNestingDocx(depth = 1_000_000): Buffer {
  const xml = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</Types>`;
  return rawZip([zipEntry('[Content_Types].xml', xml), zipEntry('_rels/.rels', RELS), zipEntry('word/document.xml', DOC)]);
}
