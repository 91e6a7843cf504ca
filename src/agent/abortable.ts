/**
 * Stopping on a request's signal: its reason (a KysoError: TIMEOUT, USER_CANCELLED…) thrown, or a value given up
 * on as soon as the signal aborts. Apart from methods/common.ts so that a Prompter can use it without the methods.
 */
import { KysoError } from '../core/errors.js';

const abortReason = (signal: AbortSignal): KysoError => (signal.reason instanceof KysoError ? signal.reason : new KysoError('USER_CANCELLED'));

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/**
 * `value`, or a rejection as soon as `signal` aborts (timeout, cancel, page gone): the caller answers at once,
 * while whatever produces `value` (a queued token operation) finishes on its own.
 */
export function abortable<T>(value: T | Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return Promise.resolve(value);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(value).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
