/**
 * PDF/A stays PDF/A (issue 17 item 2): LibreOffice's PDF/A-1 and PDF/A-2b exports of the letter, signed visibly
 * (text + a PNG with transparency) by the `kyso` command on the SoftHSM token, checked with PDFBox Preflight
 * (Debian's libpdfbox2-java), pdfsig, and the update rules of tests/helpers/pdfa-check.ts (docs/pdfa.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF, PdfArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfStream } from '@libpdf/core';
import { detectPdfA, iccColourSpace, parsePdfAId } from '../../src/core/pdf/pdfa.js';
import { openPdf } from '../../src/core/pdf/open.js';
import { cidSet } from '../../src/core/pdf/appearance/font.js';
import { convertPixels, SignatureImage } from '../../src/core/pdf/appearance/image.js';
import { appearanceRules, colourOperator } from '../../src/core/pdf/appearance/pdfa-rules.js';
import { signDocument } from '../../src/core/sign-document.js';
import { HttpTimestampClient } from '../../src/core/tsa/index.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { ltvKey, openLtvToken, startPkiServices, type PkiServices } from '../helpers/loopback-pki-services.js';
import { kyso, mod } from '../cli/cli.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig } from '../helpers/tools.js';
import { preflight, preflightAvailable, type PreflightError, type PreflightResult } from '../helpers/preflight.js';
import { outputIntentSpace, pdfaUpdateViolations } from '../helpers/pdfa-check.js';
import { letterPdf, pdfaLetterPdf } from './documents.js';
import { jpegOf, signaturePng } from './images.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-pdfa-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LO_XMP = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>1</pdfaid:part>
   <pdfaid:conformance>A</pdfaid:conformance>
  </rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

describe('PDF/A declaration', () => {
  it('reads pdfaid as elements, as attributes, under any prefix, and nothing else', () => {
    expect(parsePdfAId(LO_XMP)).toEqual({ part: 1, conformance: 'A' });
    expect(parsePdfAId('<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2" pdfaid:conformance="b"/>'))
      .toEqual({ part: 2, conformance: 'B' });
    expect(parsePdfAId("<rdf:Description xmlns:id='http://www.aiim.org/pdfa/ns/id/' id:part='3' id:conformance='U'/>")).toEqual({ part: 3, conformance: 'U' });
    // PDF/A-4 has no conformance level.
    expect(parsePdfAId('<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>4</pdfaid:part></rdf:Description>')).toEqual({ part: 4 });
    // The prefix alone is not the namespace; a missing or bad part is no declaration.
    expect(parsePdfAId('<rdf:Description xmlns:pdfaid="http://example.com/other/" pdfaid:part="1"/>')).toBeUndefined();
    expect(parsePdfAId(LO_XMP.replace('<pdfaid:part>1</pdfaid:part>', '<pdfaid:part>x</pdfaid:part>'))).toBeUndefined();
    expect(parsePdfAId('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')).toBeUndefined();
    // Values are trimmed; a hostile packet (unterminated values in megabytes of blanks) is read in linear time.
    expect(parsePdfAId(LO_XMP.replace('>1<', '>\n  1 \n<'))).toEqual({ part: 1, conformance: 'A' });
    const bind = 'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"';
    expect(parsePdfAId(`<d ${bind} pdfaid:part="${' '.repeat(1 << 21)}`)).toBeUndefined();
    expect(parsePdfAId(`<d ${bind}>${'<pdfaid:part>'.repeat(1 << 16)}${' '.repeat(1 << 21)}`)).toBeUndefined();
  });

  it('names the output intent profile colour space from the ICC header', () => {
    const header = (sig: string): Uint8Array => { const b = new Uint8Array(128); b.set(Buffer.from(sig, 'latin1'), 16); return b; };
    expect(['RGB ', 'CMYK', 'GRAY', 'Lab '].map((s) => iccColourSpace(header(s)))).toEqual(['RGB', 'CMYK', 'Gray', 'other']);
  });

  it('detects what LibreOffice writes, and no PDF/A in its ordinary export', async () => {
    const detect = async (file: string): Promise<unknown> => detectPdfA(await openPdf(new Uint8Array(readFileSync(file))));
    expect(await detect(pdfaLetterPdf(1))).toEqual({ part: 1, conformance: 'A', outputIntent: 'RGB' });
    expect(await detect(pdfaLetterPdf(2))).toEqual({ part: 2, conformance: 'B', outputIntent: 'RGB' });
    expect(await detect(letterPdf())).toBeUndefined();
  });
});

describe('appearance rules', () => {
  it('follow the part and the output intent', () => {
    expect(appearanceRules(undefined)).toEqual({ flattenAlpha: false, cidSet: false });
    expect(appearanceRules({ part: 1, conformance: 'B', outputIntent: 'RGB' })).toEqual({ colour: 'RGB', flattenAlpha: true, cidSet: true });
    expect(appearanceRules({ part: 1, outputIntent: 'CMYK' })).toMatchObject({ colour: 'CMYK' });
    expect(appearanceRules({ part: 2, conformance: 'B', outputIntent: 'RGB' })).toEqual({ colour: 'RGB', flattenAlpha: false, cidSet: false });
    // Parts 2/3 without an output intent: transparency would need a page /Group, so it is flattened.
    expect(appearanceRules({ part: 3, conformance: 'B' })).toMatchObject({ flattenAlpha: true });
    expect(appearanceRules({ part: 2, outputIntent: 'Gray' })).toMatchObject({ colour: 'Gray' });
  });

  it('paint the text colour in the device space asked', () => {
    expect(colourOperator([0.05, 0.15, 0.55], 'RGB')).toBe('0.05 0.15 0.55 rg');
    expect(colourOperator([0.05, 0.15, 0.55], 'CMYK', true)).toBe('0.909091 0.727273 0 0.45 K');
    expect(colourOperator([1, 1, 1], 'Gray')).toBe('1 g');
  });

  it('composite alpha onto white and convert pixels', () => {
    const rgb = new Uint8Array([10, 30, 140, 10, 30, 140, 200, 0, 0]);
    const alpha = new Uint8Array([255, 0, 128]);
    expect([...convertPixels(rgb, 3, alpha, 'RGB')]).toEqual([10, 30, 140, 255, 255, 255, 227, 127, 127]);
    expect([...convertPixels(rgb, 3, undefined, 'Gray')]).toEqual([37, 37, 60]);
    expect([...convertPixels(new Uint8Array([255, 255, 255, 0, 0, 0]), 3, undefined, 'CMYK')]).toEqual([0, 0, 0, 0, 0, 0, 0, 255]);
  });

  it('rewrite the signature image only as the rules ask, and refuse what they cannot convert', () => {
    const allocate = ((n) => () => PdfRef.of(n++, 0))(1000);
    const bodies = (objects: { body: Uint8Array }[]): string[] => objects.map((o) => Buffer.from(o.body).toString('latin1'));
    const png = SignatureImage.load(signaturePng());
    // Not PDF/A: the image and its soft mask, as before.
    const plain = bodies(png.emit(allocate).objects);
    expect(plain).toHaveLength(2);
    expect(plain.some((b) => b.includes('/ColorSpace /DeviceRGB') && /\/SMask \d+ 0 R/.test(b))).toBe(true);
    // PDF/A-1 with a grey output intent: one opaque grey image.
    const grey = bodies(png.emit(allocate, { colour: 'Gray', flattenAlpha: true, cidSet: true }).objects);
    expect(grey).toHaveLength(1);
    expect(grey[0]).toContain('/ColorSpace /DeviceGray');
    expect(grey[0]).not.toContain('/SMask');
    // A colour JPEG cannot be converted (Kyso does not decode JPEG); without PDF/A it is embedded as it is.
    const jpeg = SignatureImage.load(jpegOf(letterPdf()));
    expect(() => jpeg.emit(allocate, { colour: 'CMYK', flattenAlpha: true, cidSet: true })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(bodies(jpeg.emit(allocate).objects)[0]).toContain('/DCTDecode');
  });

  it('list in CIDSet exactly the CIDs the subset maps to a glyph, and .notdef', () => {
    // CIDToGIDMap: CID 0→0, 1→0 (absent), 2→1, 9→2.
    const map = new Uint8Array(20);
    map[5] = 1; map[19] = 2;
    expect([...cidSet(map)]).toEqual([0b10100000, 0b01000000]);
  });
});

/** `kyso sign` with a visible signature under "Người làm đơn", a transparent PNG beside the text. */
function signWithCli(input: string, name: string): { file: string; bytes: Uint8Array } {
  const image = path.join(dir, 'chu-ky.png');
  writeFileSync(image, signaturePng());
  const file = path.join(dir, name);
  const r = kyso(['sign', input, '-o', file, ...mod(), '--cert', certificateId('rsa'), '--pin-stdin',
    '--keyword', 'Người làm đơn', '--position', 'below', '--image', image, '--reason', 'Nộp hồ sơ'], `${fixtures().softhsm.pin}\n`);
  expect(r.status, r.stderr).toBe(0);
  return { file, bytes: new Uint8Array(readFileSync(file)) };
}

