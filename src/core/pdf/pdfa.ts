/**
 * Whether a PDF declares PDF/A conformance (ISO 19005), and what its PDF/A output intent prints in.
 *
 * The declaration is the catalog's XMP /Metadata: `pdfaid:part` and `pdfaid:conformance` in the namespace
 * http://www.aiim.org/pdfa/ns/id/, written as attributes of rdf:Description (`pdfaid:part="1"`) or as elements
 * (`<pdfaid:part>1</pdfaid:part>`), under whatever prefix the packet binds to that namespace. The output intent
 * is the /OutputIntents entry with /S /GTS_PDFA1 (every part uses that subtype); its ICC profile's colour space
 * decides which device colour spaces the file may use (ISO 19005-1 §6.2.3.3, -2 §6.2.4.3).
 *
 * Pure reading: nothing here changes the document, so the declaration our incremental update leaves in place is
 * the input's own.
 */
import { PdfArray, PdfDict, PdfRef, PdfStream, type PdfObject } from '@libpdf/core';
import type { OpenedPdf } from './open.js';

export const PDFAID_NS = 'http://www.aiim.org/pdfa/ns/id/';

/** Device colour family of an ICC profile, from its header (ICC.1 §7.2.6, data colour space). */
export type IccColourSpace = 'RGB' | 'CMYK' | 'Gray' | 'other';

export interface PdfAId {
  /** 1, 2, 3 or 4. */
  part: number;
  /** "A", "B" or "U" (absent for PDF/A-4 without a level). */
  conformance?: string;
}

export interface PdfAProfile extends PdfAId {
  /** Colour space of the PDF/A output intent's profile; absent when the file has none. */
  outputIntent?: IccColourSpace;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Namespace prefixes looked at: a real packet binds one; a hostile one must not multiply the scans. */
const MAX_PREFIXES = 4;

/**
 * `part` and `conformance` from an XMP packet, or undefined when it does not declare PDF/A. The packet comes from
 * the document: every pattern is linear (no nested or overlapping repetition), values are trimmed afterwards.
 */
export function parsePdfAId(xmp: string): PdfAId | undefined {
  const prefixes = new Set<string>();
  const bind = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${escapeRegExp(PDFAID_NS)}["']`, 'g');
  for (let m = bind.exec(xmp); m && prefixes.size < MAX_PREFIXES; m = bind.exec(xmp)) prefixes.add(m[1]!);
  const read = (name: string): string | undefined => {
    for (const p of prefixes) {
      const q = `${escapeRegExp(p)}:${name}`;
      const value = new RegExp(`\\s${q}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(xmp)?.slice(1).find((v) => v !== undefined)
        ?? new RegExp(`<${q}(?:\\s[^>]*)?>([^<]*)</${q}\\s*>`).exec(xmp)?.[1];
      if (value?.trim()) return value.trim();
    }
    return undefined;
  };
  const part = Number(read('part'));
  if (!Number.isInteger(part) || part < 1) return undefined;
  const conformance = read('conformance')?.toUpperCase();
  return { part, ...(conformance ? { conformance } : {}) };
}

/** The data colour space named in an ICC profile's header (bytes 16–19). */
export function iccColourSpace(profile: Uint8Array): IccColourSpace {
  const sig = Buffer.from(profile.subarray(16, 20)).toString('latin1');
  if (sig === 'RGB ') return 'RGB';
  if (sig === 'CMYK') return 'CMYK';
  if (sig === 'GRAY') return 'Gray';
  return 'other';
}

function resolve(doc: OpenedPdf, o: PdfObject | undefined): PdfObject | undefined {
  return o instanceof PdfRef ? (doc.pdf.getObject(o) ?? undefined) : o;
}

function decoded(stream: PdfStream): Uint8Array | undefined {
  try { return stream.getDecodedData(); } catch { return undefined; }
}

function outputIntentSpace(doc: OpenedPdf, catalog: PdfDict): IccColourSpace | undefined {
  const intents = resolve(doc, catalog.get('OutputIntents'));
  if (!(intents instanceof PdfArray)) return undefined;
  for (const item of intents) {
    const intent = resolve(doc, item);
    if (!(intent instanceof PdfDict) || intent.getName('S')?.value !== 'GTS_PDFA1') continue;
    const profile = resolve(doc, intent.get('DestOutputProfile'));
    if (!(profile instanceof PdfStream)) return undefined;
    const bytes = decoded(profile);
    const fromHeader = bytes && bytes.length >= 128 ? iccColourSpace(bytes) : 'other';
    if (fromHeader !== 'other') return fromHeader;
    // A header we cannot read: the ICCBased stream's /N names the component count.
    return ({ 1: 'Gray', 3: 'RGB', 4: 'CMYK' } as Record<number, IccColourSpace>)[profile.getNumber('N')?.value ?? 0] ?? 'other';
  }
  return undefined;
}

/** The PDF/A declaration of `doc` with its output intent, or undefined for a file that does not claim PDF/A. */
export function detectPdfA(doc: OpenedPdf): PdfAProfile | undefined {
  const catalog = doc.pdf.getCatalog();
  const metadata = resolve(doc, catalog.get('Metadata'));
  if (!(metadata instanceof PdfStream)) return undefined;
  const bytes = decoded(metadata);
  if (!bytes) return undefined;
  // XMP in PDF is UTF-8 (ISO 16684-1 allows UTF-16/32, no PDF/A writer we know of uses them).
  const id = parsePdfAId(Buffer.from(bytes).toString('utf8'));
  if (!id) return undefined;
  const outputIntent = outputIntentSpace(doc, catalog);
  return { ...id, ...(outputIntent ? { outputIntent } : {}) };
}
