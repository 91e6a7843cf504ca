/**
 * Vietnamese application forms for keyword placement (issue 17 item 3), made by real producers: LibreOffice
 * (an HTML form, and a DOCX written by pandoc) and Chromium (HTML printed to PDF). Each puts "CÁ NHÂN LÀM ĐƠN"
 * where the nearest free room for a signature is below it, right of it or above it. Cached by content hash
 * under tests/.cache/appearance: soffice and Chromium are slow.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium } from '../ui/ui-host.js';
import { cachePath, sh } from './documents.js';

export const KEYWORD = 'CÁ NHÂN LÀM ĐƠN';

export interface KeywordForm {
  name: string;
  producer: 'libreoffice' | 'pandoc+libreoffice' | 'chromium';
  file: string;
  /** Where the nearest free room is, asked for `below`. */
  side: 'below' | 'right' | 'above';
}

const HEAD = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
body { font-family: 'DejaVu Serif'; font-size: 12pt; }
.c { text-align: center; }
.sign { margin-left: 50%; text-align: center; }
</style></head><body>
<p class="c"><b>CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br/>Độc lập - Tự do - Hạnh phúc</p>`;

/** The case: the hint line "(Ký, ghi rõ họ và tên)" is printed right under the keyword. */
const LO_HTML = `${HEAD}
<p class="c"><b>ĐƠN ĐỀ NGHỊ CẤP BẢN SAO GIẤY KHAI SINH</b></p>
<p>Kính gửi: Uỷ ban nhân dân phường Hoàn Kiếm, Thành phố Hà Nội.</p>
<p>Họ và tên người yêu cầu: Nguyễn Thị Ánh Tuyết. Số định danh cá nhân: 001190012345.</p>
<p>Tôi xin cam đoan những lời khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật về lời khai của mình.</p>
<p class="sign">Hà Nội, ngày 15 tháng 3 năm 2025<br/><b>${KEYWORD}</b><br/><i>(Ký, ghi rõ họ và tên)</i></p>
</body></html>`;

/** pandoc's own DOCX: the hint, then a dotted signature line (text too) under the keyword. */
const PANDOC_MD = `**CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM**

**TỜ KHAI ĐĂNG KÝ THƯỜNG TRÚ**

Kính gửi: Công an phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh.

Họ và tên: Trần Văn Bình. Ngày sinh: 02/09/1985. Nơi thường trú: 12 đường Lê Lợi.

Tôi cam đoan những nội dung khai trên đây là đúng sự thật.

**${KEYWORD}**

*(Ký, ghi rõ họ và tên)*

\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.\\.
`;

/** Absolutely placed blocks (points from the page's top-left) printed by Chromium on A4 without margins. */
function chromiumPage(blocks: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 0; }
body { margin: 0; font-family: 'DejaVu Serif'; font-size: 11pt; line-height: 14pt; }
div { position: absolute; white-space: nowrap; }
</style></head><body>${blocks}</body></html>`;
}

const lines = (x: number, from: number, to: number, width: number): string => {
  const out: string[] = [];
  for (let y = from; y + 14 <= to; y += 14) {
    out.push(`<div style="left:${x}pt;top:${y}pt;width:${width}pt;overflow:hidden">Tôi xin cam đoan những thông tin kê khai trong tờ khai này là đúng sự thật, nếu sai tôi xin chịu trách nhiệm.</div>`);
  }
  return out.join('\n');
};

/** Text fills the column under the keyword to the foot of the page; the right of it is empty. */
const CHROMIUM_RIGHT = chromiumPage(`
<div style="left:60pt;top:60pt"><b>ĐƠN ĐỀ NGHỊ ĐĂNG KÝ KẾT HÔN</b></div>
<div style="left:60pt;top:90pt">Kính gửi: Uỷ ban nhân dân xã Tân Lập, huyện Đan Phượng.</div>
<div style="left:60pt;top:600pt"><b>${KEYWORD}</b></div>
${lines(40, 618, 840, 300)}`);

/** Text under the keyword to the foot of the page and on its own line to the right margin; room above it. */
const CHROMIUM_ABOVE = chromiumPage(`
<div style="left:60pt;top:60pt"><b>ĐƠN ĐỀ NGHỊ CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN</b></div>
<div style="left:60pt;top:90pt">Kính gửi: Uỷ ban nhân dân phường Bến Nghé, Quận 1.</div>
<div style="left:60pt;top:700pt"><b>${KEYWORD}</b></div>
<div style="left:200pt;top:700pt">ngày 15 tháng 3 năm 2025, tại Uỷ ban nhân dân phường Bến Nghé</div>
${lines(40, 718, 840, 515)}`);