function expectSignedOk(file: string): void {
  const sig = pdfsig(file);
  expect(sig.signatures, sig.output).toHaveLength(1);
  expect(sig.signatures[0]).toMatchObject({ valid: true, trusted: true, totalDocumentSigned: true });
}

/** The signature image (240 px wide, not its grey soft mask) among the objects the signed file's update added. */
async function addedImages(input: Uint8Array, signed: Uint8Array): Promise<PdfStream[]> {
  const pdf = await PDF.load(signed);
  const tail = Buffer.from(signed.subarray(input.length)).toString('latin1');
  return [...tail.matchAll(/(?:^|[\r\n])(\d+) 0 obj\b/g)]
    .map((m) => pdf.getObject(PdfRef.of(Number(m[1]), 0)))
    .filter((o): o is PdfStream => o instanceof PdfStream && o.getName('Subtype')?.value === 'Image' && !!o.getName('ColorSpace'))
    .filter((o) => o.getNumber('Width')?.value === 240 && o.getName('ColorSpace')?.value !== 'DeviceGray');
}

const CMYK_PROFILE = '/usr/share/color/icc/ghostscript/default_cmyk.icc';

const codes = (errors: PreflightError[]): string[] => [...new Set(errors.map((e) => e.code))].sort();

/** The output intent of the LibreOffice PDF/A-1 file replaced by Ghostscript's CMYK profile (libgs-common, a
 * dependency of ghostscript), rewritten by @libpdf/core. */
