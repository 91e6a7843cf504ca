/**
 * Multi-page Vietnamese documents for the appearance and dialog tests, made by real producers:
 * LibreOffice (HTML → PDF) and qpdf (page rotation), cached under tests/.cache/appearance by content hash.
 * The corpus (tests/fixtures/corpus) adds more producers when it has `multipage` entries.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDF, PdfArray, PdfNumber } from '@libpdf/core';
import { ARTIFACTS_DIR, CACHE_DIR, fixtures } from '../helpers/fixtures.js';

const DIR = path.join(CACHE_DIR, 'appearance');
export const APPEARANCE_ARTIFACTS = path.join(ARTIFACTS_DIR, 'appearance');

/** Page 2 holds the signer block; "Người làm đơn" is split across text items by a bold word. */
export const LETTER_HTML = `<!doctype html><html><head><meta charset="utf-8"><style>
body { font-family: 'DejaVu Serif'; font-size: 12pt; }
.pb { page-break-before: always; }
.c { text-align: center; }
.sign { margin-left: 55%; text-align: center; }
</style></head><body>
<p class="c"><b>CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br/>Độc lập - Tự do - Hạnh phúc</p>
<p>Số: ............/ĐN-UBND &nbsp;&nbsp;&nbsp;&nbsp; Ngày văn bản: ..................</p>
<p class="c"><b>ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG</b></p>
<p>Kính gửi: Uỷ ban nhân dân phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh.</p>
<p>Tên chủ đầu tư: Nguyễn Thị Ánh Tuyết. Địa chỉ: 12 đường Lê Lợi, phường Bến Thành.</p>
<p>Nội dung đề nghị: cấp giấy phép xây dựng nhà ở riêng lẻ, diện tích xây dựng 85 m², số tầng 4.</p>
<p class="pb">Tôi xin cam đoan làm theo đúng giấy phép được cấp, nếu sai tôi xin hoàn toàn chịu trách nhiệm
và bị xử lý theo quy định của pháp luật.</p>
<p>Hồ sơ kèm theo gồm bản vẽ thiết kế, giấy tờ về quyền sử dụng đất và các giấy tờ liên quan khác.</p>
<p class="sign">TP. Hồ Chí Minh, ngày 15 tháng 3 năm 2025<br/><b>Người <i>làm</i> đơn</b><br/>(Ký, ghi rõ họ tên)</p>
<p class="pb">Trang 3: phụ lục. Danh mục hồ sơ nộp kèm theo đơn đề nghị.</p>
<p>1. Bản sao giấy chứng nhận quyền sử dụng đất.</p>
<p>2. Hai bộ bản vẽ thiết kế xây dựng.</p>
</body></html>`;

export function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? ''}${r.stdout}${r.stderr}`);
}

/** Where a document made from `recipe` is cached: the name and a hash of the recipe, so a changed recipe remakes it. */
export function cachePath(name: string, recipe: string): string {
  mkdirSync(DIR, { recursive: true });
  const hash = createHash('sha256').update(recipe).digest('hex').slice(0, 12);
  return path.join(DIR, `${name}-${hash}.pdf`);
}

function cached(name: string, recipe: string, make: (out: string) => void): string {
  const file = cachePath(name, recipe);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    make(tmp);
    renameSync(tmp, file);
  }
  return file;
}

/** A three-page A4 letter from LibreOffice (Writer/Web HTML import). */
export function letterPdf(): string {
  return cached('letter', LETTER_HTML, (out) => convertLetter(out, ['--convert-to', 'pdf:writer_web_pdf_Export']));
}

/** LETTER_HTML converted by soffice with `args` (before the input), written to `out`. */
function convertLetter(out: string, args: string[]): void {
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-soffice-'));
  try {
    writeFileSync(path.join(work, 'letter.html'), LETTER_HTML);
    // A private profile: parallel or earlier soffice instances do not block this one.
    sh('soffice', [`-env:UserInstallation=file://${work}/profile`, '--headless', ...args, '--outdir', work, path.join(work, 'letter.html')]);
    writeFileSync(out, readFileSync(path.join(work, 'letter.pdf')));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The letter as LibreOffice's PDF/A export writes it (writer_pdf_Export, SelectPdfVersion 1 = PDF/A-1 — 7.4 writes
 * level A, tagged — or 2 = PDF/A-2b): an XMP pdfaid declaration and an sRGB output intent. Imported by Writer
 * (not Writer/Web, whose export has no PDF/A option), so the layout differs a little from letterPdf().
 */
export function pdfaLetterPdf(part: 1 | 2): string {
  const filter = `pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"${part}"}}`;
  return cached(`letter-pdfa${part}`, `${LETTER_HTML}${filter}`, (out) => convertLetter(out, ['--infilter=HTML (StarWriter)', '--convert-to', filter]));
}

/** The letter with page 2 turned by /Rotate 90 (qpdf), as a scanner or a viewer's "rotate and save" leaves it. */
export function rotatedLetterPdf(rotation: 90 | 180 | 270 = 90): string {
  const source = letterPdf();
  return cached(`letter-rot${rotation}`, `${LETTER_HTML}rot${rotation}`, (out) => sh('qpdf', [`--rotate=+${rotation}:2`, source, out]));
}

/** The letter rewritten by qpdf with object streams, a cross-reference stream and linearization. */
export function compressedLetterPdf(): string {
  const source = letterPdf();
  return cached('letter-objstm-lin', `${LETTER_HTML}objstm-lin`, (out) => sh('qpdf', ['--object-streams=generate', '--linearize', source, out]));
}

/** The letter with a CropBox on page 2 that hides a margin (its origin is not 0,0), written by @libpdf/core. */
export async function croppedLetterPdf(): Promise<string> {
  const source = letterPdf();
  const target = path.join(DIR, `letter-crop-${path.basename(source).split('-').pop()}`);
  if (!existsSync(target)) {
    const pdf = await PDF.load(new Uint8Array(readFileSync(source)));
    const page = pdf.getPage(1)!;
    page.dict.set('CropBox', new PdfArray([40, 60, 560, 800].map((n) => PdfNumber.of(n))));
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, await pdf.save());
    renameSync(tmp, target);
  }
  return target;
}

/** Multi-page files from the shared corpus, when it has them. */
export function corpusMultipage(): string[] {
  try {
    return fixtures().corpus.entries.filter((e) => e.expect === 'sign' && e.features.includes('multipage')).map((e) => e.file);
  } catch {
    return [];
  }
}

export function artifact(name: string): string {
  mkdirSync(APPEARANCE_ARTIFACTS, { recursive: true });
  return path.join(APPEARANCE_ARTIFACTS, name);
}
