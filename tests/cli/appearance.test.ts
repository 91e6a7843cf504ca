/**
 * `kyso sign`'s appearance flags and `--appearance-preset`, as a user runs them: real process, SoftHSM token,
 * readers we did not write (pdftotext for what is drawn, pdfsig for the signing time and validity).
 * The child runs in New York time: what is shown must still be Vietnam time, and the same instant as /M.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, pdftotext } from '../helpers/tools.js';
import { kyso, mod, writePdf, WRONG_PIN } from './cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-appearance-'));
const rsa = (): string[] => ['--cert', certificateId('rsa').slice(0, 16)];
const ELSEWHERE = { TZ: 'America/New_York', LC_ALL: 'C' };
let made = 0;

/** `kyso sign IN -o OUT ARGS` with the right PIN, in another time zone; the signed file's path. */
async function signed(args: string[], inputText = 'So:'): Promise<string> {
  const input = await writePdf(path.join(dir, `in-${++made}.pdf`), inputText);
  const out = path.join(dir, `out-${made}.pdf`);
  const r = kyso(['sign', input, '-o', out, ...mod(), ...rsa(), '--pin-stdin', ...args], `${fixtures().softhsm.pin}\n`, ELSEWHERE);
  expect(r.status, r.stderr).toBe(0);
  const sig = pdfsig(out).signatures;
  expect(sig).toHaveLength(1);
  expect(sig[0]!.valid && sig[0]!.trusted && sig[0]!.totalDocumentSigned, JSON.stringify(sig[0])).toBe(true);
  return out;
}

/** The lines pdftotext reads (NFC, as a person would type them to search). */
const lines = (file: string): string[] => pdftotext(file).normalize('NFC').split('\n').map((l) => l.trim()).filter(Boolean);

/** The instant of "Thời gian ký: dd/MM/yyyy HH:mm:ss (GMT+7…)" read as Vietnam time (UTC+7). */
function shownTime(text: string[]): Date {
  const line = text.find((l) => l.startsWith('Thời gian ký: ')) ?? '';
  const m = /^Thời gian ký: (\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d) \(GMT\+7/.exec(line);
  expect(m, `time line: ${line}`).not.toBeNull();
  const [d, mo, y, h, mi, s] = m!.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h - 7, mi, s));
}

/** /M of the (only) signature dictionary, as written: a PDF text string, literal or hex. */
function writtenM(file: string): string {
  const bytes = readFileSync(file).toString('latin1');
  const m = /\/M\s*(?:<([0-9A-Fa-f]+)>|\(([^)]*)\))/.exec(bytes.slice(bytes.indexOf('/Type /Sig')));
  expect(m).not.toBeNull();
  return m![1] ? Buffer.from(m![1], 'hex').toString('latin1') : m![2]!;
}

