/**
 * The agent's own state on disk: which sites (origins) the user allowed, and since when. One small JSON file in
 * the user's config directory, written atomically (temporary sibling, fsync, rename; mode 0600) so a crash
 * never leaves half a file. Re-read when it changes on disk, so a revocation made elsewhere (another
 * process, `kyso sites revoke`) takes effect at the next request without a restart.
 *
 * File format (version 1): `{"version": 1, "allowedOrigins": [{"origin": "https://…", "since": "ISO time"}]}`.
 */
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { writeFileAtomicSync } from '../core/atomic-write.js';
import { defaultConfigDir } from '../core/config-dir.js';

export interface AllowedSite {
  origin: string;
  /** ISO time the user allowed it. */
  since?: string;
}

const fileSchema = z.object({
  version: z.literal(1),
  allowedOrigins: z.array(z.object({ origin: z.string().max(300), since: z.string().max(40).optional() }).strip()).max(10_000),
}).strip();

export const SETTINGS_FILE_NAME = 'agent-settings.json';
export const defaultSettingsPath = (): string => path.join(defaultConfigDir(), SETTINGS_FILE_NAME);

export class SettingsStore {
  private sites: AllowedSite[] = [];
  private stamp = '';
  private readonly listeners = new Set<() => void>();
  /** Set when the file could not be read as settings; reported once to whoever asks. */
  problem: string | undefined;

  constructor(readonly file: string) {
    this.reload();
  }

  /** The sites the user allowed, oldest first. */
  allowedSites(): AllowedSite[] {
    this.reload();
    return this.sites.map((s) => ({ ...s }));
  }

  isAllowed(origin: string): boolean {
    this.reload();
    return this.sites.some((s) => s.origin === origin);
  }

  allow(origin: string, now: Date = new Date()): void {
    this.reload();
    if (this.sites.some((s) => s.origin === origin)) return;
    this.sites.push({ origin, since: now.toISOString() });
    this.save();
  }

  /** Forgets a site; true when it was allowed. */
  revoke(origin: string): boolean {
    this.reload();
    const before = this.sites.length;
    this.sites = this.sites.filter((s) => s.origin !== origin);
    if (this.sites.length === before) return false;
    this.save();
    return true;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private currentStamp(): string {
    try {
      const st = statSync(this.file);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return 'missing';
    }
  }

  private reload(): void {
    const stamp = this.currentStamp();
    if (stamp === this.stamp) return;
    const had = JSON.stringify(this.sites);
    this.stamp = stamp;
    if (stamp === 'missing') {
      this.sites = [];
    } else {
      try {
        const parsed = fileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
        this.sites = parsed.allowedOrigins;
        this.problem = undefined;
      } catch (err) {
        // A damaged file allows nothing; keep a copy for the user before the next save replaces it.
        this.problem = `settings file unreadable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
        try { copyFileSync(this.file, `${this.file}.damaged`); } catch { /* best effort */ }
        this.sites = [];
      }
    }
    if (JSON.stringify(this.sites) !== had) for (const l of this.listeners) l();
  }

  private save(): void {
    writeFileAtomicSync(this.file, `${JSON.stringify({ version: 1, allowedOrigins: this.sites }, null, 2)}\n`);
    this.stamp = this.currentStamp();
    for (const l of this.listeners) l();
  }
}
