/**
 * The optional PIN cache. OFF by default (0 minutes): then nothing is ever kept. When the user turns it on
 * in settings AND ticks "remember" in the PIN window, the PIN of that token is kept in memory only, for a
 * fixed time from entry (not extended by use), and wiped when the time is up, the token is pulled out, the
 * duration is changed, the computer locks or sleeps, or Kyso quits.
 *
 * It is used only while the token reports its PIN as fine: once the token says "count low" (a wrong PIN was
 * entered since) the cached PIN is dropped and the user is asked, so a stale PIN is never tried twice.
 */
import type { PinState } from '../core/token/token-service.js';

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface Entry {
  pin: Buffer;
  expires: number;
  timer: unknown;
}

export class PinCache {
  private readonly entries = new Map<string, Entry>();
  private minutes = 0;

  constructor(private readonly timers: Timers = realTimers) {}

  get enabledMinutes(): number {
    return this.minutes;
  }

  /** Sets the duration from settings; any change (including turning it off) forgets every PIN. */
  configure(minutes: number): void {
    const m = Number.isFinite(minutes) && minutes > 0 ? Math.min(60, Math.floor(minutes)) : 0;
    if (m !== this.minutes) this.forgetAll();
    this.minutes = m;
  }

  put(tokenId: string, pin: string): void {
    if (this.minutes <= 0) return;
    this.forget(tokenId);
    const ms = this.minutes * 60_000;
    const entry: Entry = { pin: Buffer.from(pin, 'utf8'), expires: this.timers.now() + ms, timer: undefined };
    entry.timer = this.timers.setTimeout(() => this.forget(tokenId), ms);
    this.entries.set(tokenId, entry);
  }

  /** The cached PIN for this token, if any, still valid, and the token reports no failed tries. */
  get(tokenId: string, pinState: PinState): string | undefined {
    const e = this.entries.get(tokenId);
    if (!e) return undefined;
    if (this.minutes <= 0 || pinState !== 'ok' || this.timers.now() >= e.expires) {
      this.forget(tokenId);
      return undefined;
    }
    return e.pin.toString('utf8');
  }

  has(tokenId: string): boolean {
    return this.entries.has(tokenId);
  }

  get size(): number {
    return this.entries.size;
  }

  forget(tokenId: string): void {
    const e = this.entries.get(tokenId);
    if (!e) return;
    this.timers.clearTimeout(e.timer);
    e.pin.fill(0);
    this.entries.delete(tokenId);
  }

  /** Forgets the PINs of tokens no longer present. */
  keepOnly(presentTokenIds: Iterable<string>): void {
    const present = new Set(presentTokenIds);
    for (const id of [...this.entries.keys()]) if (!present.has(id)) this.forget(id);
  }

  forgetAll(): void {
    for (const id of [...this.entries.keys()]) this.forget(id);
  }
}
