/**
 * The main thread's side of document isolation: verification, the pre-signing check and signing, each run in a
 * document worker (pool.ts) under its deadline and memory caps. The signing key never crosses: the worker asks
 * for a digest to be signed and this side asks the token, at most a few times per document.
 *
 * One pool per process, started on first use. Its limits come from the environment (`KYSO_DOCUMENT_DEADLINE_MS`,
 * `KYSO_DOCUMENT_HEAP_MB`) or the defaults; a call may set its own deadline (the agent's `documentDeadlineMs`).
 */
import { KysoError } from '../errors.js';
import type { SigningKey } from '../signing-key.js';
import type { DocumentSignOptions, DocumentSignResult, DocumentTimestampOutput, DocumentTimestampRequest } from '../sign-document.js';
import type { DocumentVerification } from '../verify-document.js';
import type { ValidateOptions } from '../validation/validate-pdf.js';
import type { PdfVerification } from '../pdf/verify.js';
import type { OoxmlVerification } from '../ooxml/verify.js';
import { DEFAULT_ISOLATION_LIMITS, DocumentWorkers, type IsolationLimits, type MainHandlers, type RunOptions } from './pool.js';
import type { RemoteSigningKey } from '../remote/types.js';
import { restoreOriginal, type AssertSignableJobArgs, type AssertSignableJobResult, type SignJobArgs, type TimestampJobArgs, type WithoutOriginal } from './jobs.js';

/** Per call: a deadline other than the pool's, and a signal that stops the job. */
export interface IsolationGuard {
  deadlineMs?: number;
  signal?: AbortSignal;
  /**
   * Hand the document to the worker instead of copying it (signing): the caller's bytes are detached (read as
   * empty) afterwards, so the process holds one copy of a large document, not two. Only for a caller that is done with them.
   */
  handOver?: boolean;
  /** Signing: the document as assertSignableIsolated (`keep`) left it open in a worker, signed there without a second parse. */
  kept?: KeptDocument;
}

/**
 * A PDF the check before signing left open in its worker for the signing that follows. `release()` when the
 * request is over, signed or not: the worker drops it (the signing took it already, or it is no longer wanted).
 */
export interface KeptDocument {
  readonly worker: number;
  readonly ticket: number;
  release(): void;
}

/** Whether `bytes` may be moved to a worker: a large buffer of its own, never a slab of Buffer's shared pool. */
function movable(bytes: Uint8Array): ArrayBuffer[] {
  const buffer = bytes.buffer;
  return buffer instanceof ArrayBuffer && buffer.byteLength >= 64 * 1024 && bytes.byteLength >= buffer.byteLength / 2 ? [buffer] : [];
}

/** Key operations one document may ask for: a CMS, its retry with a larger reservation, and margin. */
const MAX_KEY_OPERATIONS = 4;
/** Extra time for a signature that goes online (certificate check, DSS): network waits happen in the worker. */
const NETWORK_ALLOWANCE_MS = 60_000;

let shared: DocumentWorkers | undefined;

function envLimits(): Partial<IsolationLimits> {
  const num = (name: string): number | undefined => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const deadlineMs = num('KYSO_DOCUMENT_DEADLINE_MS');
  const heapMb = num('KYSO_DOCUMENT_HEAP_MB');
  return { ...(deadlineMs ? { deadlineMs } : {}), ...(heapMb ? { heapMb } : {}) };
}

export function documentWorkers(): DocumentWorkers {
  shared ??= new DocumentWorkers({ ...DEFAULT_ISOLATION_LIMITS, ...envLimits() });
  return shared;
}

/** Whether the workers' @libpdf/core has its tokenizer mended (libpdf-hook.ts): false after a library update moved the code. */
export function libpdfTokenizerMended(): Promise<boolean> {
  return documentWorkers().run('libpdfMended', undefined);
}

function run<T>(kind: string, args: unknown, guard: IsolationGuard = {}, handlers?: MainHandlers, transfer: ArrayBuffer[] = [], parking: Pick<RunOptions, 'parkable' | 'onStall'> = {}): Promise<T> {
  return documentWorkers().run<T>(kind, args, {
    ...(guard.deadlineMs !== undefined ? { deadlineMs: guard.deadlineMs } : {}),
    ...(guard.signal ? { signal: guard.signal } : {}),
    ...(guard.kept ? { worker: guard.kept.worker } : {}),
    ...(handlers ? { handlers } : {}),
    ...parking,
  }, transfer);
}

export function verifyDocumentIsolated(bytes: Uint8Array, options: ValidateOptions = {}, guard?: IsolationGuard): Promise<DocumentVerification> {
  return run('verify', { bytes, options }, guard);
}

export function verifyPdfIsolated(bytes: Uint8Array, guard?: IsolationGuard): Promise<PdfVerification> {
  return run('verifyPdf', { bytes }, guard);
}

export function verifyOoxmlIsolated(bytes: Uint8Array, guard?: IsolationGuard): Promise<OoxmlVerification> {
  return run('verifyOoxml', { bytes }, guard);
}

/** The number of pages of a PDF, opened in a document worker like any file from outside. */
export function pdfPageCountIsolated(bytes: Uint8Array, guard?: IsolationGuard): Promise<number> {
  return run('pdfPageCount', { bytes }, guard);
}

