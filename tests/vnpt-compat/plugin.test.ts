/**
 * Pages written for the VNPT-CA Plugin, against Kyso: tests/vnpt-compat/plugin-page.ts sends exactly the frames
 * the plugin's page library sends, and every reply is read the way real portals read it (JSON.parse of
 * JSON.parse(x)[0], `code === 1`, a split on ':', `Number(data) === 0`, `data === ""`…). Signed outputs are
 * checked by pdfsig and pdftotext (poppler), OpenSSL and Kyso's OOXML verifier.
 */
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PDF } from '@libpdf/core';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { generateLoopbackCertificates } from '../../src/agent/tls/generator.js';
import { KysoError } from '../../src/core/errors.js';
import { verifyOoxml } from '../../src/core/ooxml/index.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { opensslCmsVerify, pdfsig, pdftotext, withTempFile } from '../helpers/tools.js';
import { corpusDocuments, makePandocDocuments, makePng, makeXlsx } from '../ooxml/documents.js';
import { PORTAL, samplePdf, startTestAgent, type TestAgent } from '../agent/harness.js';
import { PluginPage, advancedItem, newPdfSigner, newPdfSignerCurrent } from './plugin-page.js';

interface Item { code: number; data: string; serial: string; error: string }

const pin = fixtures().softhsm.pin;
const signers = fixtures().pki.signers;
const certPem = (s: 'rsa' | 'ec256' | 'ec384'): string => readFileSync(signers[s].cert, 'utf8');
const serialOf = (s: 'rsa' | 'ec256' | 'ec384'): string => new X509Certificate(certPem(s)).serialNumber;
const derOf = (s: 'rsa' | 'ec256' | 'ec384'): string => new X509Certificate(certPem(s)).raw.toString('base64');
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
/** How portals read signArrDataAdvanced's answer. */
const items = (x: string): Item[] => (JSON.parse(x) as string[]).map((s) => JSON.parse(s) as Item);

const loopback = generateLoopbackCertificates();
let agent: TestAgent;
let prompter: ScriptedPrompter;
let url: string;

beforeAll(async () => {
  prompter = new ScriptedPrompter({ consent: (o) => o === PORTAL, confirm: true, pin, chooseCertificate: certificateId('ec384') });
  agent = await startTestAgent(prompter, { tls: { key: loopback.serverKey, cert: loopback.serverCert }, vnpt: { ports: [0] } });
  url = `wss://localhost:${agent.server.vnptPort}/plugin`;
});
afterAll(async () => { await agent?.close(); });
const open = (origin = PORTAL): Promise<PluginPage> => PluginPage.open(url, { origin, ca: loopback.caCert });
const counts = (): Record<'choose' | 'confirm' | 'pin' | 'consent', number> =>
  ({ choose: prompter.count('chooseCertificate'), confirm: prompter.count('confirm'), pin: prompter.count('pin'), consent: prompter.count('consent') });

async function twoPagePdf(): Promise<Uint8Array> {
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Trang mot', { x: 50, y: 800, size: 12 });
  pdf.addPage({ width: 595, height: 842 }).drawText('Trang hai', { x: 50, y: 800, size: 12 });
  return pdf.save();
}

function checkPdf(data: string, check: (file: string) => void = () => undefined, signerCn = signers.ec384.cn): void {
  withTempFile(fromB64(data), 'signed.pdf', (f) => {
    const sig = pdfsig(f).signatures;
    expect(sig.at(-1)).toMatchObject({ valid: true, signerCommonName: signerCn });
    check(f);
  });
}