/** pdfsig's "Signing Time" (it prints the /M instant in the local zone: UTC here). */
function pdfsigTime(file: string): Date {
  const r = spawnSync('pdfsig', ['-nssdir', fixtures().pki.nssdb, file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
  const m = /Signing Time: (\w{3}) (\d\d) (\d{4}) (\d\d):(\d\d):(\d\d)/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m![1]!);
  const [d, y, h, mi, s] = m!.slice(2).map(Number) as [number, number, number, number, number];
  return new Date(Date.UTC(y, month, d, h, mi, s));
}

describe('kyso sign: every appearance field from the command line', () => {
  it('draws email, unit, title, contact, free text and the document number and date, Vietnamese intact', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const out = await signed([
      '--rect', '300,60,585,230', '--reason', 'Phê duyệt hồ sơ', '--location', 'Hà Nội',
      '--contact', 'Điện thoại 0912 345 678', '--show', 'email,unit,title,contact', '--text', 'Đã xem xét', '--text', 'Bản chính',
      '--document-number', 'Số: 123/QĐ-UBND', '--document-number-at', 'So:',
      '--document-date', 'Hà Nội, ngày 02 tháng 12 năm 2026', '--document-date-at', '50,700,400,720@1',
    ]);
    const after = Date.now();
    const text = lines(out);
    for (const line of [
      'Ký bởi: NGUYỄN THỊ ÁNH TUYẾT', 'Email: tuyet.nguyen@example.vn', 'Đơn vị: Phòng Hành chính',
      'Cơ quan: Sở Tư pháp Thành phố Hà Nội', 'Chức vụ: Chuyên viên', 'Lý do: Phê duyệt hồ sơ', 'Nơi ký: Hà Nội',
      'Liên hệ: Điện thoại 0912 345 678', 'Đã xem xét', 'Bản chính', 'Hà Nội, ngày 02 tháng 12 năm 2026',
    ]) expect(text, line).toContain(line);
    expect(pdftotext(out).normalize('NFC')).toContain('123/QĐ-UBND');
    // Shown (Vietnam time, zone stated), written (/M) and read by pdfsig: one instant, whatever the machine's zone.
    const shown = shownTime(text);
    expect(text.find((l) => l.startsWith('Thời gian ký: '))).toMatch(/ \(GMT\+7\)$/);
    expect(shown.getTime()).toBeGreaterThanOrEqual(before);
    expect(shown.getTime()).toBeLessThanOrEqual(after);
    const m = writtenM(out);
    const v = new Date(shown.getTime() + 7 * 3600_000);
    const digits = `${v.getUTCFullYear()}${[v.getUTCMonth() + 1, v.getUTCDate(), v.getUTCHours(), v.getUTCMinutes(), v.getUTCSeconds()].map((n) => String(n).padStart(2, '0')).join('')}`;
    expect(m).toBe(`D:${digits}+07'00'`);
    expect(pdfsigTime(out).getTime()).toBe(shown.getTime());
  });

  it('--hide, --labels en, --upper-case: fewer lines, English labels, capital values', async () => {
    const out = await signed(['--rect', '300,60,585,200', '--reason', 'Đồng ý', '--hide', 'organization,reason', '--show', 'title', '--labels', 'en', '--upper-case']);
    const text = lines(out);
    expect(text).toContain('Signed by: NGUYỄN THỊ ÁNH TUYẾT');
    expect(text).toContain('Title: CHUYÊN VIÊN');
    expect(text.join('\n')).not.toMatch(/Organization|Reason|Cơ quan|Ký bởi/);
    expect(text.find((l) => l.startsWith('Signing time: '))).toMatch(/^Signing time: \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d \(GMT\+7\)$/);
  });

  it('a line the certificate cannot fill: a warning before the signature, and the line left out', async () => {
    const input = await writePdf(path.join(dir, `in-${++made}.pdf`));
    const out = path.join(dir, `out-${made}.pdf`);
    const r = kyso(['sign', input, '-o', out, ...mod(), '--cert', certificateId('ec256').slice(0, 16), '--pin-stdin', '--rect', '300,60,585,200', '--show', 'email,title'], `${fixtures().softhsm.pin}\n`, ELSEWHERE);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('cảnh báo / warning: Chứng thư số không có email');
    expect(r.stderr).toContain('The certificate has no title');
    expect(r.stderr.indexOf('cảnh báo')).toBeLessThan(r.stderr.indexOf('đã ký'));
    const text = lines(out);
    expect(text).toContain('Ký bởi: TRẦN VĂN ĐỨC');
    expect(text.join('\n')).not.toMatch(/Email|Chức vụ/);
  });

  it('kyso sign --help lists them under "Hình thức chữ ký / Appearance"', () => {
    const help = kyso(['sign', '--help']).stdout;
    const group = help.slice(help.indexOf('Hình thức chữ ký / Appearance'));
    expect(help).toContain('Hình thức chữ ký / Appearance');
    for (const flag of ['--appearance-preset <file>', '--image <file>', '--show <lines>', '--hide <lines>', '--text <line>', '--font-size <pt>',
      '--bold', '--border', '--labels <language>', '--document-number <text>', '--document-number-at <where>', '--document-date <text>', '--document-date-at <where>']) {
      expect(group, flag).toContain(flag);
    }
  });
});

