/** `pdf.verify`: every signature in a PDF, checked without the token or the network, in a document worker. */
import { KysoError } from '../../core/errors.js';
import { sniffDocumentType } from '../../core/document-type.js';
import { verifyPdfIsolated } from '../../core/isolation/documents.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { decodeBase64, documentGuard } from './common.js';
import { signerSummary } from './signer-summary.js';

export async function pdfVerify(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'pdf.verify'>): Promise<ResultOf<'pdf.verify'>> {
  const bytes = decodeBase64(params.document, parts.limits.maxDocumentBytes, 'the document');
  ctx.note({ size: bytes.length });
  if (sniffDocumentType(bytes) !== 'pdf') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'pdf.verify takes a PDF');
  const r = await parts.verifyQueue.run({ signal: ctx.signal, run: (signal) => verifyPdfIsolated(bytes, documentGuard(parts, signal)) });
  return {
    allIntact: r.allIntact,
    signatures: r.signatures.map((s) => ({
      fieldName: s.fieldName,
      kind: s.kind,
      subFilter: s.subFilter,
      ...(s.signer ? { signer: signerSummary(s.signer) } : {}),
      ...(s.claimedTime ? { claimedTime: s.claimedTime.toISOString() } : {}),
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      ...(s.location !== undefined ? { location: s.location } : {}),
      intact: s.intact,
      coversWholeFile: s.coversWholeFile,
      bytesAfter: s.bytesAfter,
      ...(s.timestamp ? { timestamp: { time: s.timestamp.time.toISOString(), ...(s.timestamp.tsa ? { tsa: s.timestamp.tsa } : {}), valid: s.timestamp.imprintMatches && s.timestamp.signatureValid } } : {}),
      problems: [...s.problems],
    })),
  };
}
