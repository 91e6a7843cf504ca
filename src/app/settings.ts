/**
 * The tray app's settings: one JSON file in the user's profile (userData/settings.json, mode 0600, written
 * atomically). The TSA password is kept only encrypted by the OS (safeStorage behind `SecretStore`); when the
 * OS has no protected storage it is not kept at all. The page never sees it back, only whether one is set.
 */
import * as nodeFs from 'node:fs';
import { z } from 'zod';
import { writeFileAtomicSync } from '../core/atomic-write.js';
import { KysoError } from '../core/errors.js';
import { appearanceOptionsSchema, pagesPlacementSchema, rectPlacementSchema } from '../core/pdf/appearance/schema.js';
import type { PlacementResult } from '../ui/bridge.js';
import type { SettingsDialogResult, SettingsView } from '../ui/kit/protocol.js';
import type { SecretStore } from './electron-api.js';

/** PIN cache durations offered, in minutes; 0 (off) is the default. */
export const PIN_CACHE_CHOICES: readonly number[] = [0, 1, 5, 15, 30];

const languageSchema = z.enum(['vi', 'en']);
const logLevelSchema = z.enum(['error', 'warn', 'info', 'debug']);
const portSchema = z.number().int().min(1024).max(65535).nullable();
const modulePathsSchema = z.array(z.string().min(1).max(4096)).max(32);
const tsaUrlSchema = z.string().max(2048).refine((u) => u === '' || /^https?:\/\/[^\s]+$/i.test(u), 'an http(s) URL');
const appearanceDefaultsSchema = appearanceOptionsSchema.pick({ show: true, bold: true, upperCase: true, border: true, fontSize: true });

/** The reply of the settings page, checked in the main process. */
export const settingsResultSchema = z.object({
  language: languageSchema,
  modulePaths: modulePathsSchema,
  tsa: z.object({
    url: tsaUrlSchema,
    username: z.string().max(256),
    password: z.string().max(1024).nullable().optional(),
  }).strict(),
  appearance: appearanceDefaultsSchema,
  port: portSchema,
  pinCacheMinutes: z.number().int().min(0).max(60),
  logLevel: logLevelSchema,
  autostart: z.boolean(),
  vnptCompat: z.boolean(),
  revokedSites: z.array(z.string().max(2048)).max(1000),
}).strict();

const storedSchema = z.object({
  version: z.literal(1),
  language: languageSchema,
  modulePaths: modulePathsSchema,
  tsa: z.object({
    url: tsaUrlSchema,
    username: z.string().max(256),
    /** base64 of the OS-encrypted password. */
    passwordEncrypted: z.string().max(8192).optional(),
  }),
  appearance: appearanceDefaultsSchema,
  port: portSchema,
  pinCacheMinutes: z.number().int().min(0).max(60),
  logLevel: logLevelSchema,
  autostart: z.boolean(),
  /** Answer pages written for the VNPT-CA Plugin (wss://localhost:4433/plugin); each site still needs consent. */
  vnptCompat: z.boolean(),
  /** What the user chose in the placement dialog last time (the next defaults). */
  lastPlacement: z.object({
    placement: z.union([rectPlacementSchema, pagesPlacementSchema]),
    appearance: appearanceOptionsSchema,
  }).optional(),
});

export type AppSettings = z.infer<typeof storedSchema>;

export function defaultSettings(): AppSettings {
  return {
    version: 1,
    language: 'vi',
    modulePaths: [],
    tsa: { url: '', username: '' },
    appearance: { show: { signer: true, organization: true, time: true }, border: false },
    port: null,
    pinCacheMinutes: 0,
    logLevel: 'info',
    autostart: true,
    vnptCompat: true,
  };
}

/** The file operations the store uses (node:fs in the app, a temp dir in tests). */
export type SettingsFs = Pick<typeof nodeFs, 'readFileSync' | 'renameSync' | 'existsSync'>;

export class SettingsStore {
  private value: AppSettings;
  private readonly listeners = new Set<(s: AppSettings) => void>();

  constructor(
    readonly file: string,
    private readonly secrets: SecretStore,
    private readonly fs: SettingsFs = nodeFs,
  ) {
    this.value = this.read();
  }

