/**
 * Steps shared by the signing methods: decoding a capped base64 payload, and the signing session —
 * consent, then in the token queue: certificate (given or chosen by the user), certificate validity,
 * the user's confirmation naming site, file(s) and certificate, the PIN (asked by the token layer through the
 * Prompter, never retried), the work, and logout so the next signature asks again.
 */
import { KysoError, isKysoError, toKysoError } from '../../core/errors.js';
import { checkCertificate, assertMaySign } from '../../core/revocation/check.js';
import type { PinRequest, PublicKey } from '../../core/token/token-service.js';
import type { ApprovalNotice, RemoteCertificate } from '../../core/remote/types.js';
import { approvalsNeeded, documentsPerApproval, isRemote, type SigningCertificate } from '../signing-certificate.js';
import { PARKED_WORKERS_MAX } from '../../core/isolation/pool.js';
import { documentWorkers } from '../../core/isolation/documents.js';
import type { HashAlgorithm, SigningKey } from '../../core/signing-key.js';
import type { AttachmentRef } from '../protocol.js';
import { base64DecodedLength, base64Length, isBase64 } from '../protocol-constants.js';
import type { SignedBytes } from '../../core/signed-output.js';
import type { IsolationGuard } from '../../core/isolation/documents.js';
import type { AgentParts, RequestContext } from './context.js';
import { abortable, throwIfAborted } from '../abortable.js';

/**
 * Decodes base64 after checking its decoded size against `maxBytes` and its characters (one linear pass, no regex).
 * `shared`: into shared memory, for a document the document worker then reads without a copy of its own.
 */
export function decodeBase64(value: string, maxBytes: number, what: string, options: { shared?: boolean } = {}): Uint8Array {
  if (value.length > base64Length(maxBytes)) {
    throw new KysoError('TOO_LARGE', `${what} is larger than ${maxBytes} bytes`);
  }
  // Buffer's decoder skips what is not base64: a page's typo must not become a silently different document.
  if (!isBase64(value)) throw new KysoError('BAD_REQUEST', `${what} is not base64 (RFC 4648, no line breaks)`);
  const length = base64DecodedLength(value);
  if (length > maxBytes) throw new KysoError('TOO_LARGE', `${what} is larger than ${maxBytes} bytes`);
  const bytes = new Uint8Array(options.shared ? new SharedArrayBuffer(length) : new ArrayBuffer(length));
  if (Buffer.from(bytes.buffer, 0, length).write(value, 'base64') !== length) throw new KysoError('BAD_REQUEST', `${what} is not base64 (RFC 4648, no line breaks)`);
  return bytes;
}

const base64Of = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * Base64 of bytes, or of a signed document in its two pieces without joining them: the original up to a multiple
 * of 3 bytes encodes on its own, then its last 0–2 bytes with the update.
 */
export function toBase64(bytes: Uint8Array | SignedBytes): string {
  if (bytes instanceof Uint8Array) return base64Of(bytes);
  const { original, update } = bytes;
  const cut = original.length - (original.length % 3);
  const tail = new Uint8Array(original.length - cut + update.length);
  tail.set(original.subarray(cut), 0);
  tail.set(update, original.length - cut);
  return base64Of(original.subarray(0, cut)) + base64Of(tail);
}

/** A document from params: base64 text, or the request's attachment (binary frames, already capped and hashed). */
export function readDocument(parts: AgentParts, ctx: RequestContext, document: string | AttachmentRef, what = 'the document'): Uint8Array {
  if (typeof document === 'string') return decodeBase64(document, parts.limits.maxDocumentBytes, what, { shared: true });
  const bytes = ctx.attachment?.(document.attachment);
  if (!bytes) throw new KysoError('BAD_REQUEST', `${what}: attachment ${document.attachment} was not announced with this request`);
  return bytes;
}

/** A document for the answer, the way the request sent its own: an attachment, or base64 (a signed one never joined). */
export function writeDocument(ctx: RequestContext, bytes: Uint8Array | SignedBytes): string | AttachmentRef {
  return ctx.attach?.(bytes) ?? toBase64(bytes);
}

/**
 * The signal of one request: aborted by its `controller` (the page cancels), by its deadline (TIMEOUT), or by any
 * of `others` (the page went away). `done()`, once the request is answered or abandoned, clears the deadline and
 * runs what was registered with `atEnd` (RequestContext.atEnd).
 */