describe('kyso sign --appearance-preset: an office house style', () => {
  const preset = (name: string, content: unknown): string => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const HOUSE = { show: { email: true, organization: false, reason: false }, text: 'SỞ TƯ PHÁP — BẢN ĐIỆN TỬ', border: true, language: 'vi' };

  it('draws the preset; a flag overrides it, the rest of the preset stays', async () => {
    const file = preset('house.json', HOUSE);
    const text = lines(await signed(['--rect', '300,60,585,200', '--reason', 'Phê duyệt', '--appearance-preset', file]));
    expect(text).toContain('Email: tuyet.nguyen@example.vn');
    expect(text).toContain('SỞ TƯ PHÁP — BẢN ĐIỆN TỬ');
    expect(text.join('\n')).not.toMatch(/Cơ quan|Lý do/);
    const over = lines(await signed(['--rect', '300,60,585,200', '--reason', 'Phê duyệt', '--appearance-preset', file, '--hide', 'email', '--show', 'reason', '--text', 'Bản sao']));
    expect(over).toContain('Lý do: Phê duyệt');
    expect(over).toContain('Bản sao');
    expect(over.join('\n')).not.toMatch(/Email|SỞ TƯ PHÁP|Cơ quan/);
  });

  // One process per case, each with its own time bound: a loaded machine starts node slowly.
  const presetInput = writePdf(path.join(dir, 'preset-bad-in.pdf'));
  /** `kyso sign` with `--appearance-preset file` and a wrong PIN: must fail with `code`, the PIN never asked, nothing written. */
  async function refusedPreset(file: string, code: string): Promise<string> {
    const out = path.join(dir, `refused-${path.basename(file)}.pdf`);
    const r = kyso(['sign', await presetInput, '-o', out, ...mod(), ...rsa(), '--pin-stdin', '--rect', '300,60,585,200', '--appearance-preset', file], WRONG_PIN);
    expect(r.stderr, r.stderr).toContain(`kyso: ${code}:`);
    expect(r.stderr).not.toContain('PIN_INCORRECT');
    expect(r.status).toBe(1);
    expect(existsSync(out)).toBe(false);
    return r.stderr;
  }

  it('a misspelt field: APPEARANCE_PRESET_INVALID in both languages, naming it, before any PIN', async () => {
    const err = await refusedPreset(preset('typo.json', { show: { emial: true } }), 'APPEARANCE_PRESET_INVALID');
    expect(err).toContain('Tệp mẫu hình thức chữ ký');
    expect(err).toContain('appearance preset');
    expect(err).toMatch(/typo\.json: show.*emial/);
  });

  it.each([
    ['size.json', { fontSize: 'big' }, 'fontSize'],
    ['stamp.json', { documentNumber: { text: 'Số: 1' } }, 'documentNumber.placement'],
    ['broken.json', '{"show": {', 'not UTF-8 JSON'],
  ])('%s: APPEARANCE_PRESET_INVALID naming what is wrong', async (name, content, fragment) => {
    expect(await refusedPreset(preset(name, content), 'APPEARANCE_PRESET_INVALID')).toContain(fragment);
  });

  it('an image in the preset that does not decode is stopped by the rehearsal, before the PIN too', async () => {
    expect(await refusedPreset(preset('image.json', { image: Buffer.from('GIF89a').toString('base64') }), 'BAD_REQUEST')).toContain('PNG or JPEG');
  });
});

describe('kyso sign: appearance flags that make no sense are refused before the PIN', () => {
  const input = writePdf(path.join(dir, 'flags-bad-in.pdf'), 'So: ....');
  it.each([
    [['--show', 'email'], 'needs --rect or --keyword'],
    [['--rect', '300,60,585,200', '--show', 'emial'], '--show emial'],
    [['--rect', '300,60,585,200', '--show', 'email', '--hide', 'email'], 'both name email'],
    [['--rect', '300,60,585,200', '--show', 'contact'], '--show contact needs --contact'],
    [['--rect', '300,60,585,200', '--document-number', 'Số: 1'], '--document-number needs --document-number-at'],
    [['--rect', '300,60,585,200', '--font-size', '200'], 'fontSize'],
  ])('%j', async (args, fragment) => {
    const out = path.join(dir, `never-${++made}.pdf`);
    const r = kyso(['sign', await input, '-o', out, ...mod(), ...rsa(), '--pin-stdin', ...args], WRONG_PIN);
    expect(r.stderr, r.stderr).toContain('kyso: BAD_REQUEST:');
    expect(r.stderr).toContain(fragment);
    expect(r.stderr).not.toContain('PIN_INCORRECT');
    expect(existsSync(out)).toBe(false);
  });
});
