/** The PdfSigner options as pages send them (numbers and booleans as strings too), mapped onto pdf.sign. */
import { describe, expect, it } from 'vitest';
import { mapPdfSigner } from '../../src/agent/vnpt-compat/pdf-signer-options.js';
import { METHODS } from '../../src/agent/protocol.js';
import { parseRequestFrame, replyFrame } from '../../src/agent/vnpt-compat/frames.js';
import { failureReply } from '../../src/agent/vnpt-compat/functions.js';
import { KysoError } from '../../src/core/errors.js';

const valid = (m: ReturnType<typeof mapPdfSigner>): boolean => METHODS['pdf.sign'].params.safeParse({ document: 'JVBERg==', fileName: 'a.pdf', ...m.params }).success;

describe('PdfSigner mapping', () => {
  it('no options: an invisible signature', () => {
    const m = mapPdfSigner('');
    expect(m.params).toEqual({});
    expect(valid(m)).toBe(true);
  });

  it('corners in any order become a rectangle on the page; strings are read as numbers and flags', () => {
    const m = mapPdfSigner(JSON.stringify({ page: '2', llx: '300', lly: 180, urx: 100, ury: '80', SigTextSize: '11', sigUpperCase: '1', sigBold: false, SigCompanyVisible: 'false' }));
    expect(m.params.placement).toEqual({ page: 2, rect: [100, 80, 300, 180] });
    expect(m.params.appearance).toMatchObject({ mode: 'text', fontSize: 11, upperCase: true, bold: false, show: { organization: false } });
    expect(valid(m)).toBe(true);
  });

  it('SigType as the current library describes it (0 description, 1 description and image, 2 image only); no image: the text', () => {
    const img = 'iVBORw0KGgo=';
    const rect = { llx: 0, lly: 0, urx: 100, ury: 50 };
    expect(mapPdfSigner(JSON.stringify({ ...rect, SigType: 2, ImageBase64: `data:image/png;base64,${img}` })).params.appearance).toMatchObject({ mode: 'image', image: img });
    expect(mapPdfSigner(JSON.stringify({ ...rect, SigType: '1', ImageBase64: img })).params.appearance?.mode).toBe('image-text');
    expect(mapPdfSigner(JSON.stringify({ ...rect, SigType: 0, ImageBase64: img })).params.appearance?.mode).toBe('text');
    expect(mapPdfSigner(JSON.stringify({ ...rect, ImageBase64: img })).params.appearance?.mode).toBe('image-text');
    expect(mapPdfSigner(JSON.stringify({ ...rect, SigType: 2 })).params.appearance?.mode).toBe('text');
    expect(() => mapPdfSigner(JSON.stringify({ ...rect, SigType: 7 }))).toThrow(/SigType/);
  });

  it('the current library\'s new PdfSigner(): all null but DigestAlgorithm "SHA1": the default box, SHA-256 anyway (noted in the log)', () => {
    const current = {
      page: null, llx: null, lly: null, urx: null, ury: null, SigTextSize: null, Signer: null, SignerPosition: null, SigningTime: null,
      Description: null, ImageBase64: null, OnlyDescription: null, ValidationOption: null, SigColorRGB: null, SetImageBackground: null,
      PagesArray: null, CertificateSerial: null, TsaUrl: null, TsaUsername: null, TsaPassword: null, AdvancedCustom: false,
      AdvancedWithoutDisplay: false, SigType: null, IsEncyptFile: null, EncryptPassword: null, SigVisible: null, SigSignerVisible: null,
      SigEmailVisible: null, SigPositionVisible: null, SigCompanyVisible: null, SigSigningTimeVisible: null, DocumentNumber: null,
      DocumentNumberRec: null, DocumentNumberPage: null, DocumentDate: null, DocumentDateRec: null, DocumentDatePage: null, listComment: null,
      sigUpperCase: null, sigBold: null, labelDescription: null, overideSigInfo: null, overideSigFormat: null, overideSigCoordinate: null,
      commentItalic: null, commentFontSize: null, docNumberItalic: null, docDateItalic: null, sigAllPages: null, sigCombineCNAndOU: null,
      sigOULabel: null, textAlignBottom: null, DigestAlgorithm: 'SHA1',
    };
    const m = mapPdfSigner(JSON.stringify(current));
    expect(m.params.placement).toEqual({ page: 1, rect: [0, 0, 150, 75] });
    expect(m.ignored).toEqual(['DigestAlgorithm']);
    expect(valid(m)).toBe(true);
    const stamped = mapPdfSigner(JSON.stringify({ ...current, llx: 300, lly: 50, urx: 550, ury: 150, DocumentNumber: '15/QĐ-UBND', DocumentNumberRec: { llx: 60, lly: 700, urx: 250, ury: 720, page: 0 }, DocumentNumberPage: 2, DocumentDate: '02/12/2026' }));
    expect(stamped.params.appearance).toMatchObject({ text: 'Ngày: 02/12/2026', documentNumber: { text: '15/QĐ-UBND', placement: { page: 2, rect: [60, 700, 250, 720] } } });
    expect(valid(stamped)).toBe(true);
  });

  it('new PdfSigner(): nulls mean "not given"; the default box is visible; SigVisible false makes it invisible', () => {
    const defaults = {
      page: 1, llx: 0, lly: 0, urx: 150, ury: 75, SigTextSize: 9, Signer: null, SignerPosition: null, SigningTime: null, Description: null,
      ImageBase64: null, OnlyDescription: false, ValidationOption: true, SigColorRGB: null, SetImageBackground: false, PagesArray: null,
      CertificateSerial: null, TsaUrl: null, TsaUsername: null, TsaPassword: null, AdvancedCustom: false, SigType: 0, IsEncyptFile: false,
      EncryptPassword: null, SigVisible: true, SigSignerVisible: true, SigEmailVisible: true, SigPositionVisible: false, SigSigningTimeVisible: true,
    };
    const m = mapPdfSigner(JSON.stringify(defaults));
    expect(m.params.placement).toEqual({ page: 1, rect: [0, 0, 150, 75] });
    expect(valid(m)).toBe(true);
    expect(m.ignored).toEqual(['ValidationOption']);
    expect(mapPdfSigner(JSON.stringify({ ...defaults, SigVisible: false })).params).toEqual({});
    const only = mapPdfSigner(JSON.stringify({ ...defaults, Description: 'Đã duyệt', OnlyDescription: true, Signer: 'X' }));
    expect(only.params.appearance).toMatchObject({ text: 'Đã duyệt', show: { signer: false, time: false, email: false } });
    expect(mapPdfSigner('null').params).toEqual({});
  });

  it('pages: sigAllPages, PagesArray as text or list; AdvancedCustom asks the user', () => {
    const rect = { llx: 0, lly: 0, urx: 100, ury: 50 };
    expect(mapPdfSigner(JSON.stringify({ ...rect, sigAllPages: 'true' })).params.placement).toEqual({ pages: 'all', rect: [0, 0, 100, 50] });
    expect(mapPdfSigner(JSON.stringify({ ...rect, PagesArray: '1, 3;3 5' })).params.placement).toEqual({ pages: [1, 3, 5], rect: [0, 0, 100, 50] });
    expect(mapPdfSigner(JSON.stringify({ ...rect, PagesArray: [2, '4'] })).params.placement).toEqual({ pages: [2, 4], rect: [0, 0, 100, 50] });
    expect(() => mapPdfSigner(JSON.stringify({ ...rect, PagesArray: '0' }))).toThrow(/start at 1/);
    expect(mapPdfSigner(JSON.stringify({ AdvancedCustom: true, SigTextSize: 9 })).params).toMatchObject({ placement: 'ask', appearance: { fontSize: 9 } });
  });

  it('document number and date: a line in the box, or a stamp where the page says', () => {
    const rect = { llx: 0, lly: 0, urx: 100, ury: 50 };
    const m = mapPdfSigner(JSON.stringify({ ...rect, DocumentNumber: '15/QĐ', DocumentDate: { Text: '02/12/2026', page: 1, llx: 400, lly: 700, urx: 550, ury: 720 } }));
    expect(m.params.appearance?.text).toBe('Số: 15/QĐ');
    expect(m.params.appearance?.documentDate).toEqual({ text: '02/12/2026', placement: { page: 1, rect: [400, 700, 550, 720] } });
    expect(valid(m)).toBe(true);
  });

  it('a page-named timestamp server and its password are dropped and reported; the certificate serial is kept', () => {
    const m = mapPdfSigner(JSON.stringify({ TsaUrl: 'http://tsa.example/', TsaUsername: 'u', TsaPassword: 'p', CertificateSerial: '0A1B' }));
    expect(m.ignored).toEqual(['TsaUrl', 'TsaUsername', 'TsaPassword']);
    expect(JSON.stringify(m.params)).not.toContain('tsa.example');
    expect(m.certificateSerial).toBe('0A1B');
  });

  it('bad options are BAD_REQUEST', () => {
    expect(() => mapPdfSigner('{')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => mapPdfSigner(JSON.stringify({ llx: 1, lly: 2 }))).toThrow(/go together/);
    expect(() => mapPdfSigner(JSON.stringify({ page: 0, llx: 0, lly: 0, urx: 1, ury: 1 }))).toThrow(/page/);
  });
});

