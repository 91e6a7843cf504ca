/**
 * The agent's WebSocket connection slots, shared by both endpoints (native and VNPT-CA Plugin compatible): at
 * most `max` at once, and at most `perSite` for one site, so that one page opening many sockets (or many pages
 * of one site, on rotating subdomains) cannot take every slot and lock out the real portal in the same browser.
 *
 * A site is the registrable part of the origin's host, approximated without a public-suffix list: the last two
 * labels, or three when the second-to-last is a common second-level label under a country code
 * (`dichvucong.gov.vn`, `a.b.example.com.vn` → `example.com.vn`). Scheme and port are ignored. Over-grouping
 * only makes the cap stricter; under-grouping (an unknown public suffix) still leaves the per-origin bound.
 */
import { isIP } from 'node:net';

const SECOND_LEVEL = new Set(['ac', 'biz', 'co', 'com', 'edu', 'gov', 'health', 'info', 'int', 'mil', 'name', 'net', 'org', 'pro']);

/** The site an origin belongs to (see above); the host itself for IP addresses and single labels. */
export function siteOf(origin: string): string {
  let host: string;
  try { host = new URL(origin).hostname.toLowerCase(); } catch { return origin; }
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return bare;
  const labels = host.replace(/\.$/, '').split('.');
  if (labels.length <= 2) return labels.join('.');
  const keep = labels.length >= 3 && labels.at(-1)!.length === 2 && SECOND_LEVEL.has(labels.at(-2)!) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

export interface SlotLimits {
  /** Connections at once, all sites together. */
  max: number;
  /** Connections at once for one site. */
  perSite: number;
}

export class ConnectionSlots {
  private total = 0;
  private readonly bySite = new Map<string, number>();

  constructor(private readonly limits: SlotLimits) {}

  get open(): number {
    return this.total;
  }

  /** Takes a slot for `origin`; the reason it may not have one otherwise. Give it back with the returned release. */
  take(origin: string): { release: () => void } | { refused: string } {
    const site = siteOf(origin);
    const held = this.bySite.get(site) ?? 0;
    if (this.total >= this.limits.max) return { refused: 'too many connections' };
    if (held >= this.limits.perSite) return { refused: `too many connections from ${site}` };
    this.total++;
    this.bySite.set(site, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.bySite.get(site) ?? 1) - 1;
        if (left > 0) this.bySite.set(site, left); else this.bySite.delete(site);
      },
    };
  }
}
