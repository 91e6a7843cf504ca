/**
 * `batch.sign`: several PDFs and Office documents in one session — one certificate, one confirmation listing
 * them all, one PIN. Each document is checked first, exactly as its own method would (nobody is asked about a
 * batch that cannot be signed); then all are signed, or the request fails and nothing is returned.
 */
import { KysoError, toKysoError, type ErrorCode } from '../../core/errors.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { signingSession, type PreparedSignature } from './common.js';
import { preparePdfSign } from './pdf-sign.js';
import { prepareDocxSign } from './docx-sign.js';

type Signed = ResultOf<'batch.sign'>['documents'][number];

/** An error about one document of a batch: the page learns which (`error.data.document`, from 1). */
export class DocumentError extends KysoError {
  constructor(code: ErrorCode, readonly document: number, detail?: string, options?: { cause?: unknown }) {
    super(code, detail, options);
  }
}

function forDocument(err: unknown, index: number): DocumentError {
  const e = toKysoError(err);
  return new DocumentError(e.code, index + 1, e.detail, { cause: err });
}

export async function batchSign(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'batch.sign'>): Promise<ResultOf<'batch.sign'>> {
  const prepared: Array<PreparedSignature<Signed>> = [];
  for (const [i, d] of params.documents.entries()) {
    try {
      if (d.type === 'pdf') {
        const { type, ...p } = d;
        const one = await preparePdfSign(parts, ctx, p);
        prepared.push({ ...one, sign: async (k, c, s) => ({ type, ...(await one.sign(k, c, s)) }) });
      } else {
        const { type, ...p } = d;
        const one = await prepareDocxSign(parts, ctx, p);
        prepared.push({ ...one, sign: async (k, c, s) => ({ type, ...(await one.sign(k, c, s)) }) });
      }
    } catch (err) {
      throw forDocument(err, i);
    }
  }
  ctx.note({ fileName: `${prepared.length} documents`, size: prepared.reduce((n, p) => n + p.document.size, 0) });
  const documents = await signingSession(parts, ctx, { certificateId: params.certificateId, documents: prepared.map((p) => p.document) }, async (key, certificate, signal) => {
    const out: Signed[] = [];
    for (const [i, p] of prepared.entries()) {
      try {
        out.push(await p.sign(key, certificate, signal));
      } catch (err) {
        throw forDocument(err, i);
      }
    }
    return out;
  }, async (certificate, signal) => {
    for (const p of prepared) await p.beforeConfirm?.(certificate, signal);
  });
  ctx.progress('done');
  return { documents };
}