describe('VNPT-CA Plugin page library against Kyso: setup calls', () => {
  it('checkPlugin, setLicenseKey, getVersion, checkPluginAdvanced and the settings answer as portals test them, asking nobody', async () => {
    const before = prompter.calls.length;
    const page = await open('https://other-portal.example');
    expect(await page.checkPlugin()).toBe('1');
    const licence = await page.setLicenseKey('PD94bWwgdmVyc2lvbj0iMS4wIj8+PExpY2Vuc2U+PC9MaWNlbnNlPg==');
    expect(JSON.parse(licence).code === 1).toBe(true);
    // One portal: `data.split(":").length > 1 && data.split(":")[1][0] !== '1'` means "licence refused".
    expect(licence.split(':').length > 1 && licence.split(':')[1]![0] !== '1').toBe(false);
    // One portal refuses anything but this version; Kyso's own version is the native API's.
    expect(await page.getVersion()).toBe('1.0.4.3');
    // The library turns a reply without "SignalReturn:" into what the page gets: "-1", not VNPT's plugin.
    const advanced = await page.checkPluginAdvanced('aB3xZ');
    expect(advanced.includes('SignalReturn:')).toBe(false);
    expect(advanced == '1').toBe(false);
    for (const r of [await page.setLanguage('vi'), await page.SetGetCertFromUsbToken(true), await page.SetGetCertByPkcs11(), await page.SetShowCertListDialog(false), await page.ClearPinCache('1')]) {
      expect(JSON.parse(r).code).toBe(1);
    }
    const computer = JSON.parse(await page.GetComputerInfo()) as { data: string };
    expect(computer.data).toBe('');
    expect(await page.CheckToken()).toBe('1');
    const scan = JSON.parse(await page.call(24, [0 as unknown as string])) as { code: number; error: string };
    expect(scan.code).toBe(-100);
    expect(scan.error).toMatch(/không hỗ trợ.*Scan.*does not support/);
    expect(prompter.calls.length).toBe(before);
    page.close();
  });

  it('a named callback, an anonymous one (empty name) and nulls in args are answered on the right callback', async () => {
    const page = await open();
    expect(await page.call(7, [''], 'checkPluginCallback')).toBe('1');
    expect(await page.call(11, [null], '')).toBe('1.0.4.3');
    const bad = await page.sendRaw('{"functionID": 7, "funcCallback": "alert(1);x", "args": []}');
    expect(bad.callback).toBe('');
    expect(JSON.parse(bad.value).code).toBe(-1);
    page.close();
  });

  it('a callback named in Vietnamese comes back under its own name (the frame the library sends for `function kýXong`)', async () => {
    const page = await open();
    // Byte for byte what the page library sent for `vnpt_plugin.checkPlugin(kýXong)` on a portal page.
    const reply = await page.sendRaw('{"functionID":7,"funcCallback":"kýXong","args":[""],"domain":"dichvucong.example.gov.vn"}');
    expect(reply.raw).toBe('1*kýXong');
    page.close();
  });
});

describe('certificates', () => {
  it('getCertInfo: the frame of v1.0.1.9 (["0"]) and of v1.0.0.8 (["0", null]) let the user choose; by serial; a bare object, no code', async () => {
    const page = await open();
    const before = counts();
    for (const reply of [await page.getCertInfoCurrent(null), await page.getCertInfo(null)]) {
      const cert = JSON.parse(reply) as Record<string, string>;
      expect(cert).not.toHaveProperty('code');
      expect(cert).toMatchObject({ subjectCN: signers.ec384.cn, base64: derOf('ec384') });
      expect(cert.serial!.toLowerCase()).toBe(serialOf('ec384').toLowerCase());
      expect(Number.isNaN(new Date(cert.notAfter!).getTime())).toBe(false);
      expect(cert.issuerCN).toBeTruthy();
    }
    expect(counts().choose).toBe(before.choose + 2);
    const byOne = JSON.parse(await page.getCertInfo(false, `00${serialOf('rsa').toLowerCase()}`)) as Record<string, string>;
    expect(byOne.base64).toBe(derOf('rsa'));
    expect(counts().choose).toBe(before.choose + 2);
    page.close();
  });

  it('getCertInfo answers "" when the user closes the window, and for a site the user refused', async () => {
    const page = await open();
    prompter.answers.chooseCertificate = () => { throw new KysoError('USER_CANCELLED'); };
    try {
      expect(await page.getCertInfo()).toBe('');
    } finally {
      prompter.answers.chooseCertificate = certificateId('ec384');
    }
    page.close();
    const refused = await open('https://evil.example');
    expect(await refused.getCertInfo(null, serialOf('rsa'))).toBe('');
    refused.close();
  });

  it('GetAllCertificates (45) and GetAllCertificatesBase64 (47): JSON.parse(JSON.parse(x)[0]), with signatureAlgorithm and keyUsage', async () => {
    const page = await open();
    for (const reply of [await page.GetAllCertificates(), await page.GetAllCertificatesBase64()]) {
      const first = JSON.parse((JSON.parse(reply) as string[])[0]!) as Record<string, string>;
      expect(first.signatureAlgorithm).toMatch(/^sha(256|384|512)(RSA|ECDSA)$/);
      expect(typeof first.keyUsage).toBe('string');
      const all = (JSON.parse(reply) as string[]).map((s) => JSON.parse(s) as Record<string, string>);
      expect(all.map((c) => c.subjectCN).sort()).toEqual(Object.values(signers).map((s) => s.cn).sort());
      expect(all.find((c) => c.base64 === derOf('rsa'))?.serial.toLowerCase()).toBe(serialOf('rsa').toLowerCase());
    }
    page.close();
  });
});