export function requestSignal(timeoutMs: number, ...others: AbortSignal[]): { controller: AbortController; signal: AbortSignal; atEnd(release: () => void): void; done(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new KysoError('TIMEOUT', `no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  timer.unref?.();
  const releases: Array<() => void> = [];
  let ended = false;
  const free = (release: () => void): void => {
    try { release(); } catch { /* freeing must not fail the answer */ }
  };
  return {
    controller,
    signal: AbortSignal.any([controller.signal, ...others]),
    // Registered after the end (work that outlived an aborted request): freed at once.
    atEnd: (release) => { if (ended) free(release); else releases.push(release); },
    done: () => {
      ended = true;
      clearTimeout(timer);
      releases.splice(0).forEach(free);
    },
  };
}

/** How a method guards its document parsing: the agent's document deadline, stopped with the request. */
export function documentGuard(parts: AgentParts, signal: AbortSignal): IsolationGuard {
  return { signal, ...(parts.limits.documentDeadlineMs !== undefined ? { deadlineMs: parts.limits.documentDeadlineMs } : {}) };
}

/**
 * The tokens' certificates (`onTokens`: as the caller has just read them) and the remote accounts' (asked of their
 * providers), and the remote side's failure if any.
 */
async function gather(
  parts: AgentParts, signal: AbortSignal, onTokens: readonly SigningCertificate[] = parts.tokens.certificates(),
): Promise<{ certs: SigningCertificate[]; accounts: number; remoteError?: unknown }> {
  const certs: SigningCertificate[] = [...onTokens];
  if (!parts.remote) return { certs, accounts: 0 };
  let accounts = 0;
  try {
    // A damaged accounts file is the remote side's failure too: the tokens stay usable.
    accounts = parts.remote.accounts().length;
    if (accounts > 0) certs.push(...await parts.remote.certificates({ signal }));
    return { certs, accounts };
  } catch (remoteError) {
    throwIfAborted(signal);
    return { certs, accounts, remoteError };
  }
}

/**
 * The certificates a site may sign with now: the tokens', then the remote accounts'. A provider that cannot be
 * reached leaves the tokens usable; its error is thrown only when nothing else is there. `emptyIsError`
 * (signing): NO_TOKEN / NO_CERTIFICATE when there is nothing to sign with.
 */
export async function signingCertificates(parts: AgentParts, signal: AbortSignal, options: { emptyIsError?: boolean } = {}): Promise<SigningCertificate[]> {
  const { certs, accounts, remoteError } = await gather(parts, signal);
  if (certs.length > 0) return certs;
  if (remoteError !== undefined) throw toKysoError(remoteError);
  if (!options.emptyIsError) return certs;
  throw new KysoError(parts.tokens.tokens().length === 0 && accounts === 0 ? 'NO_TOKEN' : 'NO_CERTIFICATE');
}

/**
 * The certificate `id`: a token's first (no network), else a remote account's. When it is not found and a
 * provider failed, that failure is the reason (REMOTE_AUTH_FAILED…), not "no such certificate".
 */
async function findCertificate(parts: AgentParts, id: string, signal: AbortSignal): Promise<SigningCertificate> {
  const onTokens = parts.tokens.certificates();
  const onToken = onTokens.find((c) => c.id === id);
  if (onToken) return onToken;
  const { certs, remoteError } = await gather(parts, signal, onTokens);
  const found = certs.find((c) => c.id === id);
  if (found) return found;
  throw remoteError !== undefined ? toKysoError(remoteError) : new KysoError('CERTIFICATE_NOT_FOUND');
}

/**
 * The token certificate `id`, if a token plugged in now held it when its objects were last read (not searched
 * again: on a USB token every search is a round trip); undefined also when the tokens cannot be read.
 */
function tokenCertificate(parts: AgentParts, id: string): SigningCertificate | undefined {
  try {
    return parts.tokens.certificate(id);
  } catch {
    return undefined;
  }
}

/** The user's consent for this site, asked (once) if not yet given; ORIGIN_DENIED when refused. */
export async function ensureConsent(parts: AgentParts, ctx: RequestContext): Promise<void> {
  if (!parts.policy.isAllowed(ctx.origin)) ctx.progress('consent');
  await parts.policy.ensure(ctx.origin, ctx.signal);
}

/** The certificate the user picks among `certs` in Kyso's window. */
export async function askCertificate(parts: AgentParts, ctx: RequestContext, certs: readonly SigningCertificate[], signal: AbortSignal): Promise<SigningCertificate> {
  ctx.progress('certificate');
  const chosen = await parts.prompter.chooseCertificate(ctx.origin, certs, { signal });
  const found = certs.find((c) => c.id === chosen.id);
  if (!found) throw new KysoError('CERTIFICATE_NOT_FOUND');
  return found;
}

/** One document as the confirmation lists it. */
export interface DocumentSummary {
  fileName: string;
  size: number;
}

export interface SigningRequest {
  certificateId: string | undefined;
  /**
   * What the confirmation lists; a promise while the documents are still being checked in their workers. The
   * session waits for it before anyone is asked anything (a bad document is refused before any prompt).
   */
  documents: DocumentSummary[] | Promise<DocumentSummary[]>;
}

/** The work of a session, with the key (a token's, or a remote one that gathers digests for one approval). */
export type SigningBody<T> = (key: SigningKey, certificate: SigningCertificate, signal: AbortSignal) => Promise<T>;

/** Documents that can wait for one approval at once: the document workers and their parked allowance. */
export const remoteConcurrency = (): number => documentWorkers().limits.workers + PARKED_WORKERS_MAX;

/**
 * One document checked and ready to sign, before anyone is asked anything: what the confirmation shows, what
 * to ask once the certificate is known (placement), and the signing itself. A method runs one in a session;
 * a batch runs several in one session (one confirmation listing them all, one PIN).
 */
export interface PreparedSignature<T> {
  document: { fileName: string; size: number };
  beforeConfirm?: (certificate: SigningCertificate, signal: AbortSignal) => Promise<void>;
  sign: SigningBody<T>;
}

/** The part of a signature summary every signing method reports: when, which hash, which certificate, the timestamp. */
export function signatureCommon(
  certificate: SigningCertificate,
  signature: { signingTime: Date; hash: HashAlgorithm },
  timestamp: { time: Date; tsa?: string } | undefined,
): { signingTime: string; hash: HashAlgorithm; certificateId: string; signer?: string; timestamp?: { time: string; tsa?: string } } {
  const signer = certificate.info.subject.commonName;
  return {
    signingTime: signature.signingTime.toISOString(),
    hash: signature.hash,
    certificateId: certificate.id,
    ...(signer ? { signer } : {}),
    ...(timestamp ? { timestamp: { time: timestamp.time.toISOString(), ...(timestamp.tsa ? { tsa: timestamp.tsa } : {}) } } : {}),
  };
}

/**
 * A prepared signature in its own session, as the single-document methods run it. `preparing` may still be
 * checking its document: the session looks the certificate up meanwhile (see signingSession).
 */
export async function signPrepared<T>(parts: AgentParts, ctx: RequestContext, certificateId: string | undefined, preparing: PreparedSignature<T> | Promise<PreparedSignature<T>>): Promise<T> {
  // The session has the documents (so `prepared`) before it calls `sign` or `beforeConfirm`. `sign` is called
  // straight, not after an await: work begun while the token checks the PIN must be under way before C_Login blocks.
  let prepared: PreparedSignature<T> | undefined;
  const documents = Promise.resolve(preparing).then((p) => [(prepared = p).document]);
  const out = await signingSession(parts, ctx, { certificateId, documents },
    (key, certificate, signal) => prepared!.sign(key, certificate, signal),
    async (certificate, signal) => prepared!.beforeConfirm?.(certificate, signal));
  ctx.progress('done');
  return out;
}

/** A key whose public parts are known now and whose signatures wait for the login (`key`). */
function keyAfterLogin(publicKey: PublicKey, key: Promise<SigningKey>): SigningKey {
  return {
    ...publicKey,
    signDigest: async (digest, hash) => (await key).signDigest(digest, hash),
    signData: async (data, hash) => (await key).signData(data, hash),
  };
}

/**
 * Runs one signature for `ctx.origin`, from consent to logout (a token) or to the phone's approval (a remote
 * certificate). `beforeConfirm` may ask more of the user (placement) once the certificate is known.
 */
export async function signingSession<T>(
  parts: AgentParts,
  ctx: RequestContext,
  request: SigningRequest,
  body: SigningBody<T>,
  beforeConfirm?: (certificate: SigningCertificate, signal: AbortSignal) => Promise<void>,
): Promise<T> {
  const { certificateId } = request;
  // While the documents are checked (a worker round trip), the token finds the certificate the page named, when
  // nothing else uses the token (the queue is idle; the read is synchronous) and the site is already allowed: that
  // asks nobody anything. Any prompt waits for the documents, and so does every error: a bad document is the
  // first thing the page hears. A certificate not found here is looked up again in the session, as without this.
  const foundEarly = request.documents instanceof Promise && certificateId !== undefined && !parts.queue.busy && parts.policy.isAllowed(ctx.origin)
    ? tokenCertificate(parts, certificateId)
    : undefined;
  const documents = await request.documents;
  await ensureConsent(parts, ctx);
  return parts.queue.run({
    signal: ctx.signal,
    onQueued: () => ctx.progress('queued'),
    run: async (signal) => {
      const certificate = foundEarly
        ?? (certificateId
          ? await findCertificate(parts, certificateId, signal)
          : await askCertificate(parts, ctx, await signingCertificates(parts, signal, { emptyIsError: true }), signal));
      throwIfAborted(signal);
      // Expired or revoked (when known offline): stop before the user is asked anything more.
      assertMaySign(await checkCertificate(certificate.der, [], { online: false }));
      await beforeConfirm?.(certificate, signal);
      throwIfAborted(signal);
      const remote = isRemote(certificate) ? certificate : undefined;
      const approvals = remote ? approvalsNeeded(remote, documents.length, remoteConcurrency()) : undefined;
      ctx.progress('confirm');
      const confirmed = await parts.prompter.confirm({ origin: ctx.origin, documents, certificate, ...(approvals ? { approvals } : {}) }, { signal });
      if (!confirmed) throw new KysoError('USER_CANCELLED', 'the user declined to sign');
      throwIfAborted(signal);
      if (remote) return remoteSigning(parts, ctx, documents.length, remote, signal, body);
      let asked: PinRequest | undefined;
      // The work begins while the token checks the PIN (beforeLogin): its key signs once the login is through.
      let login!: { done(key: SigningKey): void; failed(err: unknown): void };
      const loggedIn = new Promise<SigningKey>((done, failed) => { login = { done, failed }; });
      loggedIn.catch(() => undefined);
      let early: Promise<T> | undefined;
      try {
        const key = await parts.tokens.signingKey(certificate.id, async (pinRequest) => {
          ctx.progress('pin');
          asked = pinRequest;
          const pin = await parts.prompter.pin(pinRequest, { signal });
          throwIfAborted(signal);
          return pin;
        }, {
          beforeLogin: (publicKey) => {
            early = body(keyAfterLogin(publicKey, loggedIn), certificate, signal);
            early.catch(() => undefined); // awaited below; a failed login is the error then
          },
        });
        throwIfAborted(signal);
        login.done(key);
        return await (early ?? body(key, certificate, signal));
      } catch (err) {
        login.failed(err); // a work begun early stops at its signature
        if (asked && (isKysoError(err, 'PIN_INCORRECT') || isKysoError(err, 'PIN_LOCKED') || isKysoError(err, 'PIN_LEN_RANGE'))) {
          parts.prompter.pinRejected?.(asked);
        }
        throw err;
      } finally {
        // The next signature asks again (a Prompter may keep the PIN for a while if the user chose so).
        try { parts.tokens.logoutAll(); } catch { /* token gone */ }
      }
    },
  });
}

/**
 * The signing part of a session with a remote certificate: no PIN; each time the provider asks the phone, the
 * page hears `waiting-for-approval` and the Prompter shows the approval window. Cancel in that window aborts the
 * operation's signal, which stops the key's polling and the document workers: nothing is returned or written.
 */
async function remoteSigning<T>(
  parts: AgentParts, ctx: RequestContext, count: number, certificate: RemoteCertificate, signal: AbortSignal, body: SigningBody<T>,
): Promise<T> {
  const source = parts.remote;
  if (!source) throw new KysoError('CERTIFICATE_NOT_FOUND');
  const perApproval = documentsPerApproval(certificate, remoteConcurrency());
  const cancelled = new AbortController();
  const operation = AbortSignal.any([signal, cancelled.signal]);
  const onApproval = (notice: ApprovalNotice): (() => void) => {
    // A batch: the first document this approval covers, counting in order.
    const first = Math.min((notice.approval.index - 1) * perApproval + 1, count);
    ctx.progress('waiting-for-approval', count > 1 ? { document: first, documents: count } : undefined);
    const closed = new AbortController();
    parts.prompter.approval?.(notice, { signal: AbortSignal.any([closed.signal, operation]) }).catch((err: unknown) => {
      // Cancel pressed (not the window closing because the wait ended): stop the whole operation.
      if (!closed.signal.aborted && !operation.aborted) cancelled.abort(toKysoError(err));
    });
    return () => closed.abort();
  };
  const key = await source.signingKey(certificate.id, { documents: count, onApproval, signal: operation });
  throwIfAborted(operation);
  return abortable(body(key, certificate, operation), operation);
}
