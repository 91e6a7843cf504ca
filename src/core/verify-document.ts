/**
 * One entry point for "check this file's signatures", whatever the format; CLI and agent share it.
 * `verifyDocument` parses in a document worker (isolation/); `verifyDocumentHere` is what the worker runs.
 */
import { KysoError } from './errors.js';
import { sniffDocumentType } from './document-type.js';
import type { PdfSignatureReport } from './pdf/verify.js';
import type { TimestampReport } from './tsa/report.js';
import { verifyDocumentIsolated, type IsolationGuard } from './isolation/documents.js';
import type { PdfValidation, SignatureValidation, ValidateOptions } from './validation/validate-pdf.js';
import type { RevisionHistory } from './validation/revisions.js';
import { checkChain, type ChainCheck } from './validation/trust.js';
import { RevocationSource } from './revocation/index.js';

export interface SignatureSummary {
  signer?: string;
  time?: Date;
  intact: boolean;
  /** One line: coverage and what was checked. */
  summary: string;
  problems: string[];
  /** Office documents: the signer's chain (PDF: see `validation`). */
  trust?: ChainCheck;
}

export interface DocumentVerification {
  format: 'pdf' | 'ooxml';
  signatures: SignatureSummary[];
  allIntact: boolean;
  pdf?: PdfSignatureReport[];
  /** PDF: revisions, levels and trust per signature (validation/validate-pdf.ts). */
  validation?: PdfValidation;
  /** 0 every signature intact, only allowed changes after, trusted; 1 broken, modified or unsigned; 3 intact but untrusted. */
  exitCode: 0 | 1 | 3;
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

/** What happened after the signature, in words: the same later bytes are a DSS or a red box, and the words differ. */
export function historyNote(h: RevisionHistory): string {
  if (h.verdict === 'unchanged') return 'không thay đổi, chữ ký phủ toàn bộ tệp / unchanged: covers the whole file';
  const changes = h.updates.flatMap((u) => u.changes);
  if (h.verdict === 'disallowed-changes') {
    const pages = h.changedPages.length ? ` (trang / page ${h.changedPages.join(', ')})` : '';
    const kinds = [...new Set(changes.filter((c) => !c.allowed).map((c) => c.kind))].join(', ');
    return `ĐÃ BỊ SỬA sau khi ký${pages} / MODIFIED after signing${pages}: ${kinds}`;
  }
  const kinds = [...new Set(changes.map((c) => c.kind))].join(', ');
  return `chỉ có bổ sung được phép / only allowed additions after signing (${kinds})`;
}

function pdfSummary(s: PdfSignatureReport, v: SignatureValidation): SignatureSummary {
  const coverage = historyNote(v.history);
  return {
    ...(s.signer?.commonName ? { signer: s.signer.commonName } : {}),
    ...(s.claimedTime ? { time: s.claimedTime } : {}),
    intact: v.verdict !== 'invalid' && v.verdict !== 'modified',
    summary: `${s.kind === 'document-timestamp' ? 'document timestamp / dấu thời gian tài liệu' : s.subFilter}; ${coverage}${timestampNote(s)}${s.ltv ? `; LTV data ${s.ltv.complete ? 'complete / đầy đủ' : 'incomplete / thiếu'}` : ''}`,
    problems: s.problems,
  };
}

export async function verifyDocumentHere(bytes: Uint8Array, options: ValidateOptions = {}): Promise<DocumentVerification> {
  const type = sniffDocumentType(bytes);
  if (type === 'pdf') {
    // The PDF engine loads here, in the document worker, not in every process importing this module.
    const v = await (await import('./validation/validate-pdf.js')).validatePdf(bytes, options);
    const reports = v.signatures.map((s) => s.details);
    return {
      format: 'pdf',
      signatures: v.signatures.map((s) => pdfSummary(s.details, s)),
      allIntact: reports.length > 0 && reports.every((r) => r.intact),
      pdf: reports,
      validation: v,
      exitCode: v.exitCode,
    };
  }
  if (type === 'zip' || type === 'cfb') {
    const { verifyOoxml } = await import('./ooxml/verify.js');
    const r = await verifyOoxml(bytes);
    const source = options.offline ? undefined : new RevocationSource({ at: new Date() });
    const signatures: SignatureSummary[] = [];
    for (const s of r.signatures) {
      // The signer's chain at the TSA time when the XAdES timestamp is valid, else at the signed claimed time.
      const tsOk = !!s.timestamp && s.timestamp.imprintMatches && s.timestamp.signatureValid;
      const at = tsOk ? s.timestamp!.time : s.signingTime;
      const trust = options.anchors && s.certificate && at
        ? await checkChain(s.certificate, s.certificates ?? [], { at, atIsTrusted: tsOk, anchors: options.anchors, material: { ocsps: [], crls: [] }, online: !options.offline, ...(source ? { source } : {}) })
        : undefined;
      signatures.push({
        ...(s.signer?.commonName ? { signer: s.signer.commonName } : {}),
        ...(s.signingTime ? { time: s.signingTime } : {}),
        intact: s.valid && s.coversAllParts,
        summary: `OOXML ${s.part}; ${s.coversAllParts ? 'covers the whole package / phủ toàn bộ tài liệu' : 'does not cover every part / không phủ toàn bộ tài liệu'}${s.timestamp ? stampedNote(s.timestamp) : ''}`,
        problems: s.problems,
        ...(trust ? { trust } : {}),
      });
    }
    const untrusted = options.anchors !== undefined && signatures.some((s) => !s.trust?.trusted);
    return { format: 'ooxml', allIntact: r.allValid, signatures, exitCode: !r.allValid ? 1 : untrusted ? 3 : 0 };
  }
  throw new KysoError('UNSUPPORTED_FORMAT');
}

/** Checks the signatures with the document parsed in a worker, under its deadline and memory caps. */
export function verifyDocument(bytes: Uint8Array, options: ValidateOptions = {}, guard?: IsolationGuard): Promise<DocumentVerification> {
  return verifyDocumentIsolated(bytes, options, guard);
}
