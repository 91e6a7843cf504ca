/**
 * What the main thread and a document worker say to each other, and how errors cross (structured clone keeps
 * no class: a KysoError travels as its code and detail and is rebuilt on the other side).
 */
import { ERROR_MESSAGES, KysoError, toKysoError, type ErrorCode } from '../errors.js';

export interface WireError { code: ErrorCode; detail?: string }

/** Main → worker. */
export type ToWorker =
  | { type: 'job'; id: number; kind: string; args: unknown }
  /** The request that had a document kept open here (jobs.ts, `keep`) is over: drop it if still kept. */
  | { type: 'forget'; ticket: number }
  | { type: 'reply'; callId: number; ok: true; value: unknown }
  | { type: 'reply'; callId: number; ok: false; error: WireError };

/** What a worker is started with: the jobs it will likely run, whose engines it loads before any job comes. */
export interface WorkerStart { preload?: string[] }

/**
 * Worker → main. `at` is the worker's clock (Date.now(), one clock for all threads) when it began or finished a
 * job: a main thread busy elsewhere reads these late, and the deadline counts the worker's time, not the main's delay.
 */
export type FromWorker =
  /** The engine the job needs is loaded and the job begins: its deadline counts from here, not module loading. */
  | { type: 'begun'; id: number; at: number }
  | { type: 'done'; id: number; at: number; ok: true; value: unknown }
  | { type: 'done'; id: number; at: number; ok: false; error: WireError }
  /** The worker needs the main thread (the token, the TSA, the user): the deadline pauses until the reply. */
  | { type: 'call'; id: number; callId: number; method: string; args: unknown[] }
  | { type: 'event'; id: number; name: string; args: unknown[] };

export function toWire(err: unknown): WireError {
  // A parser recursing without end (deep nesting the limits did not foresee) is the document's doing.
  if (err instanceof RangeError && /call stack/i.test(err.message)) return { code: 'DOCUMENT_TOO_COMPLEX', detail: 'nesting too deep' };
  const e = toKysoError(err);
  return { code: e.code, ...(e.detail !== undefined ? { detail: e.detail } : {}) };
}

export function fromWire(w: WireError): KysoError {
  return new KysoError(w.code in ERROR_MESSAGES ? w.code : 'INTERNAL', w.detail);
}