describe('signArrDataAdvanced (10)', () => {
  it('PDF with new PdfSigner() (either library) and no sigOptions ("null"): the default box, or an invisible signature; one confirmation, one PIN', async () => {
    const page = await open();
    const pdf = b64(await samplePdf());
    const before = counts();
    const reply = await page.signArrDataAdvanced([advancedItem(pdf, 'pdf', newPdfSigner()), advancedItem(pdf, 'pdf'), advancedItem(pdf, 'pdf', newPdfSignerCurrent())], '', true);
    const [boxed, plain, current] = items(reply);
    expect(current, current!.error).toMatchObject({ code: 0, error: '' });
    checkPdf(current!.data, (f) => expect(pdftotext(f).normalize('NFC')).toContain(signers.ec384.cn));
    expect(boxed, boxed!.error).toMatchObject({ code: 0, error: '' });
    expect(plain, plain!.error).toMatchObject({ code: 0, error: '' });
    expect(Object.keys(boxed!)[0]).toBe('code');
    expect(boxed!.serial.toLowerCase()).toBe(serialOf('ec384').toLowerCase());
    expect(counts()).toMatchObject({ choose: before.choose + 1, confirm: before.confirm + 1, pin: before.pin + 1 });
    checkPdf(boxed!.data, (f) => expect(pdftotext(f).normalize('NFC')).toContain(signers.ec384.cn));
    checkPdf(plain!.data, (f) => expect(pdftotext(f).normalize('NFC')).not.toContain(signers.ec384.cn));
    page.close();
  });

  it('PdfSigner: rectangle, signer text and position, description, document number and date, image, all pages', async () => {
    const page = await open();
    const options = {
      ...newPdfSigner(), page: 1, llx: 300, lly: 80, urx: 560, ury: 200, Signer: 'Phòng Một cửa', SignerPosition: 'Chuyên viên',
      Description: 'Đã duyệt', SigEmailVisible: false, SigTextSize: '9', DocumentNumber: '123/QĐ-UBND',
      DocumentDate: { Text: '02/12/2026', page: 1, llx: 400, lly: 700, urx: 560, ury: 720 },
      TsaUrl: 'http://tsa.attacker.example/', TsaPassword: 'x', SigningTime: '00:00:00 01/01/2001', EncryptPassword: 'y', IsEncyptFile: true,
    };
    // The current library's PdfSigner: nulls, DigestAlgorithm "SHA1" (Kyso signs with SHA-256), a document number at its own place.
    const withImage = {
      ...newPdfSignerCurrent(), llx: 40, lly: 40, urx: 260, ury: 120, SigType: 1, ImageBase64: `data:image/png;base64,${b64(makePng(60, 30))}`, sigAllPages: true,
      DocumentNumber: '77/TB', DocumentNumberRec: { llx: 60, lly: 760, urx: 260, ury: 780, page: 0 }, DocumentNumberPage: 1,
    };
    const reply = await page.signArrDataAdvanced([
      advancedItem(b64(await samplePdf()), 'pdf', options),
      advancedItem(b64(await twoPagePdf()), 'pdf', withImage),
    ], serialOf('ec256'), false);
    const [text, image] = items(reply);
    expect(text!.code, text!.error).toBe(0);
    expect(image!.code, image!.error).toBe(0);
    checkPdf(text!.data, (f) => {
      const t = pdftotext(f).normalize('NFC');
      for (const s of ['Đã duyệt', 'Ký bởi: Phòng Một cửa', 'Chức vụ: Chuyên viên', 'Số: 123/QĐ-UBND', '02/12/2026']) expect(t).toContain(s);
      expect(t).not.toContain('2001');
    }, signers.ec256.cn);
    checkPdf(image!.data, (f) => {
      const pages = pdftotext(f).split('\f');
      expect(pages[0]).toContain('Thời gian ký');
      expect(pages[0]).toContain('77/TB');
      expect(pages[1]).toContain('Thời gian ký');
      // The page's image is in the signature box (pdfimages lists it, on both pages).
      const images = spawnSync('pdfimages', ['-list', f], { encoding: 'utf8' }).stdout.split('\n').slice(2).filter((l) => /\bimage\b/.test(l));
      expect(new Set(images.map((l) => l.trim().split(/\s+/)[0])).size).toBe(2);
    }, signers.ec256.cn);
    const log = agent.logText();
    expect(log).toContain('TsaUrl');
    expect(log).not.toContain('attacker');
    page.close();
  });

  it('DOCX, XLSX, PPTX, cmsdetached, txt and hash items in one call; a damaged PDF, an XML and a SHA-1 hash fail alone', async () => {
    const [docx, pptx] = [
      corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!,
      makePandocDocuments().find((d) => d.name.endsWith('.pptx'))!,
    ];
    const xlsx = makeXlsx();
    const data = Buffer.from('Hồ sơ số 42 — nội dung do cổng chuẩn bị', 'utf8');
    const sha256 = createHash('sha256').update(data).digest('base64');
    const sha1 = createHash('sha1').update(data).digest('base64');
    const page = await open();
    const before = counts();
    const reply = await page.signArrDataAdvanced([
      advancedItem(b64(docx.bytes), 'docx'),
      advancedItem(b64(xlsx.bytes), 'xlsx'),
      advancedItem(b64(pptx.bytes), 'pptx'),
      advancedItem(data.toString('base64'), 'cmsdetached'),
      advancedItem(b64(new TextEncoder().encode('%PDF-1.7 broken')), 'pdf', newPdfSigner()),
      advancedItem(sha256, 'hash', { DigestAlgorithm: 'SHA256', encoding: 'utf8', detached: true }),
      advancedItem(sha1, 'hash', { DigestAlgorithm: 'SHA1', encoding: 'utf8', detached: true }),
      advancedItem(Buffer.from('<a/>').toString('base64'), 'xml'),
      advancedItem(data.toString('base64'), 'txt'),
    ], serialOf('rsa'), true);
    const r = items(reply);
    expect(r.map((i) => i.code)).toEqual([0, 0, 0, 0, 1, 0, 1, 1, 0]);
    expect(counts()).toMatchObject({ choose: before.choose, confirm: before.confirm + 1, pin: before.pin + 1 });
    expect(prompter.calls.filter((c) => c.kind === 'confirm').at(-1)).toMatchObject({ documents: expect.arrayContaining([expect.objectContaining({ fileName: 'tài liệu 1.docx' })]) });
    for (const i of [0, 1, 2]) expect((await verifyOoxml(fromB64(r[i]!.data))).allValid, `item ${i + 1}`).toBe(true);
    for (const i of [3, 8]) expect(opensslCmsVerify(fromB64(r[i]!.data), data).ok, `item ${i + 1}`).toBe(true);
    // The hash item: a detached CMS whose message digest is the portal's SHA-256 of the data.
    expect(opensslCmsVerify(fromB64(r[5]!.data), data).ok).toBe(true);
    expect(r[6]!.error).toMatch(/SHA-?1/);
    expect(r[4]!.error).toContain('DOCUMENT_CORRUPT');
    expect(r[7]!.error).toContain('XML');
    page.close();
  });

  it('the user declining answers every item with code 11 (portals: "Người dùng hủy bỏ"); nothing is signed', async () => {
    const page = await open();
    prompter.answers.confirm = false;
    try {
      const r = items(await page.signArrDataAdvanced([advancedItem(b64(await samplePdf()), 'pdf'), advancedItem('MTIzNDU2Nzg5MA==', 'cmsdetached')], '', true, null, 'signCallback'));
      expect(r.map((i) => [i.code, i.data])).toEqual([[11, ''], [11, '']]);
    } finally {
      prompter.answers.confirm = true;
    }
    page.close();
  });

  it('a page the PdfSigner names that the PDF does not have: item code 7 (portals: "trang đặt chữ ký không tồn tại"), nobody asked', async () => {
    const page = await open();
    const pdf = b64(await twoPagePdf());
    const before = counts();
    // The frame the page library sent for `o = new PdfSigner(); o.page = 99; o.llx = 40; …` on a portal page:
    // the current PdfSigner's fields in the constructor's order, the item's sigOptions JSON inside the item JSON.
    const sigOptions = JSON.stringify({ ...newPdfSignerCurrent(), page: 99, llx: 40, lly: 40, urx: 200, ury: 100 });
    const frame = `{"functionID":10,"funcCallback":"signCallback","args":[${JSON.stringify(JSON.stringify([JSON.stringify({ data: pdf, type: 'pdf', sigOptions })]))},"${serialOf('ec256').toUpperCase()}","1","1"],"domain":"dichvucong.example.gov.vn"}`;
    const reply = await page.sendRaw(frame);
    expect(reply.callback).toBe('signCallback');
    const [missing] = items(reply.value);
    expect(missing).toMatchObject({ code: 7, data: '' });
    expect(missing!.error).toContain('page 99 does not exist (the document has 2)');
    // SignPDFMultiplePages with PagesArray "1,9": the same code, and the user was never asked to confirm or type a PIN.
    const multi = JSON.parse(await page.SignPDFMultiplePages(pdf, { ...newPdfSignerCurrent(), PagesArray: '1,9', llx: 40, lly: 40, urx: 200, ury: 100 })) as Item;
    expect(multi.code).toBe(7);
    expect(counts()).toEqual(before);
    page.close();
  });

  it('PdfSigner text fields and PagesArray filled from numbers (o.DocumentNumber = 15, o.PagesArray = 2) sign as their text', async () => {
    const page = await open();
    const pdf = b64(await twoPagePdf());
    // The frame the page library sent for `o = new PdfSigner(); o.llx = 40; …; o.DocumentNumber = 15; o.PagesArray = 2; o.Description = 2026`.
    const sigOptions = JSON.stringify({ ...newPdfSignerCurrent(), llx: 40, lly: 40, urx: 240, ury: 110, Description: 2026, PagesArray: 2, DocumentNumber: 15 });
    const frame = `{"functionID":10,"funcCallback":"signCallback","args":[${JSON.stringify(JSON.stringify([JSON.stringify({ data: pdf, type: 'pdf', sigOptions })]))},"${serialOf('ec256').toUpperCase()}","1","1"],"domain":"dichvucong.example.gov.vn"}`;
    const [signed] = items((await page.sendRaw(frame)).value);
    expect(signed!.code, signed!.error).toBe(0);
    checkPdf(signed!.data, (f) => {
      const second = pdftotext(f).split('\f')[1]!.normalize('NFC');
      expect(second).toContain('Số: 15');
      expect(second).toContain('2026');
    }, signers.ec256.cn);
    page.close();
  });

  it('a portal that reads JSON.parse(JSON.parse(x)).serial with one item (cmsdetached login) gets it', async () => {
    const page = await open();
    const cert = JSON.parse(await page.getCertInfo()) as { serial: string };
    const reply = await page.signArrDataAdvanced([advancedItem('MTIzNDU2Nzg5MA==', 'cmsdetached')], cert.serial, true, true);
    expect((JSON.parse(JSON.parse(reply) as unknown as string) as Item).serial).toBe(cert.serial);
    page.close();
  });

  it('an unreadable items argument still answers an array whose first item says why', async () => {
    const page = await open();
    const reply = await page.call(10, ['not json', '', '0', '1']);
    expect(JSON.parse((JSON.parse(reply) as string[])[0]!)).toMatchObject({ code: 1 });
    page.close();
  });
});