async function cmykInput(): Promise<string> {
  const pdf = await PDF.load(new Uint8Array(readFileSync(pdfaLetterPdf(1))));
  const intents = pdf.getCatalog().get('OutputIntents');
  const intentRef = intents instanceof PdfArray ? intents.at(0) : undefined;
  const intent = intentRef instanceof PdfRef ? pdf.getObject(intentRef) : undefined;
  if (!(intent instanceof PdfDict)) throw new Error('LibreOffice wrote no output intent object');
  intent.set('DestOutputProfile', pdf.register(PdfStream.fromDict({ N: PdfNumber.of(4) }, new Uint8Array(readFileSync(CMYK_PROFILE)))));
  const input = path.join(dir, 'pdfa1-cmyk.pdf');
  writeFileSync(input, await pdf.save());
  return input;
}

interface SignedCase { input: string; original: Uint8Array; out: { file: string; bytes: Uint8Array }; before: PreflightResult; after: PreflightResult }

let signedCases: Promise<Record<'pdfa1' | 'pdfa2' | 'cmyk', SignedCase>> | undefined;
/**
 * The three inputs signed with the CLI, and every input and output checked by Preflight in one JVM (its start is
 * most of a check's cost). Made on first use by whichever test runs first, so each test still runs alone.
 */
function signed(): Promise<Record<'pdfa1' | 'pdfa2' | 'cmyk', SignedCase>> {
  return signedCases ??= (async () => {
    const inputs = { pdfa1: pdfaLetterPdf(1), pdfa2: pdfaLetterPdf(2), cmyk: await cmykInput() };
    const names = Object.keys(inputs) as (keyof typeof inputs)[];
    const outs = names.map((n) => signWithCli(inputs[n], `${n}-signed.pdf`));
    const reports = preflight(...names.flatMap((n, i) => [inputs[n], outs[i]!.file]));
    return Object.fromEntries(names.map((n, i) => [n, {
      input: inputs[n], original: new Uint8Array(readFileSync(inputs[n])), out: outs[i]!, before: reports[2 * i]!, after: reports[2 * i + 1]!,
    }])) as Record<keyof typeof inputs, SignedCase>;
  })();
}