  get current(): AppSettings {
    return this.value;
  }

  onChange(listener: (s: AppSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the settings page shows (no secret). */
  view(): SettingsView {
    const s = this.value;
    return {
      language: s.language,
      modulePaths: [...s.modulePaths],
      tsa: { url: s.tsa.url, username: s.tsa.username, hasPassword: s.tsa.passwordEncrypted !== undefined },
      appearance: structuredClone(s.appearance),
      port: s.port,
      pinCacheMinutes: s.pinCacheMinutes,
      logLevel: s.logLevel,
      autostart: s.autostart,
      vnptCompat: s.vnptCompat,
    };
  }

  /** The TSA password, decrypted for one use; undefined when none is stored or it can no longer be read. */
  tsaPassword(): string | undefined {
    const enc = this.value.tsa.passwordEncrypted;
    if (enc === undefined || !this.secrets.available()) return undefined;
    try {
      return this.secrets.decrypt(Buffer.from(enc, 'base64'));
    } catch {
      return undefined; // e.g. the profile moved to another machine or user: the OS key is gone
    }
  }

  /** Applies what the settings page returned. A new password needs protected storage. */
  apply(result: SettingsDialogResult): AppSettings {
    const parsed = settingsResultSchema.parse(result);
    let passwordEncrypted = this.value.tsa.passwordEncrypted;
    if (parsed.tsa.password === null || (parsed.tsa.password === '' )) passwordEncrypted = undefined;
    else if (typeof parsed.tsa.password === 'string') {
      if (!this.secrets.available()) throw new KysoError('BAD_REQUEST', 'no protected storage for the TSA password');
      passwordEncrypted = this.secrets.encrypt(parsed.tsa.password).toString('base64');
    }
    const next: AppSettings = {
      ...this.value,
      language: parsed.language,
      modulePaths: [...new Set(parsed.modulePaths)],
      tsa: { url: parsed.tsa.url, username: parsed.tsa.username, ...(passwordEncrypted !== undefined ? { passwordEncrypted } : {}) },
      appearance: parsed.appearance,
      port: parsed.port,
      pinCacheMinutes: parsed.pinCacheMinutes,
      logLevel: parsed.logLevel,
      autostart: parsed.autostart,
      vnptCompat: parsed.vnptCompat,
    };
    this.write(next);
    return next;
  }

  rememberPlacement(result: PlacementResult): void {
    this.write({ ...this.value, lastPlacement: { placement: result.placement, appearance: result.appearance } });
  }

  private read(): AppSettings {
    if (!this.fs.existsSync(this.file)) return defaultSettings();
    let raw: unknown;
    try {
      raw = JSON.parse(this.fs.readFileSync(this.file, 'utf8'));
    } catch {
      return this.quarantine();
    }
    // Unknown or damaged fields fall back to their defaults one by one rather than losing everything.
    const base = defaultSettings();
    const merged = typeof raw === 'object' && raw !== null ? { ...base, ...(raw as object), version: 1 } : base;
    const parsed = storedSchema.safeParse(merged);
    if (parsed.success) return parsed.data;
    const keep: Record<string, unknown> = { ...base };
    for (const key of Object.keys(base) as Array<keyof AppSettings>) {
      const one = storedSchema.safeParse({ ...base, [key]: (merged as Record<string, unknown>)[key] });
      if (one.success) keep[key] = one.data[key];
    }
    const lp = storedSchema.shape.lastPlacement.safeParse((merged as Record<string, unknown>).lastPlacement);
    if (lp.success && lp.data) keep.lastPlacement = lp.data;
    return storedSchema.parse(keep);
  }

  /** Keeps an unreadable file aside (settings.json.bad) and starts from the defaults. */
  private quarantine(): AppSettings {
    try {
      this.fs.renameSync(this.file, `${this.file}.bad`);
    } catch {
      // nothing to keep
    }
    return defaultSettings();
  }

  private write(next: AppSettings): void {
    const checked = storedSchema.parse(next);
    writeFileAtomicSync(this.file, `${JSON.stringify(checked, null, 2)}\n`);
    this.value = checked;
    for (const l of this.listeners) l(checked);
  }
}