describe('signArrData (8) and the single calls', () => {
  it('signArrData: [items, type, serial, clearPin, PdfSigner]', async () => {
    const page = await open();
    const pdf = b64(await twoPagePdf());
    const r = items(await page.signArrData([pdf, pdf], 'pdf', { ...newPdfSigner(), PagesArray: '2', llx: 50, lly: 50, urx: 250, ury: 120 }, serialOf('ec256'), false));
    expect(r.map((i) => i.code)).toEqual([0, 0]);
    checkPdf(r[1]!.data, (f) => expect(pdftotext(f).split('\f')[1]).toContain('Thời gian ký'), signers.ec256.cn);
    page.close();
  });

  it('SignPDF, SignPDFMultiplePages, SignOFFICE, SignCMS, signHash: one object, code first, code 0', async () => {
    const page = await open();
    const data = Buffer.from('dữ liệu');
    const pdf = JSON.parse(await page.signPdf(b64(await samplePdf()), { ...newPdfSigner(), CertificateSerial: serialOf('rsa') })) as Item;
    expect(pdf.code, pdf.error).toBe(0);
    checkPdf(pdf.data, () => undefined, signers.rsa.cn);
    const multi = JSON.parse(await page.SignPDFMultiplePages(b64(await twoPagePdf()), { ...newPdfSigner(), PagesArray: '1,2' })) as Item;
    expect(multi.code, multi.error).toBe(0);
    checkPdf(multi.data, (f) => expect(pdftotext(f).split('\f')[1]).toContain('Thời gian ký'));
    const docx = corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
    const office = JSON.parse(await page.signOffice(b64(docx.bytes))) as Item;
    expect(office.code, office.error).toBe(0);
    expect((await verifyOoxml(fromB64(office.data))).allValid).toBe(true);
    const cms = JSON.parse(await page.signCms(data.toString('base64'))) as Item;
    expect(cms.code, cms.error).toBe(0);
    expect(opensslCmsVerify(fromB64(cms.data), data).ok).toBe(true);
    const raw = await page.signHash(createHash('sha256').update(data).digest('base64'));
    expect(Object.keys(JSON.parse(raw) as object)[0]).toBe('code');
    expect((JSON.parse(raw) as Item).code).toBe(0);
    expect((JSON.parse(await page.signPdf(b64(new TextEncoder().encode('%PDF-1.7 no'))))).code).toBe(1);
    page.close();
  });
});

