/**
 * `batch.sign`: several PDFs and Office documents in one session — one certificate, one confirmation listing
 * them all, one PIN, one login. Each document is checked first, exactly as its own method would (nobody is asked
 * about a batch that cannot be signed); then they are signed one after the other, or the request fails and
 * nothing is returned.
 *
 * Memory: the documents together may not exceed `limits.maxDocumentBytes` (decoded), the budget of one
 * document, so a batch costs what one document of the largest size would: the request, the signed answers
 * (base64) and the work of one document at a time — each signed document is encoded for the answer as soon as
 * it is signed, and its buffers are dropped before the next one starts.
 */
import { KysoError, toKysoError, type ErrorCode } from '../../core/errors.js';
import type { ParamsOf, ResultOf } from '../protocol.js';
import { base64DecodedLength } from '../protocol-constants.js';
import type { AgentParts, ProgressStage, RequestContext } from './context.js';
import { signingSession, writeDocument, type PreparedSignature } from './common.js';
import { preparePdfSign } from './pdf-sign.js';
import { prepareDocxSign } from './docx-sign.js';
import { documentWorkers } from '../../core/isolation/documents.js';
import type { SigningKey } from '../../core/signing-key.js';
import { isRemote } from '../signing-certificate.js';
import { signRemoteBatch } from './remote-batch.js';

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

/** Stages inside one document's signing: in a batch the page hears one `sign` per document instead. */
const SIGNING_STAGES: ReadonlySet<ProgressStage> = new Set(['open', 'prepare', 'digest', 'sign', 'embed']);

/**
 * `fn` over `items`, at most `limit` at a time (the document workers work in parallel), results in order. After
 * a failure nothing more starts; once the running ones end, the failure of the lowest index is thrown, so the
 * error names the first bad document whatever the timing.
 */
async function inOrder<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const failures: Array<{ index: number; err: unknown }> = [];
  const lane = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failures.push({ index: i, err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failures.length) throw failures.reduce((a, b) => (b.index < a.index ? b : a)).err;
  return out;
}

/** The key with its operations one at a time: documents signed in parallel share one token session. */
function serialKey(key: SigningKey): SigningKey {
  let last: Promise<unknown> = Promise.resolve();
  const serial = <A extends unknown[]>(f: (...a: A) => Promise<Uint8Array>) => (...a: A): Promise<Uint8Array> => {
    const run = last.then(() => f(...a), () => f(...a));
    last = run.catch(() => undefined);
    return run;
  };
  return { ...key, signDigest: serial(key.signDigest.bind(key)), signData: serial(key.signData.bind(key)) };
}

export async function batchSign(parts: AgentParts, ctx: RequestContext, params: ParamsOf<'batch.sign'>): Promise<ResultOf<'batch.sign'>> {
  const count = params.documents.length;
  // Base64 counted by its length; binary attachments are already in memory, capped by the connection's budget.
  const total = params.documents.reduce((n, d) => n + (typeof d.document === 'string' ? base64DecodedLength(d.document) : ctx.attachment?.(d.document.attachment)?.length ?? 0), 0);
  const max = parts.limits.maxDocumentBytes;
  if (total > max) throw new KysoError('TOO_LARGE', `the documents together are larger than ${max} bytes`);

  const lanes = documentWorkers().limits.workers;
  const prepared = await inOrder(params.documents, lanes, async (d, i): Promise<PreparedSignature<Signed>> => {
    const of = { document: i + 1, documents: count };
    // What this document asks of the user (placement) names it; its signing stages are summed up as one.
    const docCtx: RequestContext = { ...ctx, quietStages: true, progress: (stage) => { if (!SIGNING_STAGES.has(stage)) ctx.progress(stage, of); } };
    try {
      if (d.type === 'pdf') {
        const { type, ...p } = d;
        const one = await preparePdfSign(parts, docCtx, p, (b) => writeDocument(ctx, b));
        return { ...one, sign: async (k, c, s) => ({ type, ...(await one.sign(k, c, s)) }) };
      }
      const { type, ...p } = d;
      const one = await prepareDocxSign(parts, docCtx, p, (b) => writeDocument(ctx, b));
      return { ...one, sign: async (k, c, s) => ({ type, ...(await one.sign(k, c, s)) }) };
    } catch (err) {
      throw forDocument(err, i);
    }
  });
  ctx.note({ fileName: `${count} documents`, size: prepared.reduce((n, p) => n + p.document.size, 0) });
  const documents = await signingSession(parts, ctx, { certificateId: params.certificateId, documents: prepared.map((p) => p.document) }, async (key, certificate, signal) => {
    const signOne = async (i: number, k: SigningKey, s: AbortSignal): Promise<Signed> => {
      ctx.progress('sign', { document: i + 1, documents: count });
      try {
        return await prepared[i]!.sign(k, certificate, s);
      } catch (err) {
        throw forDocument(err, i);
      }
    };
    if (isRemote(certificate)) {
      // The phone approves several digests at once: the documents of one approval run side by side (remote-batch.ts).
      const { outcomes, failed } = await signRemoteBatch(count, key, signal, signOne);
      if (failed) throw failed.error;
      return outcomes.map((o) => (o as { value: Signed }).value);
    }
    // One login for the whole batch; documents parse and build their CMS in the workers side by side, while the
    // token signs one digest at a time. Each answer is encoded as soon as its document is signed.
    const shared = serialKey(key);
    return inOrder(prepared, lanes, async (_, i) => signOne(i, shared, signal));
  }, async (certificate, signal) => {
    for (const p of prepared) await p.beforeConfirm?.(certificate, signal);
  });
  ctx.progress('done');
  return { documents };
}
