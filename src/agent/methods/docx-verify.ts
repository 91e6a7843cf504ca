/**
 * `docx.verify`: every package signature of an Office document, reported as pdf.verify reports a PDF's — verdict,
 * signer, time (TSA or claimed, Vietnam time), XAdES level, changed or uncovered parts, trust of signer and TSA to
 * the agent's anchors — checked in a document worker, without the token and without the network.
 */
import { KysoError } from '../../core/errors.js';
import { documentFormat } from '../../core/sign-document.js';
import { verifyDocumentIsolated } from '../../core/isolation/documents.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { readDocument, documentGuard } from './common.js';
import { signerSummary } from './signer-summary.js';
import { agentAnchors, timeSummary, trustProblems } from './verification-summary.js';

export async function docxVerify(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'docx.verify'>): Promise<ResultOf<'docx.verify'>> {
  const bytes = readDocument(parts, ctx, params.document);
  ctx.note({ size: bytes.length });
  if (documentFormat(bytes) !== 'ooxml') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'docx.verify takes an Office document');
  // offline: the file names the URLs (AIA, OCSP, CRL); a page's file must not make the agent fetch them.
  const r = await parts.verifyQueue.run({ signal: ctx.signal, run: (signal) => verifyDocumentIsolated(bytes, { anchors: agentAnchors(parts), offline: true }, documentGuard(parts, signal)) });
  const validated = r.ooxml?.signatures ?? [];
  return {
    allValid: validated.length > 0 && validated.every((v) => v.details.valid && v.details.coversAllParts),
    signatures: validated.map(({ details: s, ...v }) => ({
      part: s.part,
      ...(s.signer ? { signer: signerSummary(s.signer) } : {}),
      ...(s.signingTime ? { claimedTime: s.signingTime.toISOString(), signingTime: s.signingTime.toISOString() } : {}),
      ...(s.comment ? { reason: s.comment } : {}),
      ...(s.timestamp ? { timestamp: { time: s.timestamp.time.toISOString(), ...(s.timestamp.tsa ? { tsa: s.timestamp.tsa } : {}), valid: s.timestamp.imprintMatches && s.timestamp.signatureValid } } : {}),
      verdict: v.verdict,
      ...timeSummary(v.time),
      ...(v.level ? { level: v.level } : {}),
      changesAfter: s.changedParts.length || s.uncoveredParts.length ? 'disallowed' as const : 'none' as const,
      changedParts: [...s.changedParts],
      uncoveredParts: [...s.uncoveredParts],
      trusted: v.trust?.trusted ?? false,
      trustProblems: trustProblems(v.trust),
      valid: s.valid,
      coversAllParts: s.coversAllParts,
      problems: [...s.problems],
      notes: [...s.notes],
    })),
  };
}
