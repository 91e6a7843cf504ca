/**
 * Prompts wait their turn: one Kyso window asks one thing at a time, in the order the requests came, so two
 * sites can never have their questions shown on top of each other. A request withdrawn while waiting (its
 * page went away) leaves the queue without ever showing a window. The tray shows how many are waiting.
 */
import { KysoError } from '../core/errors.js';
import { abortError } from './dialog-host.js';

interface Waiting {
  start: () => void;
  cancel: (e: KysoError) => void;
}

export class PromptQueue {
  private readonly waiting: Waiting[] = [];
  private active = 0;
  private readonly listeners = new Set<(pending: number) => void>();

  /** Prompts waiting or on screen. */
  get pending(): number {
    return this.waiting.length + this.active;
  }

  onChange(listener: (pending: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `task` (which shows one window and waits for it) when every earlier prompt is answered. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          this.changed();
          reject(abortError(signal!));
        }
      };
      const entry: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          this.changed();
          let p: Promise<T>;
          try {
            p = task();
          } catch (e) {
            p = Promise.reject(e);
          }
          p.then(resolve, reject).finally(() => {
            this.active--;
            this.changed();
            this.next();
          });
        },
        cancel: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.changed();
      this.next();
    });
  }

  /** Withdraws every waiting prompt (quitting). The one on screen is closed by its own window. */
  cancelAll(reason: KysoError = new KysoError('USER_CANCELLED', 'Kyso is quitting')): void {
    const all = this.waiting.splice(0);
    for (const w of all) w.cancel(reason);
    if (all.length) this.changed();
  }

  private next(): void {
    if (this.active > 0) return;
    this.waiting.shift()?.start();
  }

  private changed(): void {
    for (const l of this.listeners) l(this.pending);
  }
}
