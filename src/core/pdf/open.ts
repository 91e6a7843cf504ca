/**
 * Opens a PDF for signing or verification, turning every way a file can be unusable into a typed error:
 * encrypted with a user password (or a handler we cannot write for) → DOCUMENT_ENCRYPTED; unreadable, or readable only by
 * reconstructing a lost cross-reference table (the file is damaged: what the user sees may not be what they sign)
 * → DOCUMENT_CORRUPT. Before the library parses anything, a pre-scan refuses what makes it loop or explode
 * (syntax-guard.ts) and a budget caps what it may inflate (decode-budget.ts) → DOCUMENT_TOO_COMPLEX.
 * A file encrypted with the empty user password opens: `encryption` carries what our update must be encrypted
 * with, and whether the author's permissions allow signing (checked before any update, see assertMayUpdate).
 */
import { PDF, PdfDict, PermissionDeniedError, SecurityError } from '@libpdf/core';
import { KysoError } from '../errors.js';
import { assertWithinBudget, startDecodeBudget } from './decode-budget.js';
import { assertPdfSyntaxSafe } from './syntax-guard.js';
import { assertMayAddSignature, documentEncryption, type DocumentEncryption } from './crypt/document-encryption.js';

export type XrefStyle = 'table' | 'stream';

export interface OpenedPdf {
  readonly pdf: PDF;
  readonly bytes: Uint8Array;
  /** Offset named by the last `startxref`: the /Prev of our update. */
  readonly startxref: number;
  /** Style of the section at `startxref`, which our update repeats. */
  readonly xrefStyle: XrefStyle;
  readonly trailer: PdfDict;
  /** Present when the file is encrypted (it opened with the empty user password). */
  readonly encryption?: DocumentEncryption;
}

/** Throws DOCUMENT_SIGNING_FORBIDDEN when the file's permissions forbid adding a signature. */
export function assertMayUpdate(doc: OpenedPdf): void {
  assertMayAddSignature(doc.encryption);
}

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, Math.min(end, bytes.length) - start)).toString('latin1');

/** Finds the last `startxref N` in the file's tail. */
export function lastStartxref(bytes: Uint8Array): number | undefined {
  const tail = ascii(bytes, Math.max(0, bytes.length - 4096), bytes.length);
  const m = /startxref\s+(\d+)\s+%%EOF/g;
  let found: number | undefined;
  for (let r = m.exec(tail); r; r = m.exec(tail)) found = Number(r[1]);
  return found;
}

function xrefStyleAt(bytes: Uint8Array, offset: number): XrefStyle | undefined {
  const head = ascii(bytes, offset, offset + 64);
  if (/^\s*xref\b/.test(head)) return 'table';
  if (/^\s*\d+\s+\d+\s+obj\b/.test(head)) return 'stream';
  return undefined;
}

function isEncryptionError(err: unknown): boolean {
  if (err instanceof SecurityError || err instanceof PermissionDeniedError) return true;
  const msg = String((err as Error)?.message ?? '');
  return /encrypt|password|decrypt|security handler/i.test(msg);
}

export async function openPdf(bytes: Uint8Array): Promise<OpenedPdf> {
  const header = ascii(bytes, 0, 1024);
  if (!header.includes('%PDF-')) throw new KysoError('DOCUMENT_CORRUPT', 'no %PDF header');
  await startDecodeBudget(bytes.length);
  assertPdfSyntaxSafe(bytes);
  let pdf: PDF;
  try {
    pdf = await PDF.load(bytes);
    assertWithinBudget();
  } catch (cause) {
    if (cause instanceof KysoError) throw cause;
    assertWithinBudget();
    if (isEncryptionError(cause)) throw new KysoError('DOCUMENT_ENCRYPTED', (cause as Error).message, { cause });
    throw new KysoError('DOCUMENT_CORRUPT', (cause as Error)?.message, { cause });
  }
  // Owner-password-only files open; our update's strings and streams are then encrypted with the file key.
  const encryption = pdf.isEncrypted ? documentEncryption(pdf) : undefined;
  if (pdf.recoveredViaBruteForce) throw new KysoError('DOCUMENT_CORRUPT', 'cross-reference table is damaged');
  let pages: number;
  try {
    pages = pdf.getPageCount();
  } catch (cause) {
    assertWithinBudget();
    throw new KysoError('DOCUMENT_CORRUPT', 'page tree unreadable', { cause });
  }
  assertWithinBudget();
  if (pages < 1) throw new KysoError('DOCUMENT_CORRUPT', 'document has no pages');
  const startxref = lastStartxref(bytes);
  if (startxref === undefined) throw new KysoError('DOCUMENT_CORRUPT', 'no startxref at end of file');
  const xrefStyle = xrefStyleAt(bytes, startxref);
  if (!xrefStyle) throw new KysoError('DOCUMENT_CORRUPT', `startxref ${startxref} does not point at a cross-reference section`);
  const trailer = pdf.context.info.trailer;
  if (!trailer.getRef('Root')) throw new KysoError('DOCUMENT_CORRUPT', 'trailer has no /Root');
  return { pdf, bytes, startxref, xrefStyle, trailer, ...(encryption ? { encryption } : {}) };
}
