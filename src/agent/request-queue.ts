/**
 * One token operation at a time. PKCS#11 sessions, logins and the person answering prompts are shared by every
 * page, so operations run strictly one after another; up to `maxQueued` wait their turn and the rest are
 * refused at once with BUSY. A waiting operation whose signal aborts (its connection closed, the page
 * cancelled, its time ran out) leaves the queue without ever running. A running operation that is aborted
 * is answered at once, but the next one starts only when it has really finished: a token is never used by
 * two operations at once, even after a timeout.
 */
import { KysoError } from '../core/errors.js';

export interface QueueTask<T> {
  run: (signal: AbortSignal) => Promise<T>;
  signal: AbortSignal;
  /** Called when the task has to wait behind another. */
  onQueued?: () => void;
}

interface Waiting {
  start: () => void;
  signal: AbortSignal;
  drop: () => void;
}

export class RequestQueue {
  private running = false;
  private readonly waiting: Waiting[] = [];
  private readonly idleListeners = new Set<() => void>();

  constructor(private readonly maxQueued: number) {}

  /** Whether an operation is running now. */
  get busy(): boolean {
    return this.running;
  }

  /** Operations waiting their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  run<T>(task: QueueTask<T>): Promise<T> {
    const { signal } = task;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.running && this.waiting.length >= this.maxQueued) {
      return Promise.reject(new KysoError('BUSY', `${this.waiting.length} operation(s) already waiting`));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(abortReason(signal));
      const start = (): void => {
        this.running = true;
        signal.addEventListener('abort', onAbort, { once: true });
        let work: Promise<T>;
        try {
          work = task.run(signal);
        } catch (err) {
          work = Promise.reject(err);
        }
        work.then(resolve, reject).finally(() => {
          signal.removeEventListener('abort', onAbort);
          this.running = false;
          this.next();
        });
      };
      if (!this.running) {
        start();
        return;
      }
      const entry: Waiting = {
        start: () => {
          signal.removeEventListener('abort', entry.drop);
          start();
        },
        signal,
        drop: () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(abortReason(signal));
        },
      };
      this.waiting.push(entry);
      signal.addEventListener('abort', entry.drop, { once: true });
      task.onQueued?.();
    });
  }

  /** Calls `listener` each time the queue runs dry. */
  onIdle(listener: () => void): () => void {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  private next(): void {
    const entry = this.waiting.shift();
    if (entry) {
      entry.start();
      return;
    }
    for (const l of this.idleListeners) l();
  }
}

export function abortReason(signal: AbortSignal): KysoError {
  const r: unknown = signal.reason;
  return r instanceof KysoError ? r : new KysoError('USER_CANCELLED', r instanceof Error ? r.message : undefined);
}
