/** `docx.sign`: an OPC package signature (as Microsoft Office writes it) added to the page's Office document. */
import { KysoError } from '../../core/errors.js';
import { assertSignable, documentFormat, signDocument } from '../../core/sign-document.js';
import { defaultHash, verifyOoxml } from '../../core/ooxml/index.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { decodeBase64, signingSession, throwIfAborted, toBase64 } from './common.js';

export async function docxSign(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'docx.sign'>): Promise<ResultOf<'docx.sign'>> {
  const bytes = decodeBase64(params.document, parts.limits.maxDocumentBytes, 'the document');
  ctx.note({ fileName: params.fileName, size: bytes.length });
  if (documentFormat(bytes, params.fileName) !== 'ooxml') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'docx.sign takes an Office document (.docx, .xlsx, .pptx)');
  await assertSignable(bytes, params.fileName);

  const { signed, signingTime, hash, certificateId, signer } = await signingSession(parts, ctx, {
    certificateId: params.certificateId,
    documents: [{ fileName: params.fileName, size: bytes.length }],
  }, async (key, certificate, signal) => {
    ctx.progress('sign');
    // Whole seconds: SignatureTime and XAdES SigningTime carry no fraction, and the result must say what is signed.
    const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
    const r = await signDocument(bytes, key, {
      signingTime,
      ...(params.reason !== undefined ? { reason: params.reason } : {}),
      certificateCheck: 'off', // the session ran the offline check before the confirmation
    }, params.fileName);
    throwIfAborted(signal);
    return { signed: r.bytes, signingTime, hash: defaultHash(key), certificateId: certificate.id, signer: certificate.info.subject.commonName };
  });

  // Never hand back a package whose new signature does not verify.
  ctx.progress('embed');
  const report = await verifyOoxml(signed);
  const mine = report.signatures.filter((s) => s.signer?.fingerprint === certificateId && s.signingTime?.getTime() === signingTime.getTime()).pop();
  if (!mine || !mine.valid) throw new KysoError('INTERNAL', `the new signature does not verify: ${mine?.problems.join('; ') ?? 'not found'}`);
  ctx.progress('done');
  return {
    document: toBase64(signed),
    signature: {
      part: mine.part,
      signingTime: signingTime.toISOString(),
      hash,
      certificateId,
      ...(signer ? { signer } : {}),
    },
  };
}