describe('chooseFile (5)', () => {
  it('the user picks a file in Kyso\'s window: {path, base64} with the name only; "" when closed; a "*" in the name survives the reply', async () => {
    const page = await open();
    const bytes = await samplePdf();
    prompter.answers.chooseFile = { name: 'báo*cáo.pdf', bytes };
    try {
      const reply = await page.chooseFile('chooseFileCallback');
      const file = JSON.parse(reply) as Record<string, string>;
      expect(file).not.toHaveProperty('code');
      expect(file.path).toBe('báo*cáo.pdf');
      expect(file.base64).toBe(b64(bytes));
      expect(prompter.calls.filter((c) => c.kind === 'chooseFile').at(-1)).toEqual({ kind: 'chooseFile', origin: PORTAL });
    } finally {
      delete prompter.answers.chooseFile;
    }
    expect(await page.chooseFile('chooseFileCallback')).toBe('');
    page.close();
    // A site the user refused opens no window; the page's `jsonObj.code != null` branch shows why.
    const asked = prompter.count('chooseFile');
    const refused = await open('https://evil.example');
    const denied = JSON.parse(await refused.chooseFile()) as { code: number; error: string };
    expect(denied.code != null).toBe(true);
    expect(denied.error).toContain('ORIGIN_DENIED');
    expect(prompter.count('chooseFile')).toBe(asked);
    refused.close();
  });
});

