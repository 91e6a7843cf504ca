/** `docx.verify`: every package signature of an Office document, checked without the token or the network, in a document worker. */
import { KysoError } from '../../core/errors.js';
import { documentFormat } from '../../core/sign-document.js';
import { verifyOoxmlIsolated } from '../../core/isolation/documents.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { readDocument, documentGuard } from './common.js';
import { signerSummary } from './signer-summary.js';

export async function docxVerify(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'docx.verify'>): Promise<ResultOf<'docx.verify'>> {
  const bytes = readDocument(parts, ctx, params.document);
  ctx.note({ size: bytes.length });
  if (documentFormat(bytes) !== 'ooxml') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'docx.verify takes an Office document');
  const r = await parts.verifyQueue.run({ signal: ctx.signal, run: (signal) => verifyOoxmlIsolated(bytes, documentGuard(parts, signal)) });
  return {
    allValid: r.allValid,
    signatures: r.signatures.map((s) => ({
      part: s.part,
      ...(s.signer ? { signer: signerSummary(s.signer) } : {}),
      ...(s.signingTime ? { signingTime: s.signingTime.toISOString() } : {}),
      ...(s.comment ? { reason: s.comment } : {}),
      ...(s.timestamp ? { timestamp: { time: s.timestamp.time.toISOString(), ...(s.timestamp.tsa ? { tsa: s.timestamp.tsa } : {}), valid: s.timestamp.imprintMatches && s.timestamp.signatureValid } } : {}),
      valid: s.valid,
      coversAllParts: s.coversAllParts,
      problems: [...s.problems],
      notes: [...s.notes],
    })),
  };
}
