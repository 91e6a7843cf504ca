/**
 * `pdf.verify`: every signature in a PDF with its history — what changed after it (changed pages named), when
 * (TSA or claimed), level, and whether it chains to a built-in anchor — checked in a document worker, without the
 * token and without the network: a page's file must not make the agent fetch the URLs it names.
 */
import { KysoError } from '../../core/errors.js';
import { sniffDocumentType } from '../../core/document-type.js';
import { verifyDocumentIsolated } from '../../core/isolation/documents.js';
import { builtInAnchors } from '../../core/validation/trust.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { readDocument, documentGuard } from './common.js';
import { signerSummary } from './signer-summary.js';

export async function pdfVerify(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'pdf.verify'>): Promise<ResultOf<'pdf.verify'>> {
  const bytes = readDocument(parts, ctx, params.document);
  ctx.note({ size: bytes.length });
  if (sniffDocumentType(bytes) !== 'pdf') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'pdf.verify takes a PDF');
  const r = await parts.verifyQueue.run({ signal: ctx.signal, run: (signal) => verifyDocumentIsolated(bytes, { anchors: [...builtInAnchors(), ...(parts.trustAnchors ?? [])], offline: true }, documentGuard(parts, signal)) });
  const validated = r.validation?.signatures ?? [];
  const CHANGES = { 'unchanged': 'none', 'allowed-changes': 'allowed', 'disallowed-changes': 'disallowed' } as const;
  return {
    allIntact: validated.length > 0 && validated.every((v) => v.details.intact),
    allValid: validated.length > 0 && validated.every((v) => v.details.intact && v.history.verdict !== 'disallowed-changes'),
    signatures: validated.map(({ details: s, ...v }) => ({
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
      verdict: v.verdict,
      ...(v.time && !Number.isNaN(v.time.at.getTime()) ? { time: { at: v.time.at.toISOString(), local: v.time.local, source: v.time.source } } : {}),
      ...(v.level ? { level: v.level } : {}),
      changesAfter: CHANGES[v.history.verdict],
      changedPages: [...v.history.changedPages],
      trusted: v.trust?.trusted ?? false,
      problems: [...v.problems],
    })),
  };
}
