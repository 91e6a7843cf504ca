/**
 * The jobs a document worker runs: the in-process implementations of verification, the pre-signing check and
 * signing, with the key, the TSA and the callbacks standing in for their main-thread owners. The worker never
 * holds a token, a PKCS#11 module or a PIN: its "key" is the certificate plus a request to the main thread to
 * sign one digest.
 */
import type { HashAlgorithm, KeyType, SigningKey } from '../signing-key.js';
import type { TimestampClient, TimestampToken } from '../tsa/api.js';
import type { CertificateCheck } from '../revocation/check.js';
import type { DocumentSignOptions } from '../sign-document.js';
import type { ValidateOptions } from '../validation/validate-pdf.js';
import { threadId } from 'node:worker_threads';
import type { OpenedPdf } from '../pdf/open.js';
import { activeDecodeBudget, resumeDecodeBudget, type DecodeBudget } from '../pdf/decode-budget.js';
import { KysoError } from '../errors.js';
import { lazy } from '../lazy.js';
import { withJoinedBytes, withoutJoined, type SignedBytes } from '../signed-output.js';

export interface MainChannel {
  call(method: string, ...args: unknown[]): Promise<unknown>;
  emit(name: string, ...args: unknown[]): void;
}

/** A signing key as the worker sees it: public parts only. */
export interface PublicKeyParts { certificate: Uint8Array; chain: Uint8Array[]; keyType: KeyType; keySize: number }

/** What crosses for a signature: the options without their functions, and which functions the caller has. */
export interface SignJobArgs {
  bytes: Uint8Array;
  fileName?: string;
  key: PublicKeyParts;
  options: Omit<DocumentSignOptions, 'onProgress' | 'onCertificateCheck' | 'timestamp' | 'digestAfterOriginal'>;
  /** The caller has a TSA (its current reserve estimate). */
  tsaReserve?: number;
  progress: boolean;
  certificateCheck: boolean;
  /** The caller has hashed `bytes` already with this hash and goes on from there for the ByteRange digest (DocumentSignOptions.digestAfterOriginal). */
  digestAfterOriginal?: HashAlgorithm;
  /** `bytes` were moved here (the caller no longer has them): the result carries its original back. */
  handedOver?: boolean;
  /** The ticket under which an assertSignable job in this worker kept `bytes` opened (signed without a second parse). */
  kept?: number;
}

/** The check before signing; `keep`: a ticket under which to keep the opened PDF for the signing that follows. */
export interface AssertSignableJobArgs { bytes: Uint8Array; fileName?: string; keep?: number }
export type AssertSignableJobResult = { format: 'pdf' | 'ooxml'; kept?: { worker: number; ticket: number } };

export interface TimestampJobArgs { bytes: Uint8Array; addValidationData: boolean; tsaReserve: number }

function remoteKey(parts: PublicKeyParts, main: MainChannel): SigningKey {
  return {
    certificate: parts.certificate,
    chain: parts.chain,
    keyType: parts.keyType,
    keySize: parts.keySize,
    signDigest: async (digest: Uint8Array, hash: HashAlgorithm) => main.call('signDigest', digest, hash) as Promise<Uint8Array>,
    signData: async (data: Uint8Array, hash: HashAlgorithm) => main.call('signData', data, hash) as Promise<Uint8Array>,
  };
}

function remoteTsa(reserve: number, main: MainChannel): TimestampClient {
  let expected = reserve;
  return {
    timestamp: async (digest, hash) => {
      const token = await main.call('timestamp', digest, hash) as TimestampToken;
      expected = Math.max(expected, token.der.length);
      return token;
    },
    expectedTokenSize: () => expected,
  };
}

/**
 * A signed result without its `original`: the caller holds those bytes already (it sent them), so only the
 * update crosses back; `original` says whether the document starts with them ('input') or not ('none').
 */
export type WithoutOriginal<T extends SignedBytes> = Omit<T, 'original' | 'bytes'> & { original: 'input' | 'none' | Uint8Array };

function withoutOriginal<T extends SignedBytes>(input: Uint8Array, r: T): WithoutOriginal<T> {
  if (r.original.length !== 0 && r.original !== input) throw new KysoError('INTERNAL', 'a signed result that does not start with its input');
  return { ...withoutJoined(r), original: r.original.length === 0 ? 'none' : 'input' } as WithoutOriginal<T>;
}

/** The main thread's side of withoutOriginal: the result with its original bytes back in place. */
export function restoreOriginal<T extends SignedBytes>(input: Uint8Array, r: WithoutOriginal<T>): T & { readonly bytes: Uint8Array } {
  const original = r.original === 'input' ? input : r.original === 'none' ? new Uint8Array(0) : r.original;
  return withJoinedBytes({ ...r, original } as unknown as T);
}

/**
 * PDFs the check before signing opened, kept for their signing so that a request parses its document once; with
 * the inflate budget they were opened under. Each is taken by its signing or dropped when its request ends
 * (`forget`); the oldest go first past KEPT_MAX (a batch's first documents are then parsed again).
 */
const kept = new Map<number, { pdf: OpenedPdf; budget: DecodeBudget | undefined }>();
const KEPT_MAX = 16;

