/**
 * A visible signature from what the caller asked (placement + appearance options) and who signs: resolves
 * where the widgets go (pdf.js for keywords), lays the text out, and returns the VisibleAppearance hook that
 * signPdf calls while it builds the incremental update — so the appearance, its subset font and image are
 * written in the same update as the signature, and the page content is never rewritten.
 *
 * One signature field, one widget. Several pages, and the document number and date stamps, are locked Stamp
 * annotations with their own appearance in the same update (covered by the signature like the rest): a field
 * with several widgets shows in pdfsig (poppler 22.12) as several unsigned signatures.
 */
import type { PdfRef, PdfObject } from '@libpdf/core';
import { PdfDict, PdfName } from '@libpdf/core';
import type { SigningKey } from '../../signing-key.js';
import { parseCertificate } from '../../cert/parse.js';
import type { OpenedPdf } from '../open.js';
import { openPdf } from '../open.js';
import type { UpdateObject } from '../incremental-writer.js';
import type { AppearanceCopy } from '../signature-field.js';
import { signPdf, type PdfSignOptions, type PdfSignResult, type VisibleAppearance } from '../sign.js';
import { pageGeometry, type Rect, type Rotation } from '../placement/geometry.js';
import { TextIndex } from '../placement/keyword.js';
import { resolvePlacement, type WidgetPlacement } from '../placement/resolve.js';
import { FontSet } from './font.js';
import { SignatureImage } from './image.js';
import { composeText, layoutAppearance, layoutStamp, ASCENT, DESCENT, type AppearanceContext, type AppearanceLayout, type AppearanceSigner } from './layout.js';
import { DEFAULT_FONT_SIZE, type DocumentStamp, type Placement, type SignatureAppearanceOptions } from './options.js';
import { drawLayout, formXObject } from './stream.js';
import { detectPdfA } from '../pdfa.js';
import { appearanceRules } from './pdfa-rules.js';

export interface VisibleSignatureRequest {
  placement: Placement;
  appearance?: SignatureAppearanceOptions;
  signer: AppearanceSigner;
  /** The time shown; pass the same Date as signPdf's `signingTime` (/M). */
  signingTime: Date;
  reason?: string;
  location?: string;
}

