/** `pdf.sign`: a PAdES signature added to the page's PDF as one incremental update. */
import { KysoError } from '../../core/errors.js';
import { signPdf, type PdfSignResult } from '../../core/pdf/sign.js';
import type { Placement, SignatureAppearanceOptions } from '../../core/pdf/appearance/options.js';
import { PADES_LEVELS, documentFormat, type PadesLevel } from '../../core/sign-document.js';
import { assertMaySign, checkCertificate } from '../../core/revocation/check.js';
import { RevocationSource } from '../../core/revocation/source.js';
import { parseCertificate } from '../../core/cert/parse.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { decodeBase64, signingSession, toBase64, throwIfAborted } from './common.js';

export async function pdfSign(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'pdf.sign'>): Promise<ResultOf<'pdf.sign'>> {
  const bytes = decodeBase64(params.document, parts.limits.maxDocumentBytes, 'the document');
  ctx.note({ fileName: params.fileName, size: bytes.length });
  if (documentFormat(bytes, params.fileName) !== 'pdf') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'pdf.sign takes a PDF');
  if (params.appearance && !params.placement) throw new KysoError('BAD_REQUEST', '`appearance` needs `placement`');
  if (params.placement === 'ask' && !parts.prompter.placement) throw new KysoError('BAD_REQUEST', 'this Kyso cannot ask the user where to place the signature; send a placement');
  const level: PadesLevel = params.level ?? (parts.timestamp ? 'B-T' : 'B-B');
  const rank = PADES_LEVELS.indexOf(level);
  const tsa = parts.timestamp;
  if (rank >= 1 && !tsa) throw new KysoError('BAD_REQUEST', `${level} needs a timestamp server, and none is configured in Kyso`);

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
    const source = new RevocationSource();
    if (rank >= 1) {
      // As signDocument does: online check (validity, revocation) before the token signs; B-LT needs the status later.
      const check = await checkCertificate(key.certificate, key.chain, { online: true, source });
      assertMaySign(check);
      const unknown = check.problems.find((p) => p.code === 'revocation-unknown' || p.code === 'issuer-unknown');
      if (rank >= 2 && unknown) throw new KysoError('REVOCATION_UNAVAILABLE', `${unknown.en} ${unknown.detail ?? ''}`.trim());
      throwIfAborted(signal);
    }
    const options = {
      ...text,
      ...(rank >= 1 ? { timestamp: tsa! } : {}),
      onProgress: (stage: 'open' | 'prepare' | 'digest' | 'sign' | 'embed') => { throwIfAborted(signal); ctx.progress(stage); },
    };
    let r: PdfSignResult;
    if (visible) {
      const { signPdfVisible } = await import('../../core/pdf/appearance/index.js');
      r = await signPdfVisible(bytes, key, { ...options, placement: visible.placement, ...(visible.appearance ? { appearance: visible.appearance } : {}) });
    } else {
      r = await signPdf(bytes, key, options);
    }
    let bytesOut = r.bytes;
    if (rank >= 2) {
      const { addValidationData } = await import('../../core/pdf/dss.js');
      bytesOut = (await addValidationData(bytesOut, { fieldNames: [r.fieldName], source, extraCertificates: key.chain })).bytes;
    }
    if (rank >= 3) {
      const { timestampPdf } = await import('../../core/pdf/document-timestamp.js');
      bytesOut = (await timestampPdf(bytesOut, tsa!)).bytes;
    }
    return { result: { ...r, bytes: bytesOut }, certificateId: certificate.id, signer: certificate.info.subject.commonName };
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
      level,
      ...(result.timestamp ? { timestamp: { time: result.timestamp.info.genTime.toISOString(), ...tsaName(result.timestamp.tsaCertificate) } } : {}),
    },
  };
}

function tsaName(cert: Uint8Array | undefined): { tsa?: string } {
  if (!cert) return {};
  try {
    const cn = parseCertificate(cert).subject.commonName;
    return cn ? { tsa: cn } : {};
  } catch {
    return {};
  }
}