function keep(ticket: number, pdf: OpenedPdf): void {
  kept.set(ticket, { pdf, budget: activeDecodeBudget() });
  for (const oldest of kept.keys()) {
    if (kept.size <= KEPT_MAX) break;
    kept.delete(oldest);
  }
}

/**
 * The PDF kept under `ticket`, if it is still here (else the signing parses `bytes` itself). Only documents in
 * shared memory are kept (see assertSignableIsolated): `bytes` is then another view of the very bytes it was
 * opened from, and becomes the result's original, as the caller expects.
 */
function takeKept(ticket: number | undefined, bytes: Uint8Array): OpenedPdf | undefined {
  if (ticket === undefined) return undefined;
  const entry = kept.get(ticket);
  kept.delete(ticket);
  if (!entry || entry.pdf.bytes.length !== bytes.length) return undefined;
  resumeDecodeBudget(entry.budget);
  return { ...entry.pdf, bytes };
}

export function forgetKept(ticket: number): void {
  kept.delete(ticket);
}

const signDocumentModule = lazy(() => import('../sign-document.js'));
const verifyDocumentModule = lazy(() => import('../verify-document.js'));
const verifyPdfModule = lazy(() => import('../pdf/verify.js'));
const verifyOoxmlModule = lazy(() => import('../ooxml/verify.js'));
const openPdfModule = lazy(() => import('../pdf/open.js'));

/** The engine each kind of job runs on, loaded when a worker first runs (or expects) such a job. */
const ENGINES: Record<string, () => Promise<unknown>> = {
  verify: verifyDocumentModule,
  verifyPdf: verifyPdfModule,
  verifyOoxml: verifyOoxmlModule,
  pdfPageCount: openPdfModule,
  assertSignable: signDocumentModule,
  // The signing code and the PDF library under it too: a 'sign' job's deadline starts with them loaded, and a
  // worker warmed for signing (pool.warm) has them compiled before the first document comes.
  sign: () => signDocumentModule().then((m) => m.loadPdfSigning()),
  timestamp: signDocumentModule,
};

/** Loads what a job of this kind needs, so that its deadline counts the document's work, not module loading. */
export async function loadEngine(kind: string): Promise<void> {
  await ENGINES[kind]?.();
}

export async function runJob(kind: string, args: unknown, main: MainChannel): Promise<unknown> {
  switch (kind) {
    case 'ping':
      return 'pong';
    case 'libpdfMended': {
      await import('@libpdf/core');
      return (globalThis as { __kysoLibpdfMended?: boolean }).__kysoLibpdfMended === true;
    }
    case 'verify': {
      const { verifyDocumentHere } = await verifyDocumentModule();
      const { bytes, options } = args as { bytes: Uint8Array; options?: ValidateOptions };
      return verifyDocumentHere(bytes, options);
    }
    case 'verifyPdf': {
      const { verifyPdf } = await verifyPdfModule();
      return verifyPdf((args as { bytes: Uint8Array }).bytes);
    }
    case 'verifyOoxml': {
      const { verifyOoxml } = await verifyOoxmlModule();
      return verifyOoxml((args as { bytes: Uint8Array }).bytes);
    }
    case 'pdfPageCount': {
      const { openPdf } = await openPdfModule();
      return (await openPdf((args as { bytes: Uint8Array }).bytes)).pdf.getPageCount();
    }
    case 'assertSignable': {
      const { openSignableHere } = await signDocumentModule();
      const a = args as AssertSignableJobArgs;
      const opened = await openSignableHere(a.bytes, a.fileName);
      if (opened.format !== 'pdf' || a.keep === undefined) return { format: opened.format } satisfies AssertSignableJobResult;
      keep(a.keep, opened.pdf);
      return { format: opened.format, kept: { worker: threadId, ticket: a.keep } } satisfies AssertSignableJobResult;
    }
    case 'sign': {
      const { signDocumentHere } = await signDocumentModule();
      const a = args as SignJobArgs;
      const options: DocumentSignOptions = {
        ...a.options,
        ...(a.tsaReserve !== undefined ? { timestamp: remoteTsa(a.tsaReserve, main) } : {}),
        ...(a.progress ? { onProgress: (stage) => main.emit('progress', stage) } : {}),
        ...(a.certificateCheck ? { onCertificateCheck: async (check: CertificateCheck) => { await main.call('certificateCheck', check); } } : {}),
        ...(a.digestAfterOriginal ? { digestAfterOriginal: { hash: a.digestAfterOriginal, digest: async (rest) => main.call('digestAfterOriginal', rest) as Promise<Uint8Array> } } : {}),
      };
      const signed = await signDocumentHere(a.bytes, remoteKey(a.key, main), options, a.fileName, takeKept(a.kept, a.bytes));
      // Handed over: the original goes back (moved, not copied); else the caller still has it and only the update crosses.
      return a.handedOver ? withoutJoined(signed) : withoutOriginal(a.bytes, signed);
    }
    case 'timestamp': {
      const { timestampDocumentHere } = await signDocumentModule();
      const a = args as TimestampJobArgs;
      return withoutOriginal(a.bytes, await timestampDocumentHere(a.bytes, { timestamp: remoteTsa(a.tsaReserve, main), addValidationData: a.addValidationData }));
    }
    default:
      throw new KysoError('INTERNAL', `unknown document job ${kind}`);
  }
}