describe('plugin frames', () => {
  it('reads functionID as number or digits, args as strings; keeps a valid callback for errors', () => {
    expect(parseRequestFrame(JSON.stringify({ functionID: '2', funcCallback: 'window.cb_1', args: ['a', 3, true, null], domain: 'x' })))
      .toEqual({ ok: true, frame: { functionID: 2, funcCallback: 'window.cb_1', args: ['a', '3', 'true', ''] } });
    expect(parseRequestFrame(JSON.stringify({ functionID: 'two', funcCallback: 'cb' }))).toMatchObject({ ok: false, callback: 'cb' });
    expect(parseRequestFrame(JSON.stringify({ functionID: 1, funcCallback: 'a*b' }))).toMatchObject({ ok: false, callback: '' });
    expect(replyFrame('{"code":0}', 'cb')).toBe('{"code":0}*cb');
    expect(parseRequestFrame(JSON.stringify({ functionID: 0, funcCallback: '', args: ['0', null], domain: 'x' }))).toEqual({ ok: true, frame: { functionID: 0, funcCallback: '', args: ['0', ''] } });
  });

  it('a "*" in a reply is escaped so that the library\'s split on every "*" keeps the whole payload, at any JSON depth', () => {
    const inner = JSON.stringify({ code: 1, error: 'a*b' });
    for (const payload of [JSON.stringify({ path: 'báo*cáo.pdf' }), JSON.stringify([inner])]) {
      const parts = replyFrame(payload, 'cb').split('*');
      expect(parts).toHaveLength(2);
      expect(parts[1]).toBe('cb');
      expect(JSON.parse(parts[0]!)).toEqual(JSON.parse(payload));
    }
    expect(replyFrame('1.0*4', 'cb').split('*')).toHaveLength(2);
  });

  it('a call that did not finish (timeout, busy) is answered in its function\'s failure shape, so the page still parses it', () => {
    const timeout = new KysoError('TIMEOUT');
    expect(JSON.parse((JSON.parse(failureReply(10, timeout)) as string[])[0]!)).toMatchObject({ code: 5 });
    expect(JSON.parse(failureReply(2, timeout))).toMatchObject({ code: 5, data: '' });
    expect(failureReply(0, timeout)).toBe('');
    expect(Number(failureReply(15, timeout))).toBe(1);
    expect(JSON.parse(failureReply(6, timeout)).code).toBe(-1);
  });
});
