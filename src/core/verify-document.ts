/**
 * One entry point for "check this file's signatures", whatever the format; CLI and agent share it.
 * `verifyDocument` parses in a document worker (isolation/); `verifyDocumentHere` is what the worker runs.
 */
import { KysoError } from './errors.js';
import { sniffDocumentType } from './document-type.js';
import { verifyPdf, type PdfSignatureReport } from './pdf/verify.js';
import type { TimestampReport } from './tsa/report.js';
import { verifyDocumentIsolated, type IsolationGuard } from './isolation/documents.js';

export interface SignatureSummary {
  signer?: string;
  time?: Date;
  intact: boolean;
  /** One line: coverage and what was checked. */
  summary: string;
  problems: string[];
}

export interface DocumentVerification {
  format: 'pdf' | 'ooxml';
  signatures: SignatureSummary[];
  allIntact: boolean;
  pdf?: PdfSignatureReport[];
}

function timestampNote(s: PdfSignatureReport): string {
  if (s.kind === 'document-timestamp' || (!s.hasTimestamp && !s.timestamp)) return '';
  if (!s.timestamp) return '; timestamp unreadable';
  return stampedNote(s.timestamp);
}

function stampedNote(t: TimestampReport): string {
  const ok = t.imprintMatches && t.signatureValid;
  return `; timestamped ${t.time.toISOString()}${t.tsa ? ` by ${t.tsa}` : ''}${ok ? '' : ' (INVALID)'}`;
}

function pdfSummary(s: PdfSignatureReport): SignatureSummary {
  const coverage = s.coversWholeFile ? 'covers the whole file / phủ toàn bộ tệp' : `followed by ${s.bytesAfter} bytes of later changes / có thay đổi sau khi ký`;
  return {
    ...(s.signer?.commonName ? { signer: s.signer.commonName } : {}),
    ...(s.claimedTime ? { time: s.claimedTime } : {}),
    intact: s.intact,
    summary: `${s.kind === 'document-timestamp' ? 'document timestamp / dấu thời gian tài liệu' : s.subFilter}; ${coverage}${timestampNote(s)}${s.ltv ? `; LTV data ${s.ltv.complete ? 'complete / đầy đủ' : 'incomplete / thiếu'}` : ''}`,
    problems: s.problems,
  };
}

export async function verifyDocumentHere(bytes: Uint8Array): Promise<DocumentVerification> {
  const type = sniffDocumentType(bytes);
  if (type === 'pdf') {
    const r = await verifyPdf(bytes);
    return { format: 'pdf', signatures: r.signatures.map(pdfSummary), allIntact: r.allIntact, pdf: r.signatures };
  }
  if (type === 'zip' || type === 'cfb') {
    const { verifyOoxml } = await import('./ooxml/verify.js');
    const r = await verifyOoxml(bytes);
    return {
      format: 'ooxml',
      allIntact: r.allValid,
      signatures: r.signatures.map((s) => ({
        ...(s.signer?.commonName ? { signer: s.signer.commonName } : {}),
        ...(s.signingTime ? { time: s.signingTime } : {}),
        intact: s.valid && s.coversAllParts,
        summary: `OOXML ${s.part}; ${s.coversAllParts ? 'covers the whole package / phủ toàn bộ tài liệu' : 'does not cover every part / không phủ toàn bộ tài liệu'}${s.timestamp ? stampedNote(s.timestamp) : ''}`,
        problems: s.problems,
      })),
    };
  }
  throw new KysoError('UNSUPPORTED_FORMAT');
}

/** Checks the signatures with the document parsed in a worker, under its deadline and memory caps. */
export function verifyDocument(bytes: Uint8Array, guard?: IsolationGuard): Promise<DocumentVerification> {
  return verifyDocumentIsolated(bytes, guard);
}
