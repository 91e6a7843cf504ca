/**
 * `hash.sign`: for portals that prepare the PDF on their server and need only a signature over its digest.
 * format `cms`: a detached CMS SignedData with PAdES signed attributes (content-type, message-digest = the
 * digest, ESS signing-certificate-v2; no signing-time), ready for /Contents of a PAdES signature.
 * format `raw`: the bare signature value — RSA: PKCS#1 v1.5 over DigestInfo(digest); EC: DER ECDSA-Sig-Value.
 */
import { KysoError } from '../../core/errors.js';
import { buildSignedData } from '../../core/cms/signed-data.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { decodeBase64, signPrepared, toBase64, type PreparedSignature } from './common.js';

const DIGEST_LENGTH = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 } as const;
export const HASH_SIGN_DEFAULT_NAME = 'tài liệu do trang web chuẩn bị (document prepared by the site)';

export async function hashSign(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'hash.sign'>): Promise<ResultOf<'hash.sign'>> {
  return signPrepared(parts, ctx, params.certificateId, prepareHashSign(ctx, params));
}

export function prepareHashSign(ctx: RequestContext, params: Omit<ParamsOf<'hash.sign'>, 'certificateId'>): PreparedSignature<ResultOf<'hash.sign'>> {
  const digest = decodeBase64(params.digest, 64, 'the digest');
  if (digest.length !== DIGEST_LENGTH[params.algorithm]) {
    throw new KysoError('BAD_REQUEST', `a ${params.algorithm} digest is ${DIGEST_LENGTH[params.algorithm]} bytes, got ${digest.length}`);
  }
  const fileName = params.fileName ?? HASH_SIGN_DEFAULT_NAME;
  ctx.note({ fileName, size: digest.length });
  return {
    document: { fileName, size: digest.length },
    sign: async (key, certificate) => {
      ctx.progress('sign');
      const signature = params.format === 'cms'
        ? (await buildSignedData(key, { contentDigest: digest, hash: params.algorithm })).der
        : await key.signDigest(digest, params.algorithm);
      return {
        signature: toBase64(signature),
        format: params.format,
        algorithm: params.algorithm,
        signatureAlgorithm: key.keyType === 'RSA' ? 'RSASSA-PKCS1-v1_5' as const : 'ECDSA' as const,
        certificateId: certificate.id,
        certificate: toBase64(key.certificate),
        chain: key.chain.map(toBase64),
      };
    },
  };
}
