/**
 * Untrusted documents are parsed in worker threads, never on the caller's event loop: a file that makes a parser
 * loop or balloon costs one worker, which is terminated and replaced, and the caller gets a typed error —
 * TIMEOUT past the deadline, DOCUMENT_TOO_COMPLEX past the heap cap (V8 `resourceLimits`) or the memory cap (the
 * process RSS, watched from the main thread, because inflated buffers live outside the V8 heap).
 *
 * The deadline counts the worker's own time: it pauses while the worker waits on the main thread (the token
 * signing a digest, a TSA, the user), which is where the PIN and the token stay.
 *
 * A few workers (default 2) are started on first use and reused; an idle worker does not keep the process alive.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { KysoError } from '../errors.js';
import { fromWire, toWire, type FromWorker, type ToWorker, type WorkerStart } from './messages.js';

export interface IsolationLimits {
  /** A job running longer than this (own time, waits on the main thread excluded) is stopped: TIMEOUT. */
  deadlineMs: number;
  /** V8 old-generation heap of a worker. */
  heapMb: number;
  /** The process's RSS may grow this much above where it stood when the pool started, while jobs run. */
  rssGrowthMb: number;
  /** Workers at most. */
  workers: number;
}

export const DEFAULT_ISOLATION_LIMITS: IsolationLimits = { deadlineMs: 60_000, heapMb: 384, rssGrowthMb: 640, workers: 2 };

/** What the main thread answers for a job: calls the worker makes, and events it sends. */
export type MainHandlers = Record<string, (...args: never[]) => unknown>;

export interface RunOptions {
  deadlineMs?: number;
  /** Aborting stops the job (its worker is replaced) and rejects with the signal's reason. */
  signal?: AbortSignal;
  handlers?: MainHandlers;
  /**
   * The job's calls to the main thread may wait on a person (a remote key waits for a phone approval): while one
   * waits, its worker does not hold one of the `workers` places, and up to PARKED_WORKERS_MAX more start, so that
   * the other documents of a batch reach their digest too and one approval covers them.
   */
  parkable?: boolean;
  /**
   * Queued jobs cannot start because every worker waits on the main thread: the caller should answer with what it
   * has (a remote key signs the digests gathered so far) instead of waiting for documents that cannot come.
   */
  onStall?: () => void;
  /** The worker (threadId) to run on when it is free, where an earlier job kept what this one needs (jobs.ts). */
  worker?: number;
}

/** Extra workers while parkable jobs wait on a person: a batch beyond this is signed in several approvals. */
export const PARKED_WORKERS_MAX = 8;

interface Job {
  id: number;
  kind: string;
  args: unknown;
  transfer: ArrayBuffer[];
  options: RunOptions;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  /** Deadline bookkeeping: time left, and the running timer (absent while paused on a main-thread call). */
  remainingMs: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
  pendingCalls: number;
  dead: boolean;
  /** Until the worker has loaded what the job needs ('begun'): its deadline counts from there, not module loading. */
  loadTimer?: NodeJS.Timeout;
}

/**
 * The worker's entry. In the bundle (scripts/bundle-cli.mjs): its loader, which runs the worker from its code
 * cache. In tsc's output: worker.js beside this file. From sources (tests): the bundle's when it is at least as
 * new as tsc's output, else tsc's.
 */
