/**
 * The PDF/A rules a signature's incremental update can break, checked on the objects the update adds — for the
 * parts PDFBox Preflight does not validate (PDF/A-2/3), and as a second opinion for PDF/A-1. Each check names its
 * clause of ISO 19005-1 / -2 (docs/pdfa.md lists them and which tool checks what). Read with @libpdf/core, not
 * with Kyso's own code; returns the violations as text (empty = none).
 */
import { PDF, PdfArray, PdfBool, PdfDict, PdfName, PdfNumber, PdfRef, PdfStream, PdfString, type PdfObject } from '@libpdf/core';

export type OutputIntentSpace = 'RGB' | 'CMYK' | 'Gray' | undefined;

const ALLOWED_DEVICE: Record<string, string[]> = {
  RGB: ['DeviceRGB', 'DeviceGray'], CMYK: ['DeviceCMYK', 'DeviceGray'], Gray: ['DeviceGray'], none: [],
};
const OPERATOR_SPACE: Record<string, string> = { rg: 'DeviceRGB', RG: 'DeviceRGB', k: 'DeviceCMYK', K: 'DeviceCMYK', g: 'DeviceGray', G: 'DeviceGray' };
const STANDARD_BLEND = ['Normal', 'Compatible', 'Multiply', 'Screen', 'Overlay', 'Darken', 'Lighten', 'ColorDodge', 'ColorBurn',
  'HardLight', 'SoftLight', 'Difference', 'Exclusion', 'Hue', 'Saturation', 'Color', 'Luminosity'];

const isTrue = (o: PdfObject | undefined): boolean => o instanceof PdfBool && o.value;

/** A comparable text form of a direct object (references as `N G R`). */
function show(o: PdfObject | undefined): string {
  if (o === undefined) return 'none';
  if (o instanceof PdfRef) return `${o.objectNumber} ${o.generation} R`;
  if (o instanceof PdfName) return `/${o.value}`;
  if (o instanceof PdfArray) return `[${[...o].map(show).join(' ')}]`;
  if (o instanceof PdfDict) return `<<${[...o].map(([k, v]) => `/${k.value} ${show(v)}`).join(' ')}>>`;
  if (o instanceof PdfString) return Buffer.from(o.bytes).toString('hex');
  return String((o as { value?: unknown }).value);
}

/** Object numbers defined after the original bytes (the update's `N G obj` headers). */
function updateObjectNumbers(original: Uint8Array, signed: Uint8Array): number[] {
  const tail = Buffer.from(signed.subarray(original.length)).toString('latin1');
  return [...new Set([...tail.matchAll(/(?:^|[\r\n])(\d+) 0 obj\b/g)].map((m) => Number(m[1])))];
}

/** The colour space of the PDF/A output intent's ICC profile (header bytes 16–19). */
export function outputIntentSpace(pdf: PDF): OutputIntentSpace {
  const r = (o: PdfObject | undefined): PdfObject | undefined => (o instanceof PdfRef ? pdf.getObject(o) ?? undefined : o);
  const intents = r(pdf.getCatalog().get('OutputIntents'));
  if (!(intents instanceof PdfArray)) return undefined;
  for (const i of intents) {
    const intent = r(i);
    if (!(intent instanceof PdfDict) || intent.getName('S')?.value !== 'GTS_PDFA1') continue;
    const profile = r(intent.get('DestOutputProfile'));
    if (!(profile instanceof PdfStream)) return undefined;
    const sig = Buffer.from(profile.getDecodedData().subarray(16, 20)).toString('latin1');
    return sig === 'RGB ' ? 'RGB' : sig === 'CMYK' ? 'CMYK' : sig === 'GRAY' ? 'Gray' : undefined;
  }
  return undefined;
}

