/**
 * The plugin's `PdfSigner` options (a JSON object the page passes as a string) mapped onto `pdf.sign`
 * parameters. Loose by necessity: pages send numbers and booleans as strings as often as not, and
 * `new PdfSigner()` sends every field, most of them null: null means "not given".
 * What Kyso will not take from a page is dropped on purpose (and named in the log, never its value):
 * `TsaUrl`, `TsaUsername`, `TsaPassword` (the timestamp server is the one the user configured in Kyso; a page
 * must not send the user's signatures, or a password, to a server of its choosing), `SigningTime` (the box
 * shows the real signing time), `IsEncyptFile`/`EncryptPassword` (Kyso does not encrypt what it signs),
 * `SigColorRGB`, `SetImageBackground`, `ValidationOption`.
 */
import * as z from 'zod';
import { KysoError } from '../../core/errors.js';
import type { ParamsOf } from '../protocol.js';

type PdfSignParams = ParamsOf<'pdf.sign'>;
type Appearance = NonNullable<PdfSignParams['appearance']>;
type Stamp = NonNullable<Appearance['documentNumber']>;

const flag = z.union([z.boolean(), z.number(), z.string()]).transform((v) => v === true || v === 1 || (typeof v === 'string' && /^(true|1|yes)$/i.test(v.trim())));
const num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
/**
 * A text field. Pages fill these from numbers as often as from strings (`o.DocumentNumber = 15`, a year as
 * Description), and the plugin, reading typed fields, took both: a number is its decimal text.
 */
const text = z.union([z.string(), z.number().finite().transform(String)]).pipe(z.string().max(500));

/** A stamp given as a bare text is drawn inside the signature box; with a rectangle, where it says. */
const stampInput = z.union([
  text,
  z.object({ Text: text.optional(), text: text.optional(), page: num.optional(), llx: num, lly: num, urx: num, ury: num }).passthrough(),
]);

/** The library's RectangleCustom `{llx, lly, urx, ury, page}` (DocumentNumberRec, DocumentDateRec), as an object or its JSON. */
const rectangleInput = z.preprocess(
  (v) => { if (typeof v !== 'string') return v; try { return JSON.parse(v) as unknown; } catch { return v; } },
  z.object({ llx: num, lly: num, urx: num, ury: num, page: num.optional() }).passthrough(),
);

/** Fields read and dropped on purpose (see the header). */
const IGNORED = [
  'TsaUrl', 'TsaUsername', 'TsaPassword', 'SigningTime', 'IsEncyptFile', 'EncryptPassword', 'SigColorRGB', 'SetImageBackground', 'ValidationOption',
  'DigestAlgorithm', 'AdvancedWithoutDisplay', 'listComment', 'overideSigInfo', 'overideSigFormat', 'overideSigCoordinate',
] as const;

const pdfSignerSchema = z.object({
  page: num.optional(),
  llx: num.optional(),
  lly: num.optional(),
  urx: num.optional(),
  ury: num.optional(),
  sigAllPages: flag.optional(),
  PagesArray: z.union([z.array(num), z.string().max(20_000), z.number().transform(String)]).optional(),
  SigType: z.union([num, z.string()]).optional(),
  SigVisible: flag.optional(),
  SigPositionVisible: flag.optional(),
  Description: text.optional(),
  OnlyDescription: flag.optional(),
  ImageBase64: z.string().max(4_000_000).optional(),
  Signer: text.optional(),
  SignerPosition: text.optional(),
  SigSignerVisible: flag.optional(),
  SigEmailVisible: flag.optional(),
  SigCompanyVisible: flag.optional(),
  SigSigningTimeVisible: flag.optional(),
  SigTextSize: num.optional(),
  sigUpperCase: flag.optional(),
  sigBold: flag.optional(),
  DocumentNumber: stampInput.optional(),
  DocumentNumberRec: rectangleInput.optional(),
  DocumentNumberPage: num.optional(),
  DocumentDate: stampInput.optional(),
  DocumentDateRec: rectangleInput.optional(),
  DocumentDatePage: num.optional(),
  Reason: text.optional(),
  Location: text.optional(),
  FileName: z.string().min(1).max(255).optional(),
  ...Object.fromEntries(IGNORED.map((k) => [k, z.unknown().optional()])),
  CertificateSerial: z.string().max(200).optional(),
  AdvancedCustom: flag.optional(),
}).passthrough();