/** A drawn signature rule under the keyword (not text), a bordered box and a white page background (drawn, printBackground). */
const CHROMIUM_RULE = chromiumPage(`
<style>body { background: #fff; }</style>
<div style="left:60pt;top:60pt"><b>PHIẾU ĐỀ NGHỊ CẤP PHIẾU LÝ LỊCH TƯ PHÁP</b></div>
<div style="left:60pt;top:90pt;width:475pt;height:80pt;border:0.75pt solid #000"></div>
<div style="left:70pt;top:100pt">Họ và tên: Lê Thị Hồng Nhung. Ngày sinh: 20/11/1992.</div>
<div style="left:330pt;top:400pt"><b>${KEYWORD}</b></div>
<div style="left:330pt;top:440pt;width:180pt;border-top:1pt solid #000"></div>`);

function libreoffice(source: string | Uint8Array, name: string, args: string[], out: string): void {
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-soffice-'));
  try {
    const input = path.join(work, name);
    writeFileSync(input, source);
    // A private profile: parallel or earlier soffice instances do not block this one.
    sh('soffice', [`-env:UserInstallation=file://${work}/profile`, '--headless', ...args, '--outdir', work, input]);
    writeFileSync(out, readFileSync(path.join(work, name.replace(/\.\w+$/, '.pdf'))));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function pandocDocx(markdown: string, docx: string): void {
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-pandoc-'));
  try {
    writeFileSync(path.join(work, 'form.md'), markdown);
    sh('pandoc', ['-f', 'markdown', '-t', 'docx', '-o', docx, path.join(work, 'form.md')]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Makes the forms that are not cached yet (one Chromium for all of its pages) and lists them all. */
export async function keywordForms(): Promise<KeywordForm[]> {
  const forms: Array<Omit<KeywordForm, 'file'> & { recipe: string; make: (out: string) => void | Promise<void> }> = [
    {
      name: 'don-lo-html', producer: 'libreoffice', side: 'below', recipe: `${LO_HTML}writer`,
      // Writer's own HTML import: Writer/Web's export drops this form's first line onto an empty first page.
      make: (out) => libreoffice(LO_HTML, 'form.html', ['--infilter=HTML (StarWriter)', '--convert-to', 'pdf:writer_pdf_Export'], out),
    },
    {
      name: 'to-khai-pandoc-docx', producer: 'pandoc+libreoffice', side: 'below', recipe: PANDOC_MD, make: (out) => {
        const docx = `${out}.docx`;
        pandocDocx(PANDOC_MD, docx);
        try { libreoffice(readFileSync(docx), 'form.docx', ['--convert-to', 'pdf:writer_pdf_Export'], out); } finally { rmSync(docx, { force: true }); }
      },
    },
    { name: 'don-chromium-right', producer: 'chromium', side: 'right', recipe: CHROMIUM_RIGHT, make: (out) => printChromium(CHROMIUM_RIGHT, out) },
    { name: 'phieu-chromium-rule', producer: 'chromium', side: 'below', recipe: `${CHROMIUM_RULE}bg`, make: (out) => printChromium(CHROMIUM_RULE, out, true) },
    { name: 'don-chromium-above', producer: 'chromium', side: 'above', recipe: CHROMIUM_ABOVE, make: (out) => printChromium(CHROMIUM_ABOVE, out) },
  ];
  const out: KeywordForm[] = [];
  try {
    for (const { recipe, make, ...form } of forms) {
      const file = cachePath(`keyword-${form.name}`, recipe);
      if (!existsSync(file)) {
        const tmp = `${file}.${process.pid}.tmp`;
        await make(tmp);
        renameSync(tmp, file);
      }
      out.push({ ...form, file });
    }
  } finally {
    await browser?.close();
    browser = undefined;
  }
  return out;
}

let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

async function printChromium(html: string, out: string, printBackground = false): Promise<void> {
  browser ??= await launchChromium();
  const page = await browser.newPage();
  try {
    await page.setContent(html);
    writeFileSync(out, await page.pdf({ format: 'A4', printBackground, preferCSSPageSize: true }));
  } finally {
    await page.close();
  }
}
