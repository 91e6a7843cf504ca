/** `docx.sign`: an OPC package signature (as Microsoft Office writes it) added to the page's Office document. */
import { KysoError } from '../../core/errors.js';
import { assertSignable, documentFormat, signDocument } from '../../core/sign-document.js';
import type { AttachmentRef, ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import type { SignedBytes } from '../../core/signed-output.js';
import { readDocument, writeDocument, toBase64, documentGuard, signPrepared, signatureCommon, type PreparedSignature } from './common.js';
import { throwIfAborted } from '../abortable.js';

export async function docxSign(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'docx.sign'>): Promise<ResultOf<'docx.sign'>> {
  return signPrepared(parts, ctx, params.certificateId, prepareDocxSign(parts, ctx, params, (bytes) => writeDocument(ctx, bytes)));
}

/** docx.sign's result with the signed package as `write` gives it (base64 unless told otherwise). */
export type SignedDocxResult<D> = Omit<ResultOf<'docx.sign'>, 'document'> & { document: D };

/** Checks the request and the package (nobody is asked anything yet); the signing runs later in a session. `write` as for preparePdfSign. */
export async function prepareDocxSign<D extends string | AttachmentRef = string>(
  parts: AgentParts, ctx: RequestContext, params: Omit<ParamsOf<'docx.sign'>, 'certificateId'>,
  write: (bytes: SignedBytes) => D = toBase64 as (bytes: SignedBytes) => D,
): Promise<PreparedSignature<SignedDocxResult<D>>> {
  const bytes = readDocument(parts, ctx, params.document);
  ctx.note({ fileName: params.fileName, size: bytes.length });
  if (documentFormat(bytes, params.fileName) !== 'ooxml') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'docx.sign takes an Office document (.docx, .xlsx, .pptx)');
  await assertSignable(bytes, params.fileName, documentGuard(parts, ctx.signal));
  const level = params.level ?? (parts.timestamp ? 'B-T' : 'B-B');
  const tsa = parts.timestamp;
  if (level === 'B-T' && !tsa) throw new KysoError('BAD_REQUEST', 'B-T needs a timestamp server, and none is configured in Kyso');

  return {
    document: { fileName: params.fileName, size: bytes.length },
    sign: async (key, certificate, signal) => {
      // The session ran the offline certificate check before the confirmation; the signature checks itself (signOoxml).
      const result = await signDocument(bytes, key, {
        level,
        ...(level === 'B-T' ? { timestamp: tsa! } : {}),
        ...(params.reason !== undefined ? { reason: params.reason } : {}),
        certificateCheck: 'off',
        ...(ctx.quietStages ? {} : { onProgress: (stage) => { throwIfAborted(signal); ctx.progress(stage); } }),
      }, params.fileName, { ...documentGuard(parts, signal), handOver: true });
      // `bytes` now belongs to the worker (moved, not copied): nothing here reads it again.
      const signature = result.ooxmlSignature!;
      return {
        document: write(result),
        signature: { part: signature.part, ...signatureCommon(certificate, signature, result.timestamp), level },
      };
    },
  };
}
