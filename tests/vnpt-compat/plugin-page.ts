/**
 * A page using the VNPT-CA Plugin's page library, written here from the library's observable behaviour (it is
 * not the library, and none of its code is here): the frames it sends and how it routes the replies.
 *
 * - One WebSocket to `wss://localhost:<port>/plugin`; every call is `JSON.stringify({functionID, funcCallback,
 *   args, domain})`, in that key order, `domain` being the page's host name.
 * - `funcCallback` is "callbackDefault" when the page uses the returned promise, the callback function's name
 *   otherwise. Arguments the page left out go as null (JSON of `undefined` in an array).
 * - The reply is split on EVERY '*': part 0 is what the page gets, part 1 names the callback.
 * - Flags are sent as the text "0"/"1", each function with its own default (see each method).
 */
import WebSocket from 'ws';

export interface Reply {
  /** What the page's callback (or promise) gets: the text before the first '*'. */
  value: string;
  /** The callback name the reply routes to. */
  callback: string;
  /** The whole frame. */
  raw: string;
}

type Arg = string | null | undefined;

/** The older PdfSigner form (the current library's PdfSigner_oldVersion, which its signPdf sends on macOS): every field, a default box. */
export function newPdfSigner(): Record<string, unknown> {
  return {
    page: 1, llx: 0, lly: 0, urx: 150, ury: 75, SigTextSize: 9, Signer: null, SignerPosition: null, SigningTime: null,
    Description: null, ImageBase64: null, OnlyDescription: false, ValidationOption: true, SigColorRGB: null,
    SetImageBackground: false, PagesArray: null, CertificateSerial: null, TsaUrl: null, TsaUsername: null, TsaPassword: null,
    AdvancedCustom: false, SigType: 0, IsEncyptFile: false, EncryptPassword: null, SigVisible: true, SigSignerVisible: true,
    SigEmailVisible: true, SigPositionVisible: false, SigSigningTimeVisible: true,
  };
}

/** `new PdfSigner()` of the current library (header "Version: 1.0.3.4"): every field null but these, DigestAlgorithm "SHA1". */
export function newPdfSignerCurrent(): Record<string, unknown> {
  const nulls = ['page', 'llx', 'lly', 'urx', 'ury', 'SigTextSize', 'Signer', 'SignerPosition', 'SigningTime', 'Description', 'ImageBase64',
    'OnlyDescription', 'ValidationOption', 'SigColorRGB', 'SetImageBackground', 'PagesArray', 'CertificateSerial', 'TsaUrl', 'TsaUsername',
    'TsaPassword'];
  const more = ['IsEncyptFile', 'EncryptPassword', 'SigVisible', 'SigSignerVisible', 'SigEmailVisible', 'SigPositionVisible', 'SigCompanyVisible',
    'SigSigningTimeVisible', 'DocumentNumber', 'DocumentNumberRec', 'DocumentNumberPage', 'DocumentDate', 'DocumentDateRec', 'DocumentDatePage',
    'listComment', 'sigUpperCase', 'sigBold', 'labelDescription', 'overideSigInfo', 'overideSigFormat', 'overideSigCoordinate', 'commentItalic',
    'commentFontSize', 'docNumberItalic', 'docDateItalic', 'sigAllPages', 'sigCombineCNAndOU', 'sigOULabel', 'textAlignBottom'];
  return {
    ...Object.fromEntries(nulls.map((k) => [k, null])), AdvancedCustom: false, AdvancedWithoutDisplay: false, SigType: null,
    ...Object.fromEntries(more.map((k) => [k, null])), DigestAlgorithm: 'SHA1',
  };
}

/** One item of signArrDataAdvanced as portals build it: a JSON string of {data, type, sigOptions}. */
export function advancedItem(data: string, type: string, sigOptions: unknown = null): string {
  // Portals write `dataJS.sigOptions = JSON.stringify(sigOption)`: "null" when they have none.
  return JSON.stringify({ data, type, sigOptions: JSON.stringify(sigOptions) });
}

const flag = (v: boolean | null | undefined, whenUnset: '0' | '1'): string => (v === null || v === undefined ? whenUnset : v ? '1' : '0');

export class PluginPage {
  private waiting: Array<(r: Reply) => void> = [];

  private constructor(private readonly ws: WebSocket, readonly domain: string) {
    ws.on('message', (d) => {
      const raw = d.toString();
      const parts = raw.split('*');
      this.waiting.shift()?.({ value: parts[0]!, callback: parts[1] ?? '', raw });
    });
  }

