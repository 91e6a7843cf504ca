/**
 * One entry point for "sign this file", dispatching on the bytes (PDF today; Office packages with core/ooxml).
 */
import { KysoError } from './errors.js';
import { sniffDocumentType } from './document-type.js';
import { signPdf, type PdfSignOptions } from './pdf/sign.js';
import type { Placement, SignatureAppearanceOptions } from './pdf/appearance/index.js';
import type { SigningKey } from './signing-key.js';

export interface DocumentSignOptions {
  reason?: string;
  location?: string;
  contactInfo?: string;
  signingTime?: Date;
  onProgress?: PdfSignOptions['onProgress'];
  /** A visible signature (PDF only): where, and how it looks. Absent: an invisible signature. */
  visible?: { placement: Placement; appearance?: SignatureAppearanceOptions };
}

export interface DocumentSignResult {
  format: 'pdf' | 'ooxml';
  bytes: Uint8Array;
}

/** The format to treat a file as: its bytes, or when they are unrecognisable, what its name claims (so a broken .pdf is DOCUMENT_CORRUPT). */
export function documentFormat(bytes: Uint8Array, fileName?: string): 'pdf' | 'ooxml' | 'unknown' {
  const type = sniffDocumentType(bytes);
  if (type === 'pdf') return 'pdf';
  if (type === 'zip' || type === 'cfb') return 'ooxml';
  const ext = fileName ? /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() : undefined;
  if (ext === 'pdf') return 'pdf';
  if (ext && ['docx', 'xlsx', 'pptx', 'docm', 'xlsm', 'pptm'].includes(ext)) return 'ooxml';
  return 'unknown';
}

export async function signDocument(bytes: Uint8Array, key: SigningKey, options: DocumentSignOptions = {}, fileName?: string): Promise<DocumentSignResult> {
  const type = documentFormat(bytes, fileName);
  if (type === 'pdf') {
    const { visible, ...pdfOptions } = options;
    // The appearance code pulls in pdf.js and fonts: load it only for visible signatures.
    const result = visible
      ? await (await import('./pdf/appearance/index.js')).signPdfVisible(bytes, key, { ...pdfOptions, ...visible })
      : await signPdf(bytes, key, pdfOptions);
    return { format: 'pdf', bytes: result.bytes };
  }
  if (type === 'ooxml') throw new KysoError('UNSUPPORTED_FORMAT', 'Office documents: not yet');
  throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT');
}
