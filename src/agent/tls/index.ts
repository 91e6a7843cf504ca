/**
 * TLS on loopback, as the agent, the installer and `kyso tls` use it. `ensureLoopbackTls` returns the server
 * key and certificate, making them (and a fresh CA, installed in the user's trust stores) on first use and
 * again when the certificate nears its end: the CA key is gone, so renewal is a new CA, installed before the
 * old one is removed. `removeLoopbackTls` takes the CA out of every store and deletes the files (uninstall).
 */
import { generateLoopbackCertificates } from './generator.js';
import { discoverTrustStores } from './discover.js';
import { deleteTlsProfile, readTlsProfile, writeTlsProfile, writeTlsState, tlsDir, type TlsProfile, type TlsState } from './profile.js';
import type { CaCertificate, TrustStore } from './trust-store.js';

export { generateLoopbackCertificates, discoverTrustStores, tlsDir };
export type { TrustStore, CaCertificate };

const DAY_MS = 86_400_000;
export const DEFAULT_RENEW_BEFORE_DAYS = 30;

export interface LoopbackTls {
  key: string;
  cert: string;
  ca: string;
  caName: string;
  caSha256: string;
  notAfter: Date;
}

export interface TrustOutcome {
  store: string;
  label: string;
  ok: boolean;
  error?: string;
}

export interface EnsureOptions {
  now?: Date;
  /** Default: the stores of this platform (discover.ts). */
  stores?: readonly TrustStore[];
  renewBeforeDays?: number;
  /**
   * 'new': install only in stores never tried (a Firefox profile made since); 'all': try every store again
   * (`kyso tls install`, the installer); 'none': touch no store (`kyso serve` with an existing profile).
   */
  install?: 'new' | 'all' | 'none';
}

export interface EnsureResult {
  tls: LoopbackTls;
  /** Why the files changed: first run, or renewal. */
  change: 'none' | 'created' | 'renewed';
  trust: TrustOutcome[];
}

export async function ensureLoopbackTls(dataDir: string, options: EnsureOptions = {}): Promise<EnsureResult> {
  const now = options.now ?? new Date();
  const stores = options.stores ?? discoverTrustStores();
  const renewAt = (p: TlsProfile): number => p.notAfter.getTime() - (options.renewBeforeDays ?? DEFAULT_RENEW_BEFORE_DAYS) * DAY_MS;
  const current = readTlsProfile(dataDir);

  if (current && now.getTime() < renewAt(current)) {
    const mode = options.install ?? 'new';
    const wanted = mode === 'none' ? [] : stores.filter((s) => mode === 'all' || !(s.id in current.state.stores));
    const trust = await installInto(wanted, current.ca, current.state, now);
    if (wanted.length) writeTlsState(dataDir, current.state);
    return { tls: view(current), change: 'none', trust };
  }

  const next = fresh(now);
  const trust = await installInto(stores, next.ca, next.state, now);
  if (current && current.notAfter.getTime() > now.getTime() && stores.length > 0 && !trust.some((t) => t.ok)) {
    // The user declined the new CA everywhere: keep serving with the old one while it lasts, ask again next start.
    return { tls: view(current), change: 'none', trust };
  }
  writeTlsProfile(dataDir, next);
  if (current) {
    // The old CA leaves every store it was put in, now that the new one is in place.
    const old = stores.filter((s) => current.state.stores[s.id]?.installed);
    await Promise.all(old.map((s) => s.remove(current.ca).catch(() => undefined)));
  }
  return { tls: view(next), change: current ? 'renewed' : 'created', trust };
}

/** The current profile without touching anything; undefined when there is none or it has expired. */
export function loadLoopbackTls(dataDir: string, now: Date = new Date()): LoopbackTls | undefined {
  const p = readTlsProfile(dataDir);
  return p && p.notAfter.getTime() > now.getTime() ? view(p) : undefined;
}

export interface TlsStatus {
  present: boolean;
  caName?: string;
  caSha256?: string;
  notAfter?: Date;
  stores: Array<{ store: string; installed: boolean; at: string; error?: string }>;
  directory: string;
}

export function loopbackTlsStatus(dataDir: string): TlsStatus {
  const p = readTlsProfile(dataDir);
  const directory = tlsDir(dataDir);
  if (!p) return { present: false, stores: [], directory };
  return {
    present: true, caName: p.ca.name, caSha256: p.ca.sha256, notAfter: p.notAfter, directory,
    stores: Object.entries(p.state.stores).map(([store, s]) => ({ store, ...s })),
  };
}

/** Removes the CA from the stores it went into (and any other store holding it), then the files. */
export async function removeLoopbackTls(dataDir: string, options: { stores?: readonly TrustStore[] } = {}): Promise<TrustOutcome[]> {
  const p = readTlsProfile(dataDir);
  if (!p) {
    deleteTlsProfile(dataDir);
    return [];
  }
  const stores = options.stores ?? discoverTrustStores();
  const outcomes = await Promise.all(stores.filter((s) => p.state.stores[s.id] !== undefined).map(async (s): Promise<TrustOutcome> => {
    try {
      await s.remove(p.ca);
      return { store: s.id, label: s.label, ok: true };
    } catch (err) {
      return { store: s.id, label: s.label, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }));
  deleteTlsProfile(dataDir);
  return outcomes;
}

function fresh(now: Date): TlsProfile {
  const g = generateLoopbackCertificates({ now });
  const ca: CaCertificate = { pem: g.caCert, name: g.caName, sha1: g.caSha1, sha256: g.caSha256 };
  const state: TlsState = { version: 1, ca: { name: ca.name, sha1: ca.sha1, sha256: ca.sha256 }, notAfter: g.notAfter.toISOString(), stores: {} };
  return { key: g.serverKey, cert: g.serverCert, ca, notAfter: g.notAfter, state };
}

/** Stores one after another: Windows and macOS show the user a confirmation each, never two at once. */
async function installInto(stores: readonly TrustStore[], ca: CaCertificate, state: TlsState, now: Date): Promise<TrustOutcome[]> {
  const out: TrustOutcome[] = [];
  for (const s of stores) {
    try {
      await s.install(ca);
      state.stores[s.id] = { installed: true, at: now.toISOString() };
      out.push({ store: s.id, label: s.label, ok: true });
    } catch (err) {
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      state.stores[s.id] = { installed: false, at: now.toISOString(), error };
      out.push({ store: s.id, label: s.label, ok: false, error });
    }
  }
  return out;
}

const view = (p: TlsProfile): LoopbackTls => ({ key: p.key, cert: p.cert, ca: p.ca.pem, caName: p.ca.name, caSha256: p.ca.sha256, notAfter: p.notAfter });