export interface MappedPdfOptions {
  params: Omit<PdfSignParams, 'document' | 'fileName' | 'certificateId'>;
  certificateSerial?: string;
  fileName?: string;
  /** Options present and ignored on purpose, for the log. */
  ignored: string[];
}

/**
 * SigType as the current library describes it: 0 the description only, 1 description and image, 2 the image
 * only (3, an older library's "image only", too; Kyso's names work as well). A type that asks for an image
 * without one gets the text: pages set SigType and ImageBase64 independently.
 */
function appearanceMode(v: number | string | undefined, hasImage: boolean): Appearance['mode'] {
  if (v === undefined || v === '') return hasImage ? 'image-text' : 'text';
  const s = String(v).trim().toLowerCase();
  if (s === '0' || s === 'text') return 'text';
  if (s === '1' || s === 'image-text') return hasImage ? 'image-text' : 'text';
  if (s === '2' || s === '3' || s === 'image') return hasImage ? 'image' : 'text';
  throw new KysoError('BAD_REQUEST', `PdfSigner.SigType: 0, 1 or 2, got ${s.slice(0, 20)}`);
}

const DEFAULT_BOX = [0, 0, 150, 75];

/** Drops null fields: the library's `new PdfSigner()` sends them for everything the page did not set. */
function withoutNulls(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw ?? {};
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null));
}

function pageList(v: number[] | string): number[] {
  const items = Array.isArray(v) ? v : v.split(/[,;\s]+/).filter(Boolean).map((x) => {
    if (!/^\d+$/.test(x)) throw new KysoError('BAD_REQUEST', `PdfSigner.PagesArray: not a page number: ${x.slice(0, 20)}`);
    return Number(x);
  });
  if (items.length === 0 || items.some((n) => !Number.isInteger(n) || n < 1)) throw new KysoError('BAD_REQUEST', 'PdfSigner.PagesArray: page numbers start at 1');
  return [...new Set(items)];
}

type Rectangle = z.infer<typeof rectangleInput>;

/** DocumentNumber/DocumentDate: a line in the box, or with its …Rec rectangle (on …Page) a stamp of its own. */
function stamp(v: z.infer<typeof stampInput> | undefined, label: string, fontSize: number | undefined, rec?: Rectangle, recPage?: number): { line?: string; stamp?: Stamp } {
  if (v === undefined || v === '') return {};
  if (typeof v === 'string' && rec) {
    return { stamp: { text: v, placement: { page: recPage ?? (rec.page || 1), rect: [rec.llx, rec.lly, rec.urx, rec.ury] }, ...(fontSize ? { fontSize } : {}) } };
  }
  if (typeof v === 'string') return { line: `${label}: ${v}` };
  const t = v.Text ?? v.text;
  if (!t) throw new KysoError('BAD_REQUEST', `PdfSigner.${label === 'Số' ? 'DocumentNumber' : 'DocumentDate'}: Text is missing`);
  return { stamp: { text: t, placement: { page: v.page ?? 1, rect: [v.llx, v.lly, v.urx, v.ury] }, ...(fontSize ? { fontSize } : {}) } };
}