// Each test signs with the CLI and starts a JVM: minutes, not seconds, when every core is busy.
describe.skipIf(!preflightAvailable())('PDF/A stays PDF/A (PDFBox Preflight)', { timeout: 300_000 }, () => {
  it('PDF/A-1 from LibreOffice: Preflight passes before and after a visible signature with a transparent PNG', async () => {
    const { original, out, before, after } = (await signed()).pdfa1;
    expect(before.valid, before.output).toBe(true);
    expect(after.errors, after.output).toEqual([]);
    expect(after.valid).toBe(true);
    expectSignedOk(out.file);
    expect(await pdfaUpdateViolations(original, out.bytes, 1)).toEqual([]);
    // The alpha was composited onto white: an opaque RGB image (the sRGB intent covers DeviceRGB).
    const [image] = await addedImages(original, out.bytes);
    expect(image).toBeDefined();
    expect(image?.get('SMask')).toBeUndefined();
    expect(image?.getName('ColorSpace')?.value).toBe('DeviceRGB');
    // Still declared PDF/A-1 by the same, untouched XMP.
    expect(detectPdfA(await openPdf(out.bytes))).toEqual({ part: 1, conformance: 'A', outputIntent: 'RGB' });
  });

  it('PDF/A-2b from LibreOffice: the update breaks no PDF/A-2 rule; Preflight (PDF/A-1) finds only what part 2 allows', async () => {
    const { original, out, ...reports } = (await signed()).pdfa2;
    expectSignedOk(out.file);
    expect(await pdfaUpdateViolations(original, out.bytes, 2)).toEqual([]);
    // Preflight knows only part 1: on the input it reports the part number (7.11.2); on the output it may add
    // just the soft mask (2.2.2, allowed by ISO 19005-2 §6.2.10) and the absent CIDSet (optional, §6.2.11.4.2).
    const [before, after] = [reports.before, reports.after].map((r) => codes(r.errors));
    const added = after!.filter((c) => !before!.includes(c));
    expect(before).toEqual(['7.11.2']);
    expect(added).toEqual(['2.2.2', '3.1.11']);
    const [image] = await addedImages(original, out.bytes);
    expect(image).toBeDefined();
    expect(image?.get('SMask')).toBeInstanceOf(PdfRef);
    expect(detectPdfA(await openPdf(out.bytes))).toMatchObject({ part: 2, conformance: 'B' });
  });

  it('a PDF/A-1 file whose output intent is CMYK gets a CMYK appearance and no new Preflight error', async () => {
    const { original, out, ...reports } = (await signed()).cmyk;
    expect(outputIntentSpace(await PDF.load(original))).toBe('CMYK');
    expectSignedOk(out.file);
    // LibreOffice's own DeviceRGB content now breaks the rule; our appearance adds nothing to that.
    const [before, after] = [reports.before, reports.after].map((r) => codes(r.errors));
    expect(before!.length).toBeGreaterThan(0);
    expect(after!.filter((c) => !before!.includes(c))).toEqual([]);
    expect(await pdfaUpdateViolations(original, out.bytes, 1)).toEqual([]);
    const [image] = await addedImages(original, out.bytes);
    expect(image).toBeDefined();
    expect(image?.getName('ColorSpace')).toEqual(PdfName.of('DeviceCMYK'));
  });

  describe('long-term (B-LTA): DSS and document timestamp updates', () => {
    let srv: PkiServices;
    let tokens: TokenService;
    beforeAll(async () => {
      srv = await startPkiServices();
      tokens = openLtvToken(srv);
    });
    afterAll(async () => { tokens?.close(); await srv?.close(); });

    it('keep PDF/A-1 valid: the catalog copy for /DSS keeps /Metadata and /OutputIntents', async () => {
      const input = pdfaLetterPdf(1);
      const original = new Uint8Array(readFileSync(input));
      const r = await signDocument(original, await ltvKey(tokens, srv, 'good'), {
        level: 'B-LTA',
        timestamp: new HttpTimestampClient({ urls: [srv.tsa.plain] }),
        visible: { placement: { keyword: 'Người làm đơn', position: 'below' }, appearance: { image: Buffer.from(signaturePng()).toString('base64') } },
      }, 'letter.pdf');
      expect(r.level).toBe('B-LTA');
      const file = path.join(dir, 'pdfa1-lta.pdf');
      writeFileSync(file, r.bytes);
      const [after] = preflight(file);
      expect(after!.errors, after!.output).toEqual([]);
      expect(await pdfaUpdateViolations(original, r.bytes, 1)).toEqual([]);
    });
  });
});