interface PlannedWidget extends WidgetPlacement {
  /** Draws the box at its displayed size. */
  layout: (width: number, height: number, fonts: FontSet) => AppearanceLayout;
  /** Widgets with the same kind, displayed size and rotation share one appearance stream. */
  kind: string;
  /** What the box says, for the copies' /Contents. */
  description: string;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/** Everything decided before signing: which widgets, and how each is drawn. */
export interface PlannedAppearance extends VisibleAppearance {
  readonly widgets: readonly WidgetPlacement[];
  /** Layout of the main signature box, for tests and previews. */
  readonly layouts: readonly AppearanceLayout[];
}

export async function prepareVisibleSignature(doc: OpenedPdf, request: VisibleSignatureRequest): Promise<PlannedAppearance> {
  const options = request.appearance ?? {};
  // A PDF/A file stays PDF/A: its declaration decides colour space, transparency and CIDSet (pdfa-rules.ts).
  const rules = appearanceRules(detectPdfA(doc));
  const image = options.image ? SignatureImage.load(options.image) : undefined;
  const ctx: AppearanceContext = {
    signer: request.signer,
    signingTime: request.signingTime,
    ...(request.reason ? { reason: request.reason } : {}),
    ...(request.location ? { location: request.location } : {}),
  };
  let text: TextIndex | undefined;
  const textIndex = async (): Promise<TextIndex> => (text ??= await TextIndex.open(doc.bytes));
  const measureFonts = new FontSet();
  const planned: PlannedWidget[] = [];
  try {
    const main = await resolvePlacement(doc, request.placement, { text: textIndex });
    for (const w of main) {
      planned.push({
        ...w,
        kind: 'signature',
        description: composeText(options, ctx).join('\n'),
        layout: (width, height, fonts) => layoutAppearance(options, ctx, { width, height }, fonts.measure, image),
      });
    }
    const stamps: [string, DocumentStamp | undefined][] = [['number', options.documentNumber], ['date', options.documentDate]];
    for (const [name, stamp] of stamps) {
      if (!stamp) continue;
      const size = stamp.fontSize ?? options.fontSize ?? DEFAULT_FONT_SIZE;
      const bold = stamp.bold ?? false;
      const natural = {
        width: Math.ceil(measureFonts.measure(stamp.text, size, bold) + 4),
        height: Math.ceil((ASCENT + DESCENT) * size + 2),
      };
      const at = await resolvePlacement(doc, stamp.placement, { text: textIndex, defaultSize: natural, defaultPosition: 'right', clearOfText: false });
      for (const w of at) {
        planned.push({ ...w, kind: `stamp-${name}`, description: stamp.text, layout: (width, height, fonts) => layoutStamp(stamp.text, { width, height }, size, bold, fonts.measure) });
      }
    }
  } finally {
    await text?.close();
  }

  const geometry = planned.map((w) => pageGeometry(doc, w.pageIndex));
  const displaySize = (rect: Rect, rotation: Rotation): [number, number] => {
    const w = round(rect[2] - rect[0]);
    const h = round(rect[3] - rect[1]);
    return rotation % 180 ? [h, w] : [w, h];
  };
  const first = planned[0]!;
  const previewFonts = new FontSet();
  const layouts = planned.flatMap((w, i) => (w.kind === 'signature' ? [w.layout(...displaySize(w.rect, geometry[i]!.rotation), previewFonts)] : []));

  return {
    pageIndex: first.pageIndex,
    rect: first.rect,
    widgets: planned.map(({ pageIndex, rect }) => ({ pageIndex, rect })),
    layouts,
    build(_doc: OpenedPdf, allocate: () => PdfRef): { appearance: PdfRef; objects: UpdateObject[]; copies?: AppearanceCopy[] } {
      const fonts = new FontSet();
      const objects: UpdateObject[] = [];
      const img = image?.emit(allocate, rules);
      if (img) objects.push(...img.objects);
      const forms = new Map<string, { ref: PdfRef; content: string; width: number; height: number; rotation: Rotation }>();
      const refs = planned.map((w, i) => {
        const rotation = geometry[i]!.rotation;
        const [width, height] = displaySize(w.rect, rotation);
        const key = `${w.kind}:${width}x${height}@${rotation}`;
        let form = forms.get(key);
        if (!form) {
          const layout = w.layout(width, height, fonts);
          const content = drawLayout(layout, fonts, {
            ...(options.border && w.kind === 'signature' ? { border: true } : {}),
            ...(img && layout.image ? { imageName: 'KysoImg' } : {}),
            ...(rules.colour ? { colour: rules.colour } : {}),
          });
          form = { ref: allocate(), content, width, height, rotation };
          forms.set(key, form);
        }
        return form.ref;
      });
      const { fonts: fontDict, objects: fontObjects } = fonts.emit(allocate, rules);
      objects.push(...fontObjects);
      const resources: [string, PdfObject][] = [['Font', fontDict]];
      if (img) resources.push(['XObject', new PdfDict([[PdfName.of('KysoImg'), img.ref]])]);
      const resourceDict = new PdfDict(resources);
      for (const f of forms.values()) {
        objects.push({ ref: f.ref, body: formXObject(f.content, f.width, f.height, f.rotation, resourceDict) });
      }
      const copies = planned.slice(1).map((w, i) => ({
        pageIndex: w.pageIndex, rect: w.rect, appearanceRef: refs[i + 1]!, description: w.description,
      }));
      return { appearance: refs[0]!, objects, ...(copies.length ? { copies } : {}) };
    },
  };
}

export interface VisibleSignOptions extends Omit<PdfSignOptions, 'appearance'> {
  placement: Placement;
  appearance?: SignatureAppearanceOptions;
}

/**
 * Signs with a visible signature: the signer's fields come from the key's certificate, the time shown is the
 * signature's /M. Everything else as signPdf.
 */
export async function signPdfVisible(input: Uint8Array | OpenedPdf, key: SigningKey, options: VisibleSignOptions): Promise<PdfSignResult> {
  const doc = input instanceof Uint8Array ? await openPdf(input) : input;
  const { placement, appearance, ...signOptions } = options;
  const signingTime = options.signingTime ?? new Date();
  const visible = await prepareVisibleSignature(doc, {
    placement,
    ...(appearance ? { appearance } : {}),
    signer: parseCertificate(key.certificate).subject,
    signingTime,
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.location ? { location: options.location } : {}),
  });
  return signPdf(doc, key, { ...signOptions, signingTime, appearance: visible });
}