  static open(url: string, options: { origin: string; ca?: string }): Promise<PluginPage> {
    const ws = new WebSocket(url, { origin: options.origin, ...(options.ca ? { ca: options.ca } : {}) });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new PluginPage(ws, new URL(options.origin).hostname)));
      ws.once('unexpected-response', (_q, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  /** The frame as the library sends it. */
  frame(functionID: number, args: Arg[], callback: string | null = null): string {
    return JSON.stringify({ functionID, funcCallback: callback ?? 'callbackDefault', args, domain: this.domain });
  }

  sendRaw(text: string): Promise<Reply> {
    const p = new Promise<Reply>((r) => this.waiting.push(r));
    this.ws.send(text);
    return p;
  }

  /** A call; the reply must route back to the callback it named. */
  async call(functionID: number, args: Arg[], callback: string | null = null): Promise<string> {
    const r = await this.sendRaw(this.frame(functionID, args, callback));
    if (r.callback !== (callback ?? 'callbackDefault')) throw new Error(`reply routed to "${r.callback}", not "${callback ?? 'callbackDefault'}": ${r.raw.slice(0, 200)}`);
    return r.value;
  }

  close(): void { this.ws.close(); }

  // The library's functions, with the arguments it sends.
  checkPlugin(): Promise<string> { return this.call(7, ['']); }
  setLicenseKey(license: string): Promise<string> { return this.call(6, [license]); }
  getVersion(): Promise<string> { return this.call(11, ['']); }
  checkPluginAdvanced(signal: string): Promise<string> { return this.call(13, [signal]); }
  /** 1.0.0.8: `[onlyFromToken, serialNumber]`; the current library sends `[onlyFromToken]` only (getCertInfoCurrent). */
  getCertInfo(onlyFromToken?: boolean | null, serial?: string): Promise<string> { return this.call(0, [flag(onlyFromToken, '0'), serial]); }
  getCertInfoCurrent(onlyFromToken?: boolean | null): Promise<string> { return this.call(0, [flag(onlyFromToken, '0')]); }
  chooseFile(callback: string | null = null): Promise<string> { return this.call(5, [''], callback); }
  signPdf(data: string, pdfSigner?: unknown): Promise<string> { return this.call(2, pdfSigner == null ? [data] : [data, JSON.stringify(pdfSigner)]); }
  SignPDFMultiplePages(data: string, pdfSigner: unknown): Promise<string> { return this.call(12, [data, JSON.stringify(pdfSigner)]); }
  signOffice(data: string): Promise<string> { return this.call(3, [data]); }
  signCms(data: string): Promise<string> { return this.call(4, [data]); }
  signHash(data: string): Promise<string> { return this.call(9, [data]); }
  signArrDataAdvanced(items: string[], serial: string | undefined, clearPinCache?: boolean | null, showCertList?: boolean | null, callback: string | null = null): Promise<string> {
    return this.call(10, [JSON.stringify(items), serial, flag(clearPinCache, '0'), flag(showCertList, '1')], callback);
  }
  signArrData(items: string[], type: string, sigOption: unknown, serial: string | undefined, clearPinCache?: boolean | null): Promise<string> {
    const args: Arg[] = [JSON.stringify(items), type, serial, flag(clearPinCache, '0')];
    if (sigOption != null) args.push(JSON.stringify(sigOption));
    return this.call(8, args);
  }
  ValidateCertificate(serial: Arg, timeCheck: Arg, ocspUrl: Arg): Promise<string> { return this.call(14, [serial, timeCheck, ocspUrl]); }
  ValidateCertificateBase64(cert: Arg, timeCheck: Arg, ocspUrl: Arg): Promise<string> { return this.call(15, [cert, timeCheck, ocspUrl]); }
  CheckValidTime(serial: Arg, timeCheck: Arg): Promise<string> { return this.call(16, [serial, timeCheck]); }
  CheckValidTimeBase64(cert: Arg, timeCheck: Arg): Promise<string> { return this.call(17, [cert, timeCheck]); }
  CheckOCSP(serial: Arg, timeCheck: Arg, ocspUrl: Arg): Promise<string> { return this.call(18, [serial, timeCheck, ocspUrl]); }
  CheckOCSPBase64(cert: Arg, timeCheck: Arg, ocspUrl: Arg): Promise<string> { return this.call(19, [cert, timeCheck, ocspUrl]); }
  ShowCertificateViewer(cert: Arg): Promise<string> { return this.call(20, [cert]); }
  CheckCRL(serial: Arg, timeCheck: Arg, crlUrl: Arg, crlBase64: Arg): Promise<string> { return this.call(21, [serial, timeCheck, crlUrl, crlBase64]); }
  CheckCRLBase64(cert: Arg, timeCheck: Arg, crlUrl: Arg, crlBase64: Arg): Promise<string> { return this.call(22, [cert, timeCheck, crlUrl, crlBase64]); }
  setLanguage(language: string): Promise<string> { return this.call(23, [language]); }
  CheckToken(): Promise<string> { return this.call(34, ['']); }
  SetGetCertFromUsbToken(onlyFromToken?: boolean | null): Promise<string> { return this.call(35, [flag(onlyFromToken, '1')]); }
  SetGetCertByPkcs11(usePkcs11?: boolean | null): Promise<string> { return this.call(36, [flag(usePkcs11, '1')]); }
  SetShowCertListDialog(show?: boolean | null): Promise<string> { return this.call(37, [flag(show, '1')]); }
  GetComputerInfo(): Promise<string> { return this.call(39, ['']); }
  ClearPinCache(times: Arg): Promise<string> { return this.call(40, [times]); }
  GetAllCertificates(): Promise<string> { return this.call(45, ['']); }
  GetAllCertificatesBase64(): Promise<string> { return this.call(47, ['']); }
}