declare const KYSO_BUNDLED: boolean | undefined;
function workerUrl(): URL {
  if (typeof KYSO_BUNDLED !== 'undefined') return new URL('./worker-loader.cjs', import.meta.url);
  const here = new URL('./worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const dist = (p: string): URL => new URL(import.meta.url.replace(/\/src\/core\/isolation\/pool\.ts$/, `/dist/${p}`));
  const compiled = dist('core/isolation/worker.js');
  const bundled = dist('bundle/worker-loader.cjs');
  const mtime = (u: URL): number => { try { return statSync(u).mtimeMs; } catch { return -1; } };
  const b = mtime(bundled);
  return b >= 0 && b >= mtime(compiled) ? bundled : compiled;
}

let nextJobId = 1;
const RSS_POLL_MS = 50;
/** A worker that has not loaded a job's engine by then is broken (not the document's fault). */
const LOAD_LIMIT_MS = 60_000;

export class DocumentWorkers {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private rssBaseline = 0;
  private rssTimer: NodeJS.Timeout | undefined;
  /** Workers started so far (tests and logs: a replaced worker counts again). */
  started = 0;

  constructor(readonly limits: IsolationLimits = DEFAULT_ISOLATION_LIMITS) {}

  run<T>(kind: string, args: unknown, options: RunOptions = {}, transfer: ArrayBuffer[] = []): Promise<T> {
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    const signal = options.signal;
    let onAbort: (() => void) | undefined;
    const answered = new Promise<T>((resolve, reject) => {
      const job: Job = { id: nextJobId++, kind, args, transfer, options, resolve: resolve as (v: unknown) => void, reject };
      this.queue.push(job);
      onAbort = () => this.abort(job, abortReason(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pump();
    });
    // One request's signal serves many jobs (a batch): each job's listener goes when it is answered.
    if (!signal) return answered;
    return answered.finally(() => signal.removeEventListener('abort', onAbort!));
  }

  private pump(): void {
    while (this.queue.length) {
      const wanted = this.queue[0]!.options.worker;
      let slot = (wanted !== undefined ? this.slots.find((s) => !s.job && !s.dead && s.worker.threadId === wanted) : undefined)
        ?? this.slots.find((s) => !s.job && !s.dead);
      if (!slot && this.mayGrow()) slot = this.spawn();
      if (!slot) {
        this.reportStall();
        return;
      }
      this.start(slot, this.queue.shift()!);
    }
  }

  /** Tells `worker` that the document it keeps under `ticket` is no longer wanted (nothing if it is gone). */
  forget(worker: number, ticket: number): void {
    const slot = this.slots.find((s) => !s.dead && s.worker.threadId === worker);
    slot?.worker.postMessage({ type: 'forget', ticket } satisfies ToWorker);
  }

  /**
   * Starts a worker now if none runs, loading the engines of the jobs the caller expects, so that they load while
   * the caller gets ready (the CLI reads options, the file and the token meanwhile) rather than after.
   */
  warm(expected: string[]): void {
    if (!this.slots.some((s) => !s.dead)) this.spawn({ preload: expected });
  }

  /** Another worker may start: fewer than `workers` are working, parkable jobs waiting on a person not counted. */
  private mayGrow(): boolean {
    const parked = this.slots.filter((s) => s.job?.options.parkable && s.pendingCalls > 0).length;
    return this.slots.length - Math.min(parked, PARKED_WORKERS_MAX) < this.limits.workers;
  }

  /** Every worker waits on the main thread and jobs are queued: tell those jobs' callers (RunOptions.onStall). */
  private reportStall(): void {
    if (!this.slots.length || !this.slots.every((s) => s.job && s.pendingCalls > 0)) return;
    for (const s of this.slots) {
      try { s.job!.options.onStall?.(); } catch { /* the caller's business */ }
    }
  }

  private spawn(start: WorkerStart = {}): Slot {
    const worker = new Worker(fileURLToPath(workerUrl()), {
      workerData: start,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    this.started++;
    const slot: Slot = { worker, remainingMs: 0, startedAt: 0, pendingCalls: 0, dead: false };
    this.slots.push(slot);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.fail(slot, oom
        ? new KysoError('DOCUMENT_TOO_COMPLEX', `the document needs more than ${this.limits.heapMb} MB of memory to parse`)
        : new KysoError('INTERNAL', `document worker failed: ${err.message}`));
    });
    worker.on('exit', () => this.fail(slot, new KysoError('INTERNAL', 'document worker exited')));
    // After the listeners: attaching a 'message' listener refs the worker's port again.
    worker.unref();
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.pendingCalls = 0;
    slot.remainingMs = job.options.deadlineMs ?? this.limits.deadlineMs;
    slot.worker.ref();
    slot.loadTimer = setTimeout(() => this.fail(slot, new KysoError('INTERNAL', 'document worker did not start')), LOAD_LIMIT_MS);
    slot.loadTimer.unref();
    this.watchMemory();
    const msg: ToWorker = { type: 'job', id: job.id, kind: job.kind, args: job.args };
    slot.worker.postMessage(msg, job.transfer);
  }

  /** `since`: when the worker went on with the job (its 'begun' may be read late); at most now. */
  private resumeDeadline(slot: Slot, since = Date.now()): void {
    const now = Date.now();
    slot.startedAt = Math.min(since, now);
    slot.timer = setTimeout(() => this.fail(slot, this.timeoutError(slot)), Math.max(0, slot.remainingMs - (now - slot.startedAt)));
    slot.timer.unref();
  }

  private timeoutError(slot: Slot): KysoError {
    return new KysoError('TIMEOUT', `the document took longer than ${Math.round((slot.job?.options.deadlineMs ?? this.limits.deadlineMs) / 1000)} s to process`);
  }

  /** Whether the job, done at `at` by the worker's clock, had used up its deadline (its timer may not have run yet). */
  private pastDeadline(slot: Slot, at: number): boolean {
    return slot.timer !== undefined && at - slot.startedAt > slot.remainingMs;
  }

  private pauseDeadline(slot: Slot): void {
    if (!slot.timer) return;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.remainingMs -= Date.now() - slot.startedAt;
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const job = slot.job;
    if (!job) return;
    if (m.type === 'begun') {
      if (m.id !== job.id) return;
      clearTimeout(slot.loadTimer);
      this.resumeDeadline(slot, m.at);
      return;
    }
    if (m.type === 'done') {
      if (m.id !== job.id) return;
      // The deadline's timer and the answer can fall due together (a main thread busy elsewhere reads both at
      // once, and may read the answer first): a job the worker finished past its deadline is TIMEOUT either way.
      if (this.pastDeadline(slot, m.at)) { this.fail(slot, this.timeoutError(slot)); return; }
      this.finish(slot);
      if (m.ok) job.resolve(m.value);
      else job.reject(fromWire(m.error));
      return;
    }
    if (m.id !== job.id) return;
    const name = m.type === 'call' ? m.method : m.name;
    const handler = job.options.handlers?.[name] as ((...a: unknown[]) => unknown) | undefined;
    if (m.type === 'event') {
      try { handler?.(...m.args); } catch { /* an event handler's failure is the caller's business */ }
      return;
    }
    if (slot.pendingCalls++ === 0) {
      this.pauseDeadline(slot);
      // A job now waiting may free a place (parkable) or leave the pool stalled: look at the queue again.
      if (this.queue.length) queueMicrotask(() => this.pump());
    }
    const reply = (r: ToWorker): void => {
      if (slot.job !== job || slot.dead) return;
      if (--slot.pendingCalls === 0) this.resumeDeadline(slot);
      slot.worker.postMessage(r);
    };
    Promise.resolve()
      .then(() => {
        if (!handler) throw new KysoError('INTERNAL', `no handler for ${name}`);
        return handler(...m.args);
      })
      .then(
        (value) => reply({ type: 'reply', callId: m.callId, ok: true, value }),
        (err: unknown) => reply({ type: 'reply', callId: m.callId, ok: false, error: toWire(err) }),
      );
  }

  /** The job is answered: the worker is free again and no longer keeps the process alive. */
  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    clearTimeout(slot.loadTimer);
    slot.timer = undefined;
    slot.job = undefined;
    slot.worker.unref();
    // A worker started while others were parked goes when it is no longer needed: `workers` stay.
    if (!this.queue.length && this.slots.length > this.limits.workers) {
      slot.dead = true;
      this.slots.splice(this.slots.indexOf(slot), 1);
      void slot.worker.terminate();
    }
    this.watchMemory();
    queueMicrotask(() => this.pump());
  }

  /** Stops the slot's job with `err`: the worker is terminated (it may be stuck) and replaced on demand. */
  private fail(slot: Slot, err: KysoError): void {
    if (slot.dead) return;
    slot.dead = true;
    if (slot.timer) clearTimeout(slot.timer);
    clearTimeout(slot.loadTimer);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const job = slot.job;
    slot.job = undefined;
    void slot.worker.terminate();
    job?.reject(err);
    this.watchMemory();
    queueMicrotask(() => this.pump());
  }

  private abort(job: Job, reason: unknown): void {
    const q = this.queue.indexOf(job);
    if (q >= 0) { this.queue.splice(q, 1); job.reject(reason); return; }
    const slot = this.slots.find((s) => s.job === job);
    if (slot) {
      slot.job = undefined;
      this.fail(slot, reason instanceof KysoError ? reason : new KysoError('USER_CANCELLED'));
      job.reject(reason);
    }
  }

  /** Polls RSS while any job runs; past the cap every running job is stopped (the growth cannot be attributed). */
  private watchMemory(): void {
    const busy = this.slots.some((s) => s.job);
    if (!busy) {
      if (this.rssTimer) clearInterval(this.rssTimer);
      this.rssTimer = undefined;
      return;
    }
    if (this.rssTimer) return;
    // Growth is measured from where the process stood when it went from idle to busy.
    this.rssBaseline = process.memoryUsage.rss();
    this.rssTimer = setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss - this.rssBaseline <= this.limits.rssGrowthMb * 1024 * 1024) return;
      for (const s of this.slots.filter((x) => x.job)) {
        this.fail(s, new KysoError('DOCUMENT_TOO_COMPLEX', `processing the document took more than ${this.limits.rssGrowthMb} MB of memory`));
      }
    }, RSS_POLL_MS);
    this.rssTimer.unref();
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof KysoError ? signal.reason : new KysoError('USER_CANCELLED');
}
