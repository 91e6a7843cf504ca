/**
 * Several documents signed with a remote certificate (batch.sign, the VNPT plugin's array signing). A remote key
 * gathers the digests one approval covers before it asks the phone, so every document of a group must run up to
 * its digest at the same time: a group's documents run concurrently, groups one after the other. A document that
 * fails stops the others of its group (their approval could never be complete) and no later group starts.
 */
import { KysoError } from '../../core/errors.js';
import type { SigningKey } from '../../core/signing-key.js';
import { remoteGroups, type RemoteCertificate } from '../signing-certificate.js';

export type DocumentOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function signRemoteGroups<R>(
  certificate: RemoteCertificate,
  count: number,
  first: SigningKey,
  nextGroup: (() => Promise<SigningKey>) | undefined,
  signal: AbortSignal,
  signOne: (index: number, key: SigningKey, signal: AbortSignal) => Promise<R>,
): Promise<{ outcomes: Array<DocumentOutcome<R>>; failed?: { index: number; error: unknown } }> {
  const out: Array<DocumentOutcome<R>> = [];
  let start = 0;
  let key = first;
  let failure: unknown;
  let failed: { index: number; error: unknown } | undefined;
  for (const [g, size] of remoteGroups(count, certificate.multiSign).entries()) {
    if (failure !== undefined) {
      for (let i = 0; i < size; i++) out.push({ ok: false, error: failure });
      continue;
    }
    if (g > 0) {
      if (!nextGroup) throw new KysoError('INTERNAL', 'no key for the next group of documents');
      key = await nextGroup();
    }
    const stop = new AbortController();
    const groupSignal = AbortSignal.any([signal, stop.signal]);
    const groupKey = key;
    const settled = await Promise.all(Array.from({ length: size }, async (_, k): Promise<DocumentOutcome<R>> => {
      try {
        return { ok: true, value: await signOne(start + k, groupKey, groupSignal) };
      } catch (error) {
        // The first failure is the group's reason; the others stopped because of it.
        if (!stop.signal.aborted) {
          failed = { index: start + k, error };
          stop.abort(error);
        }
        return { ok: false, error };
      }
    }));
    if (failed) failure = failed.error;
    out.push(...settled);
    start += size;
  }
  return { outcomes: out, ...(failed ? { failed } : {}) };
}