export async function pdfaUpdateViolations(original: Uint8Array, signed: Uint8Array, part: number): Promise<string[]> {
  const before = await PDF.load(original);
  const pdf = await PDF.load(signed);
  const out: string[] = [];
  const r = (o: PdfObject | undefined): PdfObject | undefined => (o instanceof PdfRef ? pdf.getObject(o) ?? undefined : o);
  const intent = outputIntentSpace(pdf);
  const allowed = ALLOWED_DEVICE[intent ?? 'none']!;
  const added = updateObjectNumbers(original, signed);
  const addedSet = new Set(added);

  // §6.7.2 / -2 §6.6.2: the XMP declaration is the input's, untouched; the output intent too (§6.2.2 / -2 §6.2.3).
  const metaRef = (doc: PDF): string => show(doc.getCatalog().get('Metadata'));
  const metaBytes = (doc: PDF): string => {
    const m = doc.getCatalog().get('Metadata');
    const s = m instanceof PdfRef ? doc.getObject(m) : undefined;
    return s instanceof PdfStream ? Buffer.from(s.getDecodedData()).toString('latin1') : '';
  };
  if (metaRef(pdf) !== metaRef(before) || metaBytes(pdf) !== metaBytes(before) || !metaBytes(pdf)) out.push('6.7.2: catalog /Metadata changed or missing');
  const metadata = pdf.getCatalog().get('Metadata');
  if (metadata instanceof PdfRef && addedSet.has(metadata.objectNumber)) out.push('6.7.2: the update rewrites the XMP stream');
  if (show(pdf.getCatalog().get('OutputIntents')) !== show(before.getCatalog().get('OutputIntents'))) out.push('6.2.2: /OutputIntents changed');
  // §6.1.3: the trailer keeps /ID, no /Encrypt.
  const trailer = pdf.context.info.trailer;
  if (!trailer.get('ID')) out.push('6.1.3: trailer has no /ID');
  if (trailer.get('Encrypt')) out.push('6.1.3: trailer has /Encrypt');

  const checkValue = (o: PdfObject, where: string, depth = 0): void => {
    if (depth > 64) return;
    if (o instanceof PdfString && o.bytes.length > (part === 1 ? 65535 : 32767)) out.push(`6.1.12 (-2 §6.1.13): string of ${o.bytes.length} bytes in ${where}`);
    if (o instanceof PdfName && Buffer.byteLength(o.value, 'utf8') > 127) out.push(`6.1.12: name longer than 127 bytes in ${where}`);
    if (o instanceof PdfNumber) {
      if (Number.isInteger(o.value) && (o.value > 2147483647 || o.value < -2147483648)) out.push(`6.1.12: integer ${o.value} in ${where}`);
      if (!Number.isInteger(o.value) && part === 1 && Math.abs(o.value) > 32767) out.push(`6.1.12: real ${o.value} in ${where}`);
    }
    if (o instanceof PdfArray) for (const v of o) checkValue(v, where, depth + 1);
    if (o instanceof PdfDict) for (const [, v] of o) checkValue(v, where, depth + 1);
  };

  const deviceOf = (cs: PdfObject | undefined): string | undefined => {
    const v = r(cs);
    return v instanceof PdfName ? v.value : v instanceof PdfArray && v.at(0) instanceof PdfName ? (v.at(0) as PdfName).value : undefined;
  };
  const checkSpace = (space: string | undefined, where: string): void => {
    if (space?.startsWith('Device') && !allowed.includes(space)) out.push(`6.2.3.3 (-2 §6.2.4.3): ${space} in ${where} with a ${intent ?? 'missing'} output intent`);
  };

  for (const n of added) {
    const obj = pdf.getObject(PdfRef.of(n, 0));
    if (!obj) continue;
    const where = `object ${n}`;
    checkValue(obj, where);
    if (!(obj instanceof PdfDict)) continue;
    const type = obj.getName('Type')?.value;
    const subtype = obj.getName('Subtype')?.value;
    if (obj instanceof PdfStream) {
      // §6.1.7 / -2 §6.1.7: no external streams, no LZW.
      for (const k of ['F', 'FFilter', 'FDecodeParms']) if (obj.get(k)) out.push(`6.1.7: /${k} on ${where}`);
      const filters = r(obj.get('Filter'));
      const names = filters instanceof PdfArray ? [...filters].map((f) => (f instanceof PdfName ? f.value : '')) : filters instanceof PdfName ? [filters.value] : [];
      if (names.includes('LZWDecode')) out.push(`6.1.10: LZWDecode on ${where}`);
    }
    if (subtype === 'Image') {
      checkSpace(deviceOf(obj.get('ColorSpace')), where);
      if (obj.get('SMask') && part === 1) out.push(`6.4: /SMask on image ${where}`);
      const mask = r(obj.get('SMask'));
      if (mask instanceof PdfDict && deviceOf(mask.get('ColorSpace')) !== 'DeviceGray') out.push(`-2 §6.2.8: soft mask of ${where} not DeviceGray`);
      if (isTrue(r(obj.get('Interpolate')))) out.push(`6.2.4: /Interpolate true on ${where}`);
      for (const k of ['Alternates', 'OPI']) if (obj.get(k)) out.push(`6.2.4: /${k} on ${where}`);
    }
    if (subtype === 'Form' && obj instanceof PdfStream) {
      for (const k of ['OPI', 'PS', 'Ref']) if (obj.get(k)) out.push(`6.2.5: /${k} on form ${where}`);
      if (obj.getName('Subtype2')?.value === 'PS') out.push(`6.2.5: PostScript form ${where}`);
      const group = r(obj.get('Group'));
      if (part === 1 && group instanceof PdfDict && group.getName('S')?.value === 'Transparency') out.push(`6.4: transparency group on ${where}`);
      const content = Buffer.from(obj.getDecodedData()).toString('latin1');
      for (const m of content.matchAll(/(?:^|\s)(rg|RG|k|K|g|G)(?=\s|$)/g)) checkSpace(OPERATOR_SPACE[m[1]!], `${where} content (${m[1]})`);
      for (const m of content.matchAll(/\/(\w+)\s+(?:cs|CS)(?=\s|$)/g)) checkSpace(m[1], `${where} content`);
      if (/(?:^|\s)(?:sh|BI|PS)(?=\s|$)/.test(content)) out.push(`6.2.x: inline image, shading or PostScript in ${where}`);
      const resources = r(obj.get('Resources'));
      const gstates = resources instanceof PdfDict ? r(resources.get('ExtGState')) : undefined;
      if (gstates instanceof PdfDict) {
        for (const [name, v] of gstates) {
          const gs = r(v);
          if (!(gs instanceof PdfDict)) continue;
          if (gs.get('TR') || gs.get('HTP')) out.push(`6.2.8: /TR or /HTP in ExtGState ${name.value}`);
          const bm = gs.getName('BM')?.value;
          if (bm && !STANDARD_BLEND.includes(bm)) out.push(`-2 §6.2.10: blend mode ${bm}`);
          if (part === 1) {
            const smask = r(gs.get('SMask'));
            if (smask && !(smask instanceof PdfName && smask.value === 'None')) out.push(`6.4: ExtGState ${name.value} has a soft mask`);
            for (const k of ['CA', 'ca']) {
              const a = r(gs.get(k));
              if (a instanceof PdfNumber && a.value !== 1) out.push(`6.4: ExtGState ${name.value} /${k} ${a.value}`);
            }
            if (bm && bm !== 'Normal' && bm !== 'Compatible') out.push(`6.4: blend mode ${bm}`);
          }
        }
      }
    }
    if (type === 'Font' && subtype === 'Type0') {
      const descendant = r((r(obj.get('DescendantFonts')) as PdfArray | undefined)?.at(0));
      const descriptor = descendant instanceof PdfDict ? r(descendant.get('FontDescriptor')) : undefined;
      if (!(descriptor instanceof PdfDict) || !['FontFile', 'FontFile2', 'FontFile3'].some((k) => descriptor.get(k))) {
        out.push(`6.3.4 (-2 §6.2.11.4.1): font ${where} not embedded`);
      } else if (part === 1 && !(r(descriptor.get('CIDSet')) instanceof PdfStream)) {
        out.push(`6.3.5: no CIDSet in the descriptor of subset font ${where}`);
      }
      if (!obj.get('ToUnicode')) out.push(`6.3.8 (-2 §6.2.11.7): no ToUnicode on ${where}`);
    }
    if (subtype === 'Widget' || subtype === 'Stamp') {
      // §6.5.3 / -2 §6.3.2: printed, not hidden; -2 §6.3.3: the appearance dictionary holds only /N.
      const flags = obj.getNumber('F')?.value ?? 0;
      if (!(flags & 4) || flags & (1 | 2 | 32 | 256)) out.push(`6.5.3: annotation ${where} flags ${flags}`);
      const ap = r(obj.get('AP'));
      if (ap instanceof PdfDict && [...ap].some(([k]) => k.value !== 'N')) out.push(`6.5.3: /AP of ${where} has more than /N`);
      const ca = obj.getNumber('CA')?.value;
      if (part === 1 && ca !== undefined && ca !== 1) out.push(`6.5.3: /CA ${ca} on ${where}`);
    }
    // -2 §6.4.1: no /NeedAppearances true (the AcroForm is an object of its own or direct in the catalog).
    const acro = type === 'Catalog' ? r(obj.get('AcroForm')) : obj;
    if (acro instanceof PdfDict && isTrue(r(acro.get('NeedAppearances')))) out.push(`-2 §6.4.1: /NeedAppearances true in ${where}`);
  }
  if (added.length === 0) out.push('no update found');
  return out;
}
