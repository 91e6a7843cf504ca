/** `pdf.sign`: a PAdES signature added to the page's PDF as one incremental update. */
import { KysoError } from '../../core/errors.js';
import type { Placement, SignatureAppearanceOptions } from '../../core/pdf/appearance/options.js';
import { PADES_LEVELS, assertSignable, documentFormat, signDocument, type PadesLevel } from '../../core/sign-document.js';
import type { AttachmentRef, ParamsOf, ResultOf } from '../protocol.js';
import type { SigningKey } from '../../core/signing-key.js';
import type { DigestAfterOriginal } from '../../core/pdf/sign.js';
import { sha256AfterReceived } from '../attachments.js';
import type { SigningCertificate } from '../signing-certificate.js';
import type { AgentParts, RequestContext } from './context.js';
import type { SignedBytes } from '../../core/signed-output.js';
import { readDocument, writeDocument, toBase64, documentGuard, signPrepared, signatureCommon, type PreparedSignature } from './common.js';
import { throwIfAborted } from '../abortable.js';

/** From this size a received document's arrival hash is reused for its signature (one round trip to save a pass). */
const DIGEST_CONTINUATION_MIN_BYTES = 1024 * 1024;

export async function pdfSign(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'pdf.sign'>): Promise<ResultOf<'pdf.sign'>> {
  return signPrepared(parts, ctx, params.certificateId, preparePdfSign(parts, ctx, params, (bytes) => writeDocument(ctx, bytes)));
}

/** pdf.sign's result with the signed document as `write` gives it (base64 unless told otherwise). */
export type SignedPdfResult<D> = Omit<ResultOf<'pdf.sign'>, 'document'> & { document: D };

/**
 * Checks the request and the PDF (nobody is asked anything yet); the signing runs later in a session. `write`
 * turns the signed bytes into the answer's document: base64 by default, an attachment for a binary request.
 */
export async function preparePdfSign<D extends string | AttachmentRef = string>(
  parts: AgentParts, ctx: RequestContext, params: Omit<ParamsOf<'pdf.sign'>, 'certificateId'>,
  write: (bytes: SignedBytes) => D = toBase64 as (bytes: SignedBytes) => D,
): Promise<PreparedSignature<SignedPdfResult<D>>> {
  const bytes = readDocument(parts, ctx, params.document);
  ctx.note({ fileName: params.fileName, size: bytes.length });
  if (documentFormat(bytes, params.fileName) !== 'pdf') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'pdf.sign takes a PDF');
  // Left open in its worker for the signing (one parse per request) until the request is over.
  const { kept } = await assertSignable(bytes, params.fileName, documentGuard(parts, ctx.signal), ctx.atEnd !== undefined);
  if (kept) ctx.atEnd!(kept.release);
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
    ? async (certificate: SigningCertificate, signal: AbortSignal): Promise<void> => {
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

  // A large document that arrived as an attachment was hashed (SHA-256) on arrival: a SHA-256 signature's ByteRange
  // digest goes on from there instead of a second pass over it in the worker (small ones: not worth a round trip).
  const received = bytes.length >= DIGEST_CONTINUATION_MIN_BYTES ? sha256AfterReceived(bytes) : undefined;
  const digestAfterOriginal: DigestAfterOriginal | undefined = received && { hash: 'SHA-256', digest: async (rest) => new Uint8Array(received(rest)) };

  const sign = async (key: SigningKey, certificate: SigningCertificate, signal: AbortSignal): Promise<SignedPdfResult<D>> => {
    // The same signing path as the CLI: at B-T and above an online certificate check before the token signs
    // (the session already ran the offline one), then the signature, the DSS (B-LT) and the document timestamp (B-LTA).
    const result = await signDocument(bytes, key, {
      ...text,
      level,
      ...(rank >= 1 ? { timestamp: tsa! } : {}),
      certificateCheck: rank >= 1 ? 'online' : 'off',
      onCertificateCheck: () => throwIfAborted(signal),
      ...(visible ? { visible } : {}),
      ...(digestAfterOriginal ? { digestAfterOriginal } : {}),
      ...(ctx.quietStages ? {} : { onProgress: (stage) => { throwIfAborted(signal); ctx.progress(stage); } }),
    }, params.fileName, { ...documentGuard(parts, signal), handOver: true, ...(kept ? { kept } : {}) });
    // `bytes` now belongs to the worker (moved, not copied): nothing here reads it again.
    const signature = result.pdfSignature!;
    return {
      document: write(result),
      signature: { fieldName: signature.fieldName, ...signatureCommon(certificate, signature, result.timestamp), byteRange: [...signature.byteRange], level },
    };
  };
  return { document: { fileName: params.fileName, size: bytes.length }, sign, ...(askPlacement ? { beforeConfirm: askPlacement } : {}) };
}
