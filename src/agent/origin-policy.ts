/**
 * Which web pages may use the token. A page is known by its `Origin` header only (anything a page says about
 * itself in a message is ignored). A site may list certificates or ask for signatures only after the user
 * allowed it in a consent prompt (remembered in the settings file, revocable), or when the person running
 * Kyso pre-granted it (`kyso serve --trust-origin`; kept in memory, never written).
 *
 * Rules:
 * - The origin must be a serialized http(s) origin (`scheme://host[:port]`, no path); `null`, file:, extension
 *   and other schemes are refused at the handshake.
 * - Plain-http origins are accepted only on loopback hosts (local development): a page served over http from
 *   elsewhere could be anyone on the network path, so it is denied without asking.
 * - After the user says no, the same origin is denied without a new prompt for `denyCooldownMs`, so a page
 *   cannot flood the user with consent prompts by retrying.
 * - Concurrent requests of one origin share one consent prompt.
 * - One consent prompt at a time in all: while one is open, another origin is refused at once with BUSY (a page
 *   rotating subdomains raised dozens of prompts in seconds).
 * - After the user refuses any site, no site gets a new prompt for `refusalBackoffMs`, doubled with each refusal
 *   in a row up to `maxRefusalBackoffMs` (BUSY meanwhile): a flood of new origins, each refused, slows down
 *   exponentially. Allowing a site, or a quiet time as long as the cap, starts the count again.
 */
import { KysoError } from '../core/errors.js';
import type { Prompter } from './prompter.js';
import type { AllowedSite, SettingsStore } from './settings-store.js';

/** The canonical form of an Origin header value, or undefined when it is not an acceptable origin. */
export function parseOrigin(value: string | undefined): string | undefined {
  if (!value || value.length > 300) return undefined;
  let url: URL;
  try { url = new URL(value); } catch { return undefined; }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  // Exactly an origin: no path, query or fragment (URL adds "/" as the path of "https://a").
  if (url.origin !== value.toLowerCase().replace(/\/$/, '') && url.origin !== value) return undefined;
  return url.origin;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** https anywhere, http on loopback only. */
export function isSecureOrigin(origin: string): boolean {
  const url = new URL(origin);
  return url.protocol === 'https:' || isLoopbackHost(url.hostname);
}

export interface OriginPolicyOptions {
  /** Allowed without asking, for this run only (never written to the settings file). */
  preGranted?: readonly string[];
  denyCooldownMs?: number;
  refusalBackoffMs?: number;
  maxRefusalBackoffMs?: number;
  now?: () => number;
}

export class OriginPolicy {
  private readonly preGranted: ReadonlySet<string>;
  private readonly denied = new Map<string, number>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly cooldown: number;
  private readonly backoff: { base: number; max: number };
  /** Refusals in a row (any origin), the last one's time, and until when no new prompt is shown. */
  private refusals = 0;
  private lastRefusal = 0;
  private quietUntil = 0;
  private readonly now: () => number;

  constructor(private readonly store: SettingsStore, private readonly prompter: Prompter, options: OriginPolicyOptions = {}) {
    this.preGranted = new Set((options.preGranted ?? []).map((o) => {
      const p = parseOrigin(o);
      if (!p) throw new KysoError('BAD_REQUEST', `not an origin: ${o}`);
      return p;
    }));
    this.cooldown = options.denyCooldownMs ?? 60_000;
    this.backoff = { base: options.refusalBackoffMs ?? 5_000, max: options.maxRefusalBackoffMs ?? 5 * 60_000 };
    this.now = options.now ?? Date.now;
  }

  isAllowed(origin: string): boolean {
    return isSecureOrigin(origin) && (this.preGranted.has(origin) || this.store.isAllowed(origin));
  }

  /** Resolves when `origin` may use the token; asks the user the first time. Throws ORIGIN_DENIED otherwise. */
  async ensure(origin: string, signal?: AbortSignal): Promise<void> {
    if (!isSecureOrigin(origin)) throw new KysoError('ORIGIN_DENIED', 'pages served over plain http may not use Kyso');
    if (this.isAllowed(origin)) return;
    const deniedAt = this.denied.get(origin);
    if (deniedAt !== undefined && this.now() - deniedAt < this.cooldown) throw new KysoError('ORIGIN_DENIED', 'the user refused this site');
    let asking = this.pending.get(origin);
    if (!asking) {
      if (this.pending.size > 0) throw new KysoError('BUSY', 'another site is waiting for the user to answer its consent prompt');
      const wait = this.quietUntil - this.now();
      if (wait > 0) throw new KysoError('BUSY', `the user refused a site: no new consent prompt for ${Math.ceil(wait / 1000)} s`);
      // The answer is recorded once, by the prompt, however many requests share it.
      asking = this.prompter.consent(origin, signal ? { signal } : {})
        .then((allowed) => { this.answered(origin, allowed); return allowed; })
        .finally(() => this.pending.delete(origin));
      this.pending.set(origin, asking);
    }
    if (!(await asking)) throw new KysoError('ORIGIN_DENIED', 'the user refused this site');
  }

  private answered(origin: string, allowed: boolean): void {
    const now = this.now();
    if (allowed) {
      this.denied.delete(origin);
      this.refusals = 0;
      this.quietUntil = 0;
      if (!this.store.isAllowed(origin)) this.store.allow(origin);
      return;
    }
    // This origin waits its own cooldown; every origin waits the global one, which grows with refusals in a row.
    this.denied.set(origin, now);
    if (now - this.lastRefusal > this.backoff.max) this.refusals = 0;
    this.refusals++;
    this.lastRefusal = now;
    this.quietUntil = now + Math.min(this.backoff.max, this.backoff.base * 2 ** Math.min(this.refusals - 1, 30));
  }

  allowedSites(): AllowedSite[] {
    return this.store.allowedSites();
  }

  revoke(origin: string): boolean {
    this.denied.delete(origin);
    return this.store.revoke(parseOrigin(origin) ?? origin);
  }
}