describe('who may call', () => {
  it('the Origin header decides, not `domain`: a refused site gets nothing; bad Host, no Origin or another path never connect', async () => {
    const page = await open('https://evil.example');
    const frame = JSON.stringify({ functionID: 45, funcCallback: 'callbackDefault', args: [''], domain: new URL(PORTAL).hostname });
    expect((await page.sendRaw(frame)).value).toBe('');
    const r = items(await page.signArrDataAdvanced([advancedItem(b64(await samplePdf()), 'pdf')], '', true));
    expect(r[0]!.code).toBe(11);
    expect(r[0]!.error).toContain('ORIGIN_DENIED');
    page.close();
    const port = agent.server.vnptPort!;
    const refusedWith = (u: string, headers: Record<string, string>, origin?: string): Promise<number> => new Promise((resolve, reject) => {
      const ws = new WebSocket(u, { ca: loopback.caCert, headers, ...(origin ? { origin } : {}) });
      ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => { ws.close(); reject(new Error('connected')); });
      ws.once('error', reject);
    });
    expect(await refusedWith(url, { Host: `evil.example:${port}` }, PORTAL)).toBe(403);
    expect(await refusedWith(`wss://localhost:${port}/`, {}, PORTAL)).toBe(404);
    expect(await refusedWith(url, {})).toBe(403);
  });
});
