/**
 * A cap on the bytes @libpdf/core may inflate for one PDF (object streams, cross-reference streams, content
 * streams, whatever it decodes): a 5 MB file whose object streams unpack to 1 GB must stop at the cap, not when
 * memory runs out.
 *
 * The library inflates through the `pako` module object it imports (`pako.inflate`, then `new pako.Inflate()` as a
 * fallback). We replace those two members of that same module object with versions that count every output chunk
 * against the active budget and throw once it is spent. The library swallows inflate errors (it then returns an
 * empty stream), so the overrun is also remembered here and `assertWithinBudget` turns it into
 * DOCUMENT_TOO_COMPLEX after each library call. Nothing in node_modules is edited.
 */
/// <reference path="./pako.d.ts" />
import { KysoError } from '../errors.js';

/** Absolute cap on inflated bytes for one PDF. */
export const MAX_INFLATED_ABSOLUTE = 256 * 1024 * 1024;
/** Inflated bytes allowed per input byte (text content compresses 3–10×, generous for odd writers). */
export const MAX_INFLATE_RATIO = 32;
/** Below this, any ratio is fine (small files with highly repetitive content). */
export const MIN_INFLATED_ALLOWANCE = 32 * 1024 * 1024;

export function inflateAllowance(inputSize: number): number {
  return Math.min(MAX_INFLATED_ABSOLUTE, Math.max(MIN_INFLATED_ALLOWANCE, inputSize * MAX_INFLATE_RATIO));
}

class Budget {
  used = 0;
  exceeded = false;
  constructor(readonly limit: number) {}
  take(n: number): void {
    this.used += n;
    if (this.used > this.limit) {
      this.exceeded = true;
      throw new KysoError('DOCUMENT_TOO_COMPLEX', `streams inflate to more than ${this.limit} bytes`);
    }
  }
}

let active: Budget | undefined;

type PakoModule = typeof import('pako').default;

async function patchPako(): Promise<void> {
  // The same module the library imports (it has no nested copy of pako): in node_modules, and in a bundle the one
  // copy both import, which is why the specifier is a literal a bundler can follow (its types: pako.d.ts).
  const pako: PakoModule = (await import('pako')).default;
  if ((pako as unknown as { __kysoBudget?: boolean }).__kysoBudget) return;
  const Original = pako.Inflate;
  class CountingInflate extends Original {
    override onData(chunk: Uint8Array): void {
      if (active) {
        if (active.exceeded) throw new KysoError('DOCUMENT_TOO_COMPLEX', 'inflate budget spent');
        active.take(chunk.length);
      }
      super.onData(chunk);
    }
  }
  pako.Inflate = CountingInflate as unknown as PakoModule['Inflate'];
  // pako.inflate as pako writes it (push all, throw on error, `result` undefined when the stream did not end),
  // through the counting class.
  pako.inflate = (data: Uint8Array, options?: object): Uint8Array | undefined => {
    const inflator = new CountingInflate(options);
    inflator.push(data);
    if (inflator.err) throw new Error(inflator.msg || `inflate error ${inflator.err}`);
    return inflator.result;
  };
  (pako as unknown as { __kysoBudget?: boolean }).__kysoBudget = true;
}

let patched: Promise<void> | undefined;

/**
 * Starts a fresh budget for one PDF of `inputSize` bytes; every inflate by the library counts against it until
 * the next call. Must be awaited before the library parses anything.
 */
export async function startDecodeBudget(inputSize: number, limit = inflateAllowance(inputSize)): Promise<void> {
  patched ??= patchPako();
  await patched;
  active = new Budget(limit);
}

/** The budget inflates count against now: a document kept open for later work takes its own budget along. */
export type DecodeBudget = Budget;

export function activeDecodeBudget(): DecodeBudget | undefined {
  return active;
}

/** Goes on with a document's budget (see activeDecodeBudget): what it inflates later counts where its parse did. */
export function resumeDecodeBudget(budget: DecodeBudget | undefined): void {
  active = budget;
}

/** Throws DOCUMENT_TOO_COMPLEX if the library inflated past the budget (even if it swallowed the error). */
export function assertWithinBudget(): void {
  if (active?.exceeded) throw new KysoError('DOCUMENT_TOO_COMPLEX', `streams inflate to more than ${active.limit} bytes`);
}

/** Counts inflated bytes that our own code produced (the pre-scan of object streams). */
export function countInflated(n: number): void {
  active?.take(n);
}
