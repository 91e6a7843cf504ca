/**
 * Office documents from real producers for the OOXML signing tests: the corpus the global setup builds (pandoc and
 * LibreOffice DOCX, tests/.cache/corpus/docx-manifest.json) plus documents made here: a LibreOffice DOCX with
 * headers, footers, images, a footnote, a table and hyperlinks (from a flat ODT), a pandoc DOCX and PPTX, and a
 * minimal hand-written XLSX.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { CACHE_DIR } from '../helpers/fixtures.js';
import { crc32, writeZip } from '../../src/core/ooxml/zip.js';

export interface OfficeDocument {
  name: string;
  producer: string;
  bytes: Uint8Array;
}

/** A small RGB PNG (a gradient), so no binary file is committed. */
export function makePng(width: number, height: number, seed = 0): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set([(x * 4 + seed) & 255, (y * 5) & 255, (x + y + seed * 3) & 255], y * (width * 3 + 1) + 1 + x * 3);
  }
  return new Uint8Array(Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

const OFFICE_NS = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
  + 'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
  + 'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
  + 'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
  + 'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"';

function image(png: Uint8Array, name: string, anchor = 'as-char'): string {
  return `<draw:frame draw:name="${name}" text:anchor-type="${anchor}" svg:width="4cm" svg:height="3cm"><draw:image>`
    + `<office:binary-data>${Buffer.from(png).toString('base64')}</office:binary-data></draw:image></draw:frame>`;
}

/** A flat ODT: header and footer (first page different), two images, a footnote, a table, hyperlinks. */
function fodt(link: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document ${OFFICE_NS} office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin="2cm"/>
<style:header-style/><style:footer-style/></style:page-layout></office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">
<style:header><text:p>ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM — Số: 125/TB-UBND ${image(makePng(48, 16, 7), 'logo')}</text:p></style:header>
<style:footer><text:p>Trang <text:page-number>1</text:page-number> — Nơi nhận: Như trên; Lưu: VT.</text:p></style:footer>
</style:master-page></office:master-styles>
<office:body><office:text>
<text:h text:outline-level="1">THÔNG BÁO về việc tiếp nhận hồ sơ trực tuyến</text:h>
<text:p>Căn cứ Nghị định số 45/2020/NĐ-CP của Chính phủ về thực hiện thủ tục hành chính trên môi trường điện tử<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Có hiệu lực từ ngày 22 tháng 5 năm 2020.</text:p></text:note-body></text:note>, Ủy ban nhân dân phường thông báo như sau.</text:p>
<text:p>Tra cứu tại <text:a xlink:type="simple" xlink:href="${esc(link)}">Cổng Dịch vụ công Quốc gia</text:a> hoặc <text:a xlink:type="simple" xlink:href="mailto:vanthu@hoankiem.hanoi.gov.vn">thư điện tử</text:a>.</text:p>
<text:p>${image(makePng(160, 120, 1), 'anh-chup')}</text:p>
<table:table table:name="Bang1"><table:table-column table:number-columns-repeated="3"/>
<table:table-row><table:table-cell office:value-type="string"><text:p>STT</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Thủ tục</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Thời hạn</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Chứng thực bản sao</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Trong ngày</text:p></table:table-cell></table:table-row>
</table:table>
<text:p>Hà Nội, ngày 23 tháng 11 năm 2026. TM. ỦY BAN NHÂN DÂN — CHỦ TỊCH</text:p>
</office:text></office:body></office:document>
`;
}

/**
 * A minimal XLSX written here (this machine's LibreOffice has Writer only): workbook, one sheet with shared strings,
 * styles, document properties — enough to sign a spreadsheet's relationship types.
 */
export function makeXlsx(): OfficeDocument {
  const x = (s: string): Uint8Array => new Uint8Array(Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n${s}`, 'utf8'));
  const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const rel = (id: string, type: string, target: string): string => `<Relationship Id="${id}" Type="${type}" Target="${target}"/>`;
  const parts: [string, Uint8Array][] = [
    ['[Content_Types].xml', x('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
      + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
      + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
      + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')],
    ['_rels/.rels', x(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\n  ${rel('rId1', `${R}/officeDocument`, 'xl/workbook.xml')}\n  ${rel('rId2', 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties', 'docProps/core.xml')}\n</Relationships>`)],
    ['docProps/core.xml', x('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Danh sách hồ sơ</dc:title></cp:coreProperties>')],
    ['xl/workbook.xml', x(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${R}"><sheets><sheet name="Hồ sơ" sheetId="1" r:id="rId1"/></sheets></workbook>`)],
    ['xl/_rels/workbook.xml.rels', x(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rel('rId1', `${R}/worksheet`, 'worksheets/sheet1.xml')}${rel('rId2', `${R}/sharedStrings`, 'sharedStrings.xml')}${rel('rId3', `${R}/styles`, 'styles.xml')}</Relationships>`)],
    ['xl/worksheets/sheet1.xml', x('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>2</v></c></row></sheetData></worksheet>')],
    ['xl/sharedStrings.xml', x('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>STT</t></si><si><t>Họ và tên</t></si><si><t>Nguyễn Thị Ánh Tuyết</t></si></sst>')],
    ['xl/styles.xml', x('<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellXfs count="1"><xf/></cellXfs></styleSheet>')],
  ];
  return { name: 'danh-sach.xlsx', producer: 'hand-written minimal SpreadsheetML', bytes: writeZip(undefined, parts.map(([name, data]) => ({ name, data, time: new Date('2026-11-20T08:00:00Z') }))) };
}

/** What a tool's output depends on besides its input: the program PATH finds (its real path, size and date). */
function toolBuild(command: string, binary = command): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const launcher = path.join(dir, command);
    if (!existsSync(launcher)) continue;
    const real = realpathSync(launcher);
    const bin = path.join(path.dirname(real), binary);
    const st = statSync(existsSync(bin) ? bin : real);
    return `${real}:${st.size}:${st.mtimeMs}`;
  }
  return 'none';
}

/**
 * A document a tool makes from `input` into outDir, kept under tests/.cache/ooxml keyed by the input's bytes, the
 * arguments and the tool's build: a LibreOffice start with a fresh profile costs several CPU-seconds, and pandoc
 * stamps the time into what it writes (so a .doc LibreOffice makes from it would never be found again). Later runs
 * and other test files take the tool's own earlier output from there.
 */
function cachedOutput(outDir: string, input: string, key: string, make: () => string): string {
  const cacheDir = path.join(CACHE_DIR, 'ooxml');
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const id = createHash('sha256').update(`${key}\0`).update(readFileSync(input)).digest('hex').slice(0, 16);
  const hit = readdirSync(cacheDir).find((f) => f.startsWith(`${id}-`) && !f.endsWith('.tmp'));
  if (hit) {
    const out = path.join(outDir, hit.slice(id.length + 1));
    copyFileSync(path.join(cacheDir, hit), out);
    return out;
  }
  const made = make();
  // Whole or not at all: written aside, then renamed (another test file may be making the same one).
  const cached = path.join(cacheDir, `${id}-${path.basename(made)}`);
  const tmp = `${cached}.${process.pid}.tmp`;
  copyFileSync(made, tmp);
  renameSync(tmp, cached);
  return made;
}

/** `soffice --convert-to FILTER INPUT` into outDir (cached, see cachedOutput); the path of what it made. */
function soffice(outDir: string, filter: string, input: string): string {
  return cachedOutput(outDir, input, `soffice\0${filter}\0${toolBuild('soffice', 'soffice.bin')}`, () => {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'kyso-lo-profile-'));
    try {
      execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--convert-to', filter, '--outdir', outDir, input],
        { stdio: 'pipe', timeout: 120_000 });
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    const base = path.basename(input).replace(/\.[^.]+$/, '');
    const out = readdirSync(outDir).find((f) => f.startsWith(`${base}.`) && f !== path.basename(input));
    if (!out) throw new Error(`soffice made nothing from ${input}`);
    return path.join(outDir, out);
  });
}

/** The documents LibreOffice makes here (a few seconds; this machine's LibreOffice has Writer only). */
export function makeLibreOfficeDocuments(): OfficeDocument[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-ooxml-docs-'));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const docx = soffice(path.join(dir, 'docx'), 'docx:MS Word 2007 XML',
    write('thong-bao-nhieu-phan.fodt', fodt('https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=000.00.17.H26')));
  return [{ name: 'thong-bao-nhieu-phan.docx', producer: 'libreoffice (headers, footers, images, footnote, table, hyperlinks)', bytes: new Uint8Array(readFileSync(docx)) }];
}

/**
 * The same LibreOffice DOCX with a hyperlink whose URL has an '&' (`Target="…&amp;loai=1"` in the relationships):
 * LibreOffice 7.4's libxmlsec (1.2.37) writes relationship attributes unescaped in the RelationshipTransform, so it
 * cannot verify any signature over such a relationship, its own included.
 */
export function makeAmpersandLinkDocument(): OfficeDocument {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-ooxml-amp-'));
  const src = path.join(dir, 'lien-ket.fodt');
  writeFileSync(src, fodt('https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=000.00.17.H26&loai=1'));
  const docx = soffice(path.join(dir, 'docx'), 'docx:MS Word 2007 XML', src);
  return { name: 'lien-ket.docx', producer: 'libreoffice (hyperlink with &)', bytes: new Uint8Array(readFileSync(docx)) };
}

/** DOCX files of the shared corpus (pandoc, LibreOffice), when the global setup made them. */
export function corpusDocuments(): OfficeDocument[] {
  const manifest = path.join(CACHE_DIR, 'corpus', 'docx-manifest.json');
  if (!existsSync(manifest)) return [];
  const { entries } = JSON.parse(readFileSync(manifest, 'utf8')) as { entries: { file: string; producer: string }[] };
  return entries.map((e) => ({ name: path.basename(e.file), producer: e.producer, bytes: new Uint8Array(readFileSync(path.join(CACHE_DIR, 'corpus', e.file))) }));
}

/** pandoc documents made here: a DOCX (for when the corpus has none) and a PPTX. */
export function makePandocDocuments(): OfficeDocument[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-pandoc-'));
  const md = path.join(dir, 'to-trinh.md');
  writeFileSync(md, '# TỜ TRÌNH\n\nKính gửi: **Ủy ban nhân dân quận**.\n\n| STT | Nội dung |\n|---|---|\n| 1 | Cấp giấy phép xây dựng[^1] |\n\n[^1]: Theo Luật Xây dựng.\n\n# Kết quả\n\n- Đã tiếp nhận: 12 hồ sơ\n- Đã trả kết quả: 10 hồ sơ\n');
  return (['docx', 'pptx'] as const).map((ext) => {
    const out = cachedOutput(path.join(dir, ext), md, `pandoc\0${ext}\0${toolBuild('pandoc')}`, () => {
      const file = path.join(dir, ext, `to-trinh.${ext}`);
      execFileSync('pandoc', ['--from', 'markdown', '--to', ext, '-o', file, md], { stdio: 'pipe' });
      return file;
    });
    return { name: `to-trinh-pandoc.${ext}`, producer: 'pandoc', bytes: new Uint8Array(readFileSync(out)) };
  });
}

/**
 * A minimal valid OLE compound file (CFB v3) with empty streams of these names. A password-protected DOCX is such a
 * file holding `EncryptionInfo` and `EncryptedPackage` ([MS-OFFCRYPTO] 2.3.4); LibreOffice 7.4 cannot write one
 * from a script, so the tests build the container and check that the format is recognised.
 */
export function makeCompoundFile(streams: readonly string[]): Uint8Array {
  const END = 0xfffffffe;
  const FREE = 0xffffffff;
  const NONE = 0xffffffff;
  const header = Buffer.alloc(512);
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(header, 0);
  header.writeUInt16LE(0x003e, 24);
  header.writeUInt16LE(0x0003, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30); // 512-byte sectors
  header.writeUInt16LE(6, 32); // 64-byte mini sectors
  header.writeUInt32LE(1, 44); // one FAT sector
  header.writeUInt32LE(1, 48); // directory at sector 1
  header.writeUInt32LE(0x1000, 56);
  header.writeUInt32LE(END, 60); // no mini FAT
  header.writeUInt32LE(END, 68); // no DIFAT sectors
  header.writeUInt32LE(0, 76); // DIFAT[0]: the FAT is sector 0
  for (let i = 1; i < 109; i++) header.writeUInt32LE(FREE, 76 + i * 4);
  const fat = Buffer.alloc(512, 0xff);
  fat.writeUInt32LE(0xfffffffd, 0);
  fat.writeUInt32LE(END, 4);
  const dir = Buffer.alloc(512);
  const entry = (i: number, name: string, type: number, right: number, child: number): void => {
    const at = i * 128;
    const n = Buffer.from(`${name}\u0000`, 'utf16le');
    n.copy(dir, at);
    dir.writeUInt16LE(n.length, at + 64);
    dir[at + 66] = type;
    dir[at + 67] = 1; // black
    dir.writeUInt32LE(NONE, at + 68);
    dir.writeUInt32LE(right, at + 72);
    dir.writeUInt32LE(child, at + 76);
    dir.writeUInt32LE(END, at + 116);
  };
  if (streams.length > 3) throw new Error('one directory sector holds the root and three streams');
  entry(0, 'Root Entry', 5, NONE, streams.length ? 1 : NONE);
  streams.forEach((s, i) => entry(i + 1, s, 2, i + 2 <= streams.length ? i + 2 : NONE, NONE));
  return new Uint8Array(Buffer.concat([header, fat, dir]));
}

/** A legacy Word 97 .doc saved by LibreOffice from the pandoc DOCX. */
export function makeLegacyDoc(docx: Uint8Array): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-ooxml-doc-'));
  const src = path.join(dir, 'cu.docx');
  writeFileSync(src, docx);
  return new Uint8Array(readFileSync(soffice(path.join(dir, 'out'), 'doc:MS Word 97', src)));
}
