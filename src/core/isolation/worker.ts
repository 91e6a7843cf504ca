/**
 * A document worker's entry (see pool.ts): runs one job at a time, asks the main thread for what only it may
 * do (sign a digest with the token, reach the TSA, ask the user), and answers with plain data.
 */
import * as nodeModule from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { fromWire, toWire, type FromWorker, type ToWorker, type WireError, type WorkerStart } from './messages.js';
import type { MainChannel } from './jobs.js';
import { lazy } from '../lazy.js';

const port = parentPort;
if (!port) throw new Error('document worker started outside a worker thread');
// The document libraries print diagnostics for their developers (libpdf: a stack trace for each string of a
// damaged encrypted file it cannot decrypt). A worker's console is its process's stderr, the user's terminal
// for the CLI: the job's answer already says what matters, so the libraries' chatter goes nowhere.
console.log = console.info = console.warn = console.debug = (): void => undefined;
// Before any job imports @libpdf/core: mend its tokenizer's endless loop (libpdf-hook.ts). Node before 20.6 has no
// loader hooks: the pre-scan and the deadline then stand alone (libpdfTokenizerMended() reports false).
// The CLI bundle has the library mended at build time (scripts/bundle-cli.mjs) and no hook file to register.
declare const KYSO_BUNDLED: boolean | undefined;
if (typeof KYSO_BUNDLED === 'undefined') {
  (nodeModule as { register?: (specifier: URL) => void }).register?.(new URL('./libpdf-hook.js', import.meta.url));
}

// The jobs, and before any engine parses a document the inflate budget, which patches the decompressor they share
// (decode-budget.ts).
const base = lazy(async () => (await Promise.all([import('./jobs.js'), import('../pdf/decode-budget.js').then((m) => m.startDecodeBudget(0))]))[0]);
let nextCall = 1;
const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();

const post = (m: FromWorker): void => port.postMessage(m);

/** Buffers this large are moved to the main thread, not copied (never one of Buffer's shared 8 KB pool slabs). */
const TRANSFER_FROM_BYTES = 64 * 1024;

/**
 * A view on a larger buffer would be cloned with all of its buffer (a certificate sliced from a 50 MB document
 * would copy the document): views are compacted before they cross. Large whole buffers (a signed document) go
 * in `transfer`: the job is over, so the worker gives them up instead of the process holding two copies.
 */
function compact(value: unknown, transfer: ArrayBuffer[], depth = 0): unknown {
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) {
    const whole = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice();
    if (whole.byteLength >= TRANSFER_FROM_BYTES && whole.buffer instanceof ArrayBuffer && !transfer.includes(whole.buffer)) transfer.push(whole.buffer);
    return whole;
  }
  if (value instanceof Date || value instanceof Map || value instanceof Set) return value;
  if (Array.isArray(value)) return value.map((v) => compact(v, transfer, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'function') out[k] = compact(v, transfer, depth + 1);
  return out;
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'reply') {
    const p = pending.get(m.callId);
    pending.delete(m.callId);
    if (m.ok) p?.resolve(m.value);
    else p?.reject(m.error);
    return;
  }
  if (m.type === 'forget') {
    void base().then((jobs) => jobs.forgetKept(m.ticket));
    return;
  }
  const id = m.id;
  const main: MainChannel = {
    call: (method, ...args) => new Promise((resolve, reject) => {
      const callId = nextCall++;
      pending.set(callId, { resolve, reject: (w) => reject(fromWire(w as WireError)) });
      post({ type: 'call', id, callId, method, args });
    }),
    emit: (name, ...args) => post({ type: 'event', id, name, args }),
  };
  void base()
    .then(async (jobs) => {
      await jobs.loadEngine(m.kind);
      post({ type: 'begun', id, at: Date.now() });
      return jobs.runJob(m.kind, m.args, main);
    })
    .then(
      (value) => {
        const transfer: ArrayBuffer[] = [];
        const compacted = compact(value, transfer);
        port.postMessage({ type: 'done', id, at: Date.now(), ok: true, value: compacted } satisfies FromWorker, transfer);
      },
      (err: unknown) => post({ type: 'done', id, at: Date.now(), ok: false, error: toWire(err) }),
    );
});

// Each engine loads when its first job comes (a `kyso sign` worker never loads verification or OOXML); the pool
// may name the jobs it expects, to have them loaded while the caller is still getting ready.
const preload = (workerData as WorkerStart | undefined)?.preload ?? [];
void base().then((jobs) => Promise.all(preload.map((kind) => jobs.loadEngine(kind)))).catch(() => undefined);
