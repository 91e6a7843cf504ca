/**
 * Several documents signed with a remote certificate (batch.sign, the VNPT plugin's array signing). A remote key
 * gathers the digests one approval covers before it asks the phone, so the documents run up to their digest side
 * by side (the document pool parks the workers that wait, and has the key sign what it has when all wait). A
 * document that fails stops the others: their approval could never be complete, and nothing is half-returned.
 */
import type { SigningKey } from '../../core/signing-key.js';

export type DocumentOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function signRemoteBatch<R>(
  count: number,
  key: SigningKey,
  signal: AbortSignal,
  signOne: (index: number, key: SigningKey, signal: AbortSignal) => Promise<R>,
): Promise<{ outcomes: Array<DocumentOutcome<R>>; failed?: { index: number; error: unknown } }> {
  const stop = new AbortController();
  const together = AbortSignal.any([signal, stop.signal]);
  const failure: { at?: { index: number; error: unknown } } = {};
  const outcomes = await Promise.all(Array.from({ length: count }, async (_, i): Promise<DocumentOutcome<R>> => {
    try {
      return { ok: true, value: await signOne(i, key, together) };
    } catch (error) {
      // The first failure is the reason; the others stopped because of it.
      if (!stop.signal.aborted) {
        failure.at = { index: i, error };
        stop.abort(error);
      }
      return { ok: false, error };
    }
  }));
  return { outcomes, ...(failure.at ? { failed: failure.at } : {}) };
}