export function mapPdfSigner(json: string | undefined): MappedPdfOptions {
  let raw: unknown = {};
  if (json !== undefined && json.trim() !== '') {
    try {
      raw = JSON.parse(json);
    } catch {
      throw new KysoError('BAD_REQUEST', 'PdfSigner options are not JSON');
    }
  }
  raw = withoutNulls(raw);
  const parsed = pdfSignerSchema.safeParse(raw);
  if (!parsed.success) {
    throw new KysoError('BAD_REQUEST', `PdfSigner: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const o = parsed.data;
  const ignored = IGNORED.filter((k) => o[k] !== undefined && o[k] !== '' && o[k] !== false);

  const corners = [o.llx, o.lly, o.urx, o.ury];
  const given = corners.every((c) => c !== undefined);
  if (!given && corners.some((c) => c !== undefined)) throw new KysoError('BAD_REQUEST', 'PdfSigner: llx, lly, urx and ury go together');
  // A PdfSigner without a rectangle gets the library's default box (0, 0, 150, 75 on page 1, as its older
  // constructor and its own filling of missing fields give), unless SigVisible is false.
  const [llx, lly, urx, ury] = given ? corners as number[] : DEFAULT_BOX;
  const rect: [number, number, number, number] | undefined = Object.keys(raw as object).length === 0 ? undefined
    : [Math.min(llx!, urx!), Math.min(lly!, ury!), Math.max(llx!, urx!), Math.max(lly!, ury!)];
  const page = o.page ?? 1;
  if (!Number.isInteger(page) || page < 1) throw new KysoError('BAD_REQUEST', 'PdfSigner.page: page numbers start at 1');

  const fontSize = o.SigTextSize !== undefined && o.SigTextSize > 0 ? Math.min(72, Math.max(4, o.SigTextSize)) : undefined;
  const number = stamp(o.DocumentNumber, 'Số', fontSize, o.DocumentNumberRec, o.DocumentNumberPage);
  const date = stamp(o.DocumentDate, 'Ngày', fontSize, o.DocumentDateRec, o.DocumentDatePage);
  const lines = [
    o.Description,
    o.OnlyDescription ? undefined : o.Signer ? `Ký bởi: ${o.Signer}` : undefined,
    o.SignerPosition ? `Chức vụ: ${o.SignerPosition}` : undefined,
    number.line,
    date.line,
  ].filter((l): l is string => l !== undefined);

  const show: NonNullable<Appearance['show']> = {};
  // A page-given signer name replaces the certificate's in the box.
  if (o.Signer) show.signer = false;
  else if (o.SigSignerVisible !== undefined) show.signer = o.SigSignerVisible;
  if (o.SigEmailVisible !== undefined) show.email = o.SigEmailVisible;
  if (o.SigCompanyVisible !== undefined) show.organization = o.SigCompanyVisible;
  if (o.SigSigningTimeVisible !== undefined) show.time = o.SigSigningTimeVisible;
  if (o.SigPositionVisible !== undefined) show.title = o.SigPositionVisible;
  // OnlyDescription: the page's Description and nothing of the certificate.
  if (o.OnlyDescription) Object.assign(show, { signer: false, email: false, organization: false, title: false, time: false });

  const appearance: Appearance = {
    mode: appearanceMode(o.SigType, Boolean(o.ImageBase64)),
    ...(Object.keys(show).length ? { show } : {}),
    ...(lines.length ? { text: lines.join('\n') } : {}),
    ...(o.ImageBase64 ? { image: o.ImageBase64.replace(/^data:image\/[a-z]+;base64,/i, '') } : {}),
    ...(fontSize ? { fontSize } : {}),
    ...(o.sigBold !== undefined ? { bold: o.sigBold } : {}),
    ...(o.sigUpperCase !== undefined ? { upperCase: o.sigUpperCase } : {}),
    ...(number.stamp ? { documentNumber: number.stamp } : {}),
    ...(date.stamp ? { documentDate: date.stamp } : {}),
  };
  let placement: PdfSignParams['placement'];
  if (o.SigVisible === false && !o.AdvancedCustom) placement = undefined;
  else if (o.AdvancedCustom) placement = 'ask';
  else if (rect && o.sigAllPages) placement = { pages: 'all', rect };
  else if (rect && o.PagesArray !== undefined) placement = { pages: pageList(o.PagesArray), rect };
  else if (rect) placement = { page, rect };

  const params: MappedPdfOptions['params'] = {
    ...(o.Reason ? { reason: o.Reason } : {}),
    ...(o.Location ? { location: o.Location } : {}),
    ...(placement ? { placement, appearance } : {}),
  };
  return { params, ...(o.CertificateSerial ? { certificateSerial: o.CertificateSerial } : {}), ...(o.FileName ? { fileName: o.FileName } : {}), ignored };
}
