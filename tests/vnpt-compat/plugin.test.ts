/**
 * Pages written for the VNPT-CA Plugin, against Kyso: a client written here from the protocol's description
 * (text frames `{functionID, funcCallback, args, domain}`, replies `"<payload>*<callback>"`) drives every
 * supported function over `wss://localhost:4433/plugin` with only the loopback CA trusted; the signed outputs are
 * checked by pdfsig, pdftotext, LibreOffice and OpenSSL.
 */
import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PDF } from '@libpdf/core';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { generateLoopbackCertificates } from '../../src/agent/tls/generator.js';
import { KYSO_VERSION } from '../../src/core/version.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes } from '../helpers/libreoffice-verify.js';
import { opensslCmsVerify, pdfsig, pdftotext, withTempFile } from '../helpers/tools.js';
import { corpusDocuments, makePandocDocuments } from '../ooxml/documents.js';
import { PORTAL, samplePdf, startTestAgent, type TestAgent } from '../agent/harness.js';

interface Result { code: number; data: string; error: string; type: string | null; serial: string | null }

/** What a page's plugin library does: one frame at a time, the reply routed by the callback name after the last '*'. */
class PluginClient {
  private waiting: Array<(r: { payload: string; callback: string }) => void> = [];
  private n = 0;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const text = d.toString();
      const cut = text.lastIndexOf('*');
      this.waiting.shift()?.({ payload: text.slice(0, cut), callback: text.slice(cut + 1) });
    });
  }

  static open(url: string, options: { origin?: string; ca?: string; host?: string } = {}): Promise<PluginClient> {
    const ws = new WebSocket(url, { origin: options.origin ?? PORTAL, ...(options.ca ? { ca: options.ca } : {}), ...(options.host ? { headers: { Host: options.host } } : {}) });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new PluginClient(ws)));
      ws.once('unexpected-response', (_q, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  raw(frame: string): Promise<{ payload: string; callback: string }> {
    const p = new Promise<{ payload: string; callback: string }>((r) => this.waiting.push(r));
    this.ws.send(frame);
    return p;
  }

  async call(functionID: number, args: string[] = [], domain = 'http://portal.claimed.example'): Promise<{ payload: string; callback: string }> {
    const funcCallback = `cb_${functionID}_${++this.n}`;
    const r = await this.raw(JSON.stringify({ functionID, funcCallback, args, domain }));
    expect(r.callback).toBe(funcCallback);
    return r;
  }

  async result(functionID: number, args: string[] = []): Promise<Result> {
    return JSON.parse((await this.call(functionID, args)).payload) as Result;
  }

  close(): void { this.ws.close(); }
}

const pin = fixtures().softhsm.pin;
const certPem = (s: 'rsa' | 'ec256' | 'ec384'): string => readFileSync(fixtures().pki.signers[s].cert, 'utf8');
const serialOf = (s: 'rsa' | 'ec256' | 'ec384'): string => new X509Certificate(certPem(s)).serialNumber;
const derOf = (s: 'rsa' | 'ec256' | 'ec384'): string => new X509Certificate(certPem(s)).raw.toString('base64');
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

const loopback = generateLoopbackCertificates();
const tls = { key: loopback.serverKey, cert: loopback.serverCert };
let agent: TestAgent;
let prompter: ScriptedPrompter;
let url: string;

beforeAll(async () => {
  prompter = new ScriptedPrompter({ consent: (o) => o === PORTAL, confirm: true, pin, chooseCertificate: certificateId('ec384') });
  agent = await startTestAgent(prompter, { tls, vnpt: { ports: [4433, 4434, 4435] } });
  url = `wss://localhost:${agent.server.vnptPort}/plugin`;
});
afterAll(async () => { await agent?.close(); });
const open = (origin = PORTAL): Promise<PluginClient> => PluginClient.open(url, { origin, ca: loopback.caCert });

async function twoPagePdf(): Promise<Uint8Array> {
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText('Trang một', { x: 50, y: 800, size: 12 });
  pdf.addPage({ width: 595, height: 842 }).drawText('Trang hai', { x: 50, y: 800, size: 12 });
  return pdf.save();
}

describe('VNPT-CA Plugin compatible endpoint', () => {
  it('listens on 4433 (or its fallbacks) over wss with the loopback certificate; without trusting the CA TLS fails', async () => {
    expect([4433, 4434, 4435]).toContain(agent.server.vnptPort);
    await expect(PluginClient.open(url, {})).rejects.toThrow(/self.signed|unable to verify|certificate/i);
  });

  it('checkPlugin, getVersion, setLicenseKey and an unsupported function answer without asking the user anything', async () => {
    const before = prompter.calls.length;
    const c = await open('https://other-portal.example');
    expect((await c.call(7)).payload).toBe('1');
    expect((await c.call(11)).payload).toBe(KYSO_VERSION);
    expect(await c.result(6, ['LICENSE-KEY-FROM-PORTAL'])).toEqual({ code: 0, data: '', error: '', type: null, serial: null });
    const unsupported = await c.result(99);
    expect(unsupported.code).toBe(-100);
    expect(unsupported.error).toMatch(/không hỗ trợ.*does not support/);
    expect(prompter.calls.length).toBe(before);
    c.close();
  });

  it('GetAllCertificates (45 and 47) lists the token\'s certificates with serials and Vietnamese names', async () => {
    const c = await open();
    for (const id of [45, 47]) {
      const r = await c.result(id);
      expect(r.code, r.error).toBe(0);
      const list = JSON.parse(r.data) as Array<{ serial: string; subjectCN: string; base64: string }>;
      expect(list.map((x) => x.subjectCN).sort()).toEqual(Object.values(fixtures().pki.signers).map((s) => s.cn).sort());
      expect(list.find((x) => x.base64 === derOf('rsa'))?.serial.toLowerCase()).toBe(serialOf('rsa').toLowerCase());
    }
    c.close();
  });

  it('GetCertInfo: by serial (any case, leading zeros) or chosen by the user in Kyso', async () => {
    const c = await open();
    const bySerial = await c.result(0, [`00${serialOf('rsa').toLowerCase()}`]);
    expect(bySerial).toMatchObject({ code: 0, data: derOf('rsa') });
    const chosenBefore = prompter.count('chooseCertificate');
    const chosen = await c.result(0);
    expect(chosen).toMatchObject({ code: 0, data: derOf('ec384') });
    expect(prompter.count('chooseCertificate')).toBe(chosenBefore + 1);
    expect(await c.result(0, ['DEADBEEF'])).toMatchObject({ code: -7, type: 'CERTIFICATE_NOT_FOUND' });
    c.close();
  });

  it('SignPDF maps PdfSigner: rectangle, signer text, document number, font; pdfsig validates, a reader sees the text', async () => {
    const c = await open();
    const options = {
      page: 1, llx: 300, lly: 80, urx: 560, ury: 180, Signer: 'Phòng Một cửa', SignerPosition: 'Chuyên viên',
      SigEmailVisible: 'false', SigSigningTimeVisible: true, SigTextSize: '9', sigBold: 'true', DocumentNumber: '123/QĐ-UBND',
      TsaUrl: 'http://tsa.attacker.example/', TsaPassword: 'x', Reason: 'Phê duyệt',
    };
    const r = await c.result(2, [b64(await samplePdf()), JSON.stringify(options), serialOf('ec256')]);
    expect(r.code, r.error).toBe(0);
    expect(r.serial?.toLowerCase()).toBe(serialOf('ec256').toLowerCase());
    withTempFile(Buffer.from(r.data, 'base64'), 'signed.pdf', (f) => {
      const sig = pdfsig(f).signatures;
      expect(sig).toHaveLength(1);
      expect(sig[0]).toMatchObject({ valid: true, signerCommonName: fixtures().pki.signers.ec256.cn });
      const text = pdftotext(f).normalize('NFC');
      expect(text).toContain('Ký bởi: Phòng Một cửa');
      expect(text).toContain('Chức vụ: Chuyên viên');
      expect(text).toContain('Số: 123/QĐ-UBND');
      expect(text).not.toContain(fixtures().pki.signers.ec256.cn);
    });
    // The page's TSA was ignored (no timestamp server configured in Kyso: a B-B signature), and said so in the log.
    expect(agent.logText()).toContain('"ignored":"TsaUrl,TsaPassword"');
    expect(agent.logText()).not.toContain('attacker');
    c.close();
  });

  it('SignPDF on all pages (sigAllPages) and on listed pages (PagesArray); AdvancedCustom opens the placement window', async () => {
    const c = await open();
    const doc = b64(await twoPagePdf());
    for (const opts of [{ sigAllPages: true }, { PagesArray: '1,2' }]) {
      const r = await c.result(2, [doc, JSON.stringify({ llx: 40, lly: 40, urx: 240, ury: 110, ...opts }), serialOf('rsa')]);
      expect(r.code, r.error).toBe(0);
      withTempFile(Buffer.from(r.data, 'base64'), 'all.pdf', (f) => {
        expect(pdfsig(f).signatures[0]?.valid).toBe(true);
        const pages = pdftotext(f).split('\f');
        expect(pages[0]).toContain('Thời gian ký');
        expect(pages[1]).toContain('Thời gian ký');
      });
    }
    prompter.answers.placement = { placement: { page: 2, rect: [100, 100, 300, 170] }, appearance: {} };
    const asked = await c.result(2, [doc, JSON.stringify({ AdvancedCustom: true }), serialOf('rsa')]);
    expect(asked.code, asked.error).toBe(0);
    expect(prompter.count('placement')).toBe(1);
    withTempFile(Buffer.from(asked.data, 'base64'), 'asked.pdf', (f) => expect(pdftotext(f).split('\f')[1]).toContain('Thời gian ký'));
    c.close();
  });

  it('SignOFFICE signs a DOCX that LibreOffice reports valid', async () => {
    const docx = corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
    const c = await open();
    const r = await c.result(3, [b64(docx.bytes), JSON.stringify({ FileName: 'Tờ trình.docx', Reason: 'Phê duyệt' }), serialOf('rsa')]);
    expect(r.code, r.error).toBe(0);
    expect(prompter.calls.filter((x) => x.kind === 'confirm').at(-1)).toMatchObject({ documents: [{ fileName: 'Tờ trình.docx' }] });
    if (libreOfficeAvailable()) {
      const [lo] = libreOfficeVerifyBytes([{ name: 'signed.docx', bytes: Buffer.from(r.data, 'base64') }]);
      // (LibreOffice flags every OOXML signature "partial", its own included: not checked here.)
      expect(lo!.signatures.map((s) => ({ valid: s.valid, cert: s.certificateStatus }))).toEqual([{ valid: true, cert: 0 }]);
    }
    c.close();
  });

  it('SignCMS gives a detached CMS that OpenSSL verifies over the data; signHash a raw signature over the digest', async () => {
    const c = await open();
    const data = Buffer.from('Hồ sơ số 42 — nội dung do cổng chuẩn bị', 'utf8');
    const cms = await c.result(4, [data.toString('base64'), serialOf('rsa')]);
    expect(cms.code, cms.error).toBe(0);
    const check = opensslCmsVerify(Buffer.from(cms.data, 'base64'), data);
    expect(check.ok, check.output).toBe(true);

    const digest = createHash('sha256').update(data).digest();
    const raw = await c.result(9, [digest.toString('base64'), serialOf('rsa')]);
    expect(raw.code, raw.error).toBe(0);
    expect(verifySignature('sha256', data, certPem('rsa'), Buffer.from(raw.data, 'base64'))).toBe(true);
    expect(verifySignature('sha256', Buffer.from('other'), certPem('rsa'), Buffer.from(raw.data, 'base64'))).toBe(false);
    expect(await c.result(9, [Buffer.alloc(20).toString('base64')])).toMatchObject({ code: -2, type: 'BAD_REQUEST' });
    c.close();
  });

  it('signArrData (8 and 10) signs a PDF, a DOCX and raw data with one certificate, one confirmation, one PIN', async () => {
    const docx = corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
    const data = Buffer.from('dữ liệu');
    const c = await open();
    const before = { choose: prompter.count('chooseCertificate'), confirm: prompter.count('confirm'), pin: prompter.count('pin') };
    const r = await c.result(8, [JSON.stringify([b64(await samplePdf()), { data: b64(docx.bytes), fileName: 'Tờ trình.docx' }, data.toString('base64')])]);
    expect(r.code, r.error).toBe(0);
    expect(prompter.count('chooseCertificate')).toBe(before.choose + 1);
    expect(prompter.count('confirm')).toBe(before.confirm + 1);
    expect(prompter.count('pin')).toBe(before.pin + 1);
    expect(prompter.calls.filter((x) => x.kind === 'confirm').at(-1)).toMatchObject({ documents: [{ fileName: 'tài liệu 1.pdf' }, { fileName: 'Tờ trình.docx' }, { fileName: 'tài liệu 3.bin' }] });
    const items = JSON.parse(r.data) as Array<{ code: number; data: string }>;
    expect(items.map((i) => i.code)).toEqual([0, 0, 0]);
    withTempFile(Buffer.from(items[0]!.data, 'base64'), 'b.pdf', (f) => expect(pdfsig(f).signatures[0]).toMatchObject({ valid: true, signerCommonName: fixtures().pki.signers.ec384.cn }));
    expect(opensslCmsVerify(Buffer.from(items[2]!.data, 'base64'), data).ok).toBe(true);
    const ten = await c.result(10, [JSON.stringify([data.toString('base64')]), '', serialOf('ec256')]);
    expect(ten.code, ten.error).toBe(0);
    // A bad item stops the batch before anyone is asked, and says which one.
    const asked = prompter.calls.length;
    const bad = await c.result(8, [JSON.stringify([b64(await samplePdf()), b64(new TextEncoder().encode('%PDF-1.7 broken'))])]);
    expect(bad).toMatchObject({ code: -13, type: 'DOCUMENT_CORRUPT' });
    expect(bad.error).toContain('item 2: tài liệu 2.pdf');
    expect(prompter.calls.length).toBe(asked);
    c.close();
  });

  it('CheckToken: 1 with a token, by serial too; not found is an error', async () => {
    const c = await open();
    expect(await c.result(34)).toMatchObject({ code: 0, data: '1' });
    expect(await c.result(34, [serialOf('ec256')])).toMatchObject({ code: 0, data: '1' });
    expect(await c.result(34, ['01'])).toMatchObject({ code: -7 });
    c.close();
  });

  it('bad input gets a typed negative result on the right callback, and the connection keeps working', async () => {
    const c = await open();
    expect(await c.result(2, [b64(new TextEncoder().encode('%PDF-1.7\nthis is not a pdf')), '{}'])).toMatchObject({ code: -13, type: 'DOCUMENT_CORRUPT' });
    expect(await c.result(2, [b64(await samplePdf()), '{not json'])).toMatchObject({ code: -2, type: 'BAD_REQUEST' });
    expect(await c.result(2, [b64(await samplePdf()), JSON.stringify({ llx: 1 })])).toMatchObject({ code: -2 });
    expect(await c.result(3, [b64(await samplePdf())])).toMatchObject({ code: -14, type: 'UNSUPPORTED_FORMAT' });
    const notJson = await c.raw('hello');
    expect(notJson.callback).toBe('');
    expect(JSON.parse(notJson.payload)).toMatchObject({ code: -2 });
    const badCallback = await c.raw(JSON.stringify({ functionID: 7, funcCallback: 'alert(1);x', args: [] }));
    expect(badCallback.callback).toBe('');
    expect(JSON.parse(badCallback.payload)).toMatchObject({ code: -2 });
    // Declined confirmation.
    prompter.answers.confirm = false;
    expect(await c.result(9, [createHash('sha256').update('x').digest('base64'), serialOf('rsa')])).toMatchObject({ code: -3, type: 'USER_CANCELLED' });
    prompter.answers.confirm = true;
    expect((await c.call(7)).payload).toBe('1');
    c.close();
  });

  it('calls on one connection are answered one at a time, in order', async () => {
    const c = await open();
    const pending = [c.call(11), c.call(45), c.call(7)];
    const replies = await Promise.all(pending);
    expect(replies[0]!.payload).toBe(KYSO_VERSION);
    expect(JSON.parse(replies[1]!.payload).code).toBe(0);
    expect(replies[2]!.payload).toBe('1');
    c.close();
  });

  it('the Origin header decides, not `domain`: a refused site gets ORIGIN_DENIED; bad Host, no Origin or another path never connect', async () => {
    const c = await open('https://evil.example');
    const r = JSON.parse((await c.call(45, [], PORTAL)).payload) as Result;
    expect(r).toMatchObject({ code: -4, type: 'ORIGIN_DENIED' });
    c.close();
    const port = agent.server.vnptPort!;
    await expect(PluginClient.open(url, { ca: loopback.caCert, host: `evil.example:${port}` })).rejects.toMatchObject({ status: 403 });
    await expect(PluginClient.open(`wss://localhost:${port}/`, { ca: loopback.caCert })).rejects.toMatchObject({ status: 404 });
    const noOrigin = new WebSocket(url, { ca: loopback.caCert });
    await expect(new Promise((_res, reject) => { noOrigin.once('unexpected-response', (_q, res) => reject(Object.assign(new Error('refused'), { status: res.statusCode }))); noOrigin.once('open', () => _res(undefined)); })).rejects.toMatchObject({ status: 403 });
  });
});
