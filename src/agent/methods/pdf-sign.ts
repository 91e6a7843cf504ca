/** `pdf.sign`: a PAdES signature added to the page's PDF as one incremental update. */
import { KysoError } from '../../core/errors.js';
import { signPdf, type PdfSignResult } from '../../core/pdf/sign.js';
import type { Placement, SignatureAppearanceOptions } from '../../core/pdf/appearance/options.js';
import { documentFormat } from '../../core/sign-document.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { decodeBase64, signingSession, toBase64, throwIfAborted } from './common.js';

export async function pdfSign(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'pdf.sign'>): Promise<ResultOf<'pdf.sign'>> {
  const bytes = decodeBase64(params.document, parts.limits.maxDocumentBytes, 'the document');
  ctx.note({ fileName: params.fileName, size: bytes.length });
  if (documentFormat(bytes, params.fileName) !== 'pdf') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'pdf.sign takes a PDF');
  if (params.appearance && !params.placement) throw new KysoError('BAD_REQUEST', '`appearance` needs `placement`');
  if (params.placement === 'ask' && !parts.prompter.placement) throw new KysoError('BAD_REQUEST', 'this Kyso cannot ask the user where to place the signature; send a placement');

  let visible: { placement: Placement; appearance?: SignatureAppearanceOptions } | undefined =
    params.placement && params.placement !== 'ask' ? { placement: params.placement, ...(params.appearance ? { appearance: params.appearance } : {}) } : undefined;

  const text = {
    ...(params.reason !== undefined ? { reason: params.reason } : {}),
    ...(params.location !== undefined ? { location: params.location } : {}),
    ...(params.contactInfo !== undefined ? { contactInfo: params.contactInfo } : {}),
  };

  const askPlacement = params.placement === 'ask'
    ? async (certificate: Parameters<NonNullable<Parameters<typeof signingSession>[4]>>[0], signal: AbortSignal): Promise<void> => {
      ctx.progress('placement');
      const s = certificate.info.subject;
      const choice = await parts.prompter.placement!({
        origin: ctx.origin,
        fileName: params.fileName,
        bytes,
        signer: {
          ...(s.commonName ? { commonName: s.commonName } : {}),
          ...(s.organization ? { organization: s.organization } : {}),
          ...(s.organizationalUnit ? { organizationalUnit: s.organizationalUnit } : {}),
          ...(s.title ? { title: s.title } : {}),
          ...(s.email ? { email: s.email } : {}),
        },
        ...(params.reason !== undefined ? { reason: params.reason } : {}),
        ...(params.location !== undefined ? { location: params.location } : {}),
      }, params.appearance ? { appearance: params.appearance } : {}, { signal });
      visible = { placement: choice.placement, appearance: choice.appearance };
    }
    : undefined;

  const { result, certificateId, signer } = await signingSession(parts, ctx, {
    certificateId: params.certificateId,
    documents: [{ fileName: params.fileName, size: bytes.length }],
  }, async (key, certificate, signal) => {
    const options = { ...text, onProgress: (stage: 'open' | 'prepare' | 'digest' | 'sign' | 'embed') => { throwIfAborted(signal); ctx.progress(stage); } };
    let r: PdfSignResult;
    if (visible) {
      const { signPdfVisible } = await import('../../core/pdf/appearance/index.js');
      r = await signPdfVisible(bytes, key, { ...options, placement: visible.placement, ...(visible.appearance ? { appearance: visible.appearance } : {}) });
    } else {
      r = await signPdf(bytes, key, options);
    }
    return { result: r, certificateId: certificate.id, signer: certificate.info.subject.commonName };
  }, askPlacement);
  ctx.progress('done');
  return {
    document: toBase64(result.bytes),
    signature: {
      fieldName: result.fieldName,
      signingTime: result.signingTime.toISOString(),
      hash: result.hash,
      certificateId,
      ...(signer ? { signer } : {}),
      byteRange: [...result.byteRange],
      level: 'B-B',
    },
  };
}