/** What the check before signing found: the format, and a PDF it left open for the signing (`keep`). */
export interface Signable { format: 'pdf' | 'ooxml'; kept?: KeptDocument }

let nextTicket = 1;

/**
 * The check before signing. `keep`: a PDF in shared memory stays open in its worker for signDocumentIsolated
 * (`guard.kept`), so that the request parses it once (a document the worker would have to copy is not kept).
 */
export async function assertSignableIsolated(bytes: Uint8Array, fileName?: string, guard?: IsolationGuard, keep = false): Promise<Signable> {
  const ticket = keep && bytes.buffer instanceof SharedArrayBuffer ? nextTicket++ : undefined;
  const args: AssertSignableJobArgs = { bytes, ...(fileName !== undefined ? { fileName } : {}), ...(ticket !== undefined ? { keep: ticket } : {}) };
  const r = await run<AssertSignableJobResult>('assertSignable', args, guard);
  if (!r.kept) return { format: r.format };
  const { worker, ticket: kept } = r.kept;
  return { format: r.format, kept: { worker, ticket: kept, release: () => documentWorkers().forget(worker, kept) } };
}

export function signDocumentIsolated(bytes: Uint8Array, key: SigningKey, options: DocumentSignOptions = {}, fileName?: string, guard: IsolationGuard = {}): Promise<DocumentSignResult> {
  const { onProgress, onCertificateCheck, timestamp, digestAfterOriginal, ...rest } = options;
  const moved = guard.handOver ? movable(bytes) : [];
  const args: SignJobArgs = {
    bytes,
    ...(moved.length ? { handedOver: true } : {}),
    ...(guard.kept ? { kept: guard.kept.ticket } : {}),
    ...(fileName !== undefined ? { fileName } : {}),
    key: { certificate: key.certificate, chain: [...key.chain], keyType: key.keyType, keySize: key.keySize },
    options: rest,
    ...(timestamp ? { tsaReserve: timestamp.expectedTokenSize() } : {}),
    progress: onProgress !== undefined,
    certificateCheck: onCertificateCheck !== undefined,
    ...(digestAfterOriginal ? { digestAfterOriginal: digestAfterOriginal.hash } : {}),
  };
  let keyOperations = 0;
  const counted = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => {
    if (++keyOperations > MAX_KEY_OPERATIONS) return Promise.reject(new KysoError('INTERNAL', 'too many key operations for one document'));
    return f(...a);
  };
  const handlers: MainHandlers = {
    signDigest: counted((digest: Uint8Array, hash: Parameters<SigningKey['signDigest']>[1]) => key.signDigest(digest, hash)),
    signData: counted((data: Uint8Array, hash: Parameters<SigningKey['signData']>[1]) => key.signData(data, hash)),
    ...(timestamp ? { timestamp: (digest: Uint8Array, hash: Parameters<NonNullable<typeof timestamp>['timestamp']>[1]) => timestamp.timestamp(digest, hash) } : {}),
    ...(onProgress ? { progress: (stage: Parameters<NonNullable<typeof onProgress>>[0]) => onProgress(stage) } : {}),
    ...(onCertificateCheck ? { certificateCheck: (check: Parameters<NonNullable<typeof onCertificateCheck>>[0]) => onCertificateCheck(check) } : {}),
    ...(digestAfterOriginal ? { digestAfterOriginal: (rest: Uint8Array[]) => digestAfterOriginal.digest(rest) } : {}),
  };
  const online = (options.level !== undefined && options.level !== 'B-B') || timestamp !== undefined || options.certificateCheck === 'online';
  const base = guard.deadlineMs ?? documentWorkers().limits.deadlineMs;
  // A remote key waits for a phone approval that may cover several documents: its documents park (pool.ts), and
  // when every worker waits on it, it signs what it has gathered rather than wait for documents that cannot start.
  const gathering = typeof (key as Partial<RemoteSigningKey>).flush === 'function' ? key as RemoteSigningKey : undefined;
  const parking = gathering ? { parkable: true, onStall: () => gathering.flush() } : {};
  return run<WithoutOriginal<DocumentSignResult>>('sign', args, { ...guard, deadlineMs: base + (online ? NETWORK_ALLOWANCE_MS : 0) }, handlers, moved, parking)
    .then((r) => restoreOriginal(bytes, r));
}

export function timestampDocumentIsolated(bytes: Uint8Array, request: DocumentTimestampRequest, guard: IsolationGuard = {}): Promise<DocumentTimestampOutput> {
  const args: TimestampJobArgs = { bytes, addValidationData: request.addValidationData ?? false, tsaReserve: request.timestamp.expectedTokenSize() };
  const base = guard.deadlineMs ?? documentWorkers().limits.deadlineMs;
  return run<WithoutOriginal<DocumentTimestampOutput>>('timestamp', args, { ...guard, deadlineMs: base + NETWORK_ALLOWANCE_MS }, {
    timestamp: (digest: Uint8Array, hash: Parameters<DocumentTimestampRequest['timestamp']['timestamp']>[1]) => request.timestamp.timestamp(digest, hash),
  }).then((r) => restoreOriginal(bytes, r));
}
