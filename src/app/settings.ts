/**
 * The tray app's settings: one JSON file in the user's profile (userData/settings.json, mode 0600, written
 * atomically). The TSA password is kept only encrypted by the OS (safeStorage behind `SecretStore`); when the
 * OS has no protected storage it is not kept at all. The page never sees it back, only whether one is set.
 */
import * as nodeFs from 'node:fs';
import * as z from 'zod';
import { writeFileAtomicSync } from '../core/atomic-write.js';
import { KysoError } from '../core/errors.js';
import { appearanceOptionsSchema, pagesPlacementSchema, rectPlacementSchema } from '../core/pdf/appearance/schema.js';
import { parseCertificate } from '../core/cert/parse.js';
import { parseAnchorFile, type TrustAnchor } from '../core/validation/trust.js';
import type { PlacementResult } from '../ui/bridge.js';
import type { SettingsDialogResult, SettingsView, TrustAnchorView } from '../ui/kit/protocol.js';
import type { SecretStore } from './electron-api.js';

/** PIN cache durations offered, in minutes; 0 (off) is the default. */
export const PIN_CACHE_CHOICES: readonly number[] = [0, 1, 5, 15, 30];

const languageSchema = z.enum(['vi', 'en']);
const logLevelSchema = z.enum(['error', 'warn', 'info', 'debug']);
const portSchema = z.number().int().min(1024).max(65535).nullable();
const modulePathsSchema = z.array(z.string().min(1).max(4096)).max(32);
const tsaUrlSchema = z.string().max(2048).refine((u) => u === '' || /^https?:\/\/[^\s]+$/i.test(u), 'an http(s) URL');
const appearanceDefaultsSchema = appearanceOptionsSchema.pick({ show: true, bold: true, upperCase: true, border: true, fontSize: true });

/** At most this many extra trust anchors, each at most this large (DER). */
export const MAX_TRUST_ANCHORS = 32;
export const MAX_ANCHOR_FILE_BYTES = 1024 * 1024;
const MAX_ANCHOR_DER_BYTES = 16 * 1024;
const fingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/);
/** What the page shows of an anchor and hands back for those it keeps; only the fingerprint is used. */
const trustAnchorViewSchema = z.object({ fingerprint: fingerprintSchema, name: z.string().max(1024), notAfter: z.string().max(64) }).strict();
/** An extra trust anchor as stored: the certificate itself, as data (the file it came from may move or change). */
const storedAnchorSchema = z.object({ fingerprint: fingerprintSchema, name: z.string().max(1024), der: z.string().max(Math.ceil(MAX_ANCHOR_DER_BYTES / 3) * 4) }).strict();
export type StoredTrustAnchor = z.infer<typeof storedAnchorSchema>;

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
  /** The extra anchors to keep (absent: unchanged). Each must be one already stored or added in this window. */
  trustAnchors: z.array(trustAnchorViewSchema).max(MAX_TRUST_ANCHORS).optional(),
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
  /** Roots the user trusts besides the built-in ones, for verification (agent and verify window), as `kyso serve --trust-anchor`. */
  trustAnchors: z.array(storedAnchorSchema).max(MAX_TRUST_ANCHORS),
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
    trustAnchors: [],
  };
}

/**
 * The certificates of a file the user picked as trust anchors (PEM with one or more, or DER), validated as
 * certificates; BAD_REQUEST when it holds none or something else.
 */
export function trustAnchorsFromFile(bytes: Uint8Array, fileName: string): StoredTrustAnchor[] {
  if (bytes.length > MAX_ANCHOR_FILE_BYTES) throw new KysoError('TOO_LARGE', `${fileName} is larger than ${MAX_ANCHOR_FILE_BYTES} bytes`);
  const anchors = parseAnchorFile(bytes, fileName);
  if (anchors.length === 0) throw new KysoError('BAD_REQUEST', `${fileName} holds no certificate`);
  return anchors.map((a) => {
    if (a.der.length > MAX_ANCHOR_DER_BYTES) throw new KysoError('TOO_LARGE', `a certificate in ${fileName} is too large`);
    return { fingerprint: a.fingerprint, name: a.name, der: Buffer.from(a.der).toString('base64') };
  });
}

export function trustAnchorView(a: StoredTrustAnchor): TrustAnchorView {
  let notAfter = '';
  try { notAfter = parseCertificate(Buffer.from(a.der, 'base64')).notAfter.toISOString(); } catch { /* shown without it */ }
  return { fingerprint: a.fingerprint, name: a.name, notAfter };
}

/** The stored anchors as the agent and the verify window take them; one that no longer parses to its fingerprint is dropped. */
export function settingsAnchors(s: AppSettings): TrustAnchor[] {
  return s.trustAnchors.flatMap((a) => {
    try {
      return parseAnchorFile(Buffer.from(a.der, 'base64'), `settings: ${a.name}`).filter((x) => x.fingerprint === a.fingerprint);
    } catch {
      return [];
    }
  });
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
      trustAnchors: s.trustAnchors.map(trustAnchorView),
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

  /**
   * Applies what the settings page returned. A new password needs protected storage. Trust anchors are kept by
   * fingerprint: those already stored, or `added` (read from the files the user picked in this window).
   */
  apply(result: SettingsDialogResult, added: ReadonlyMap<string, StoredTrustAnchor> = new Map()): AppSettings {
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
      trustAnchors: parsed.trustAnchors ? this.keptAnchors(parsed.trustAnchors.map((a) => a.fingerprint), added) : this.value.trustAnchors,
    };
    this.write(next);
    return next;
  }

  private keptAnchors(fingerprints: readonly string[], added: ReadonlyMap<string, StoredTrustAnchor>): StoredTrustAnchor[] {
    const known = new Map([...this.value.trustAnchors.map((a) => [a.fingerprint, a] as const), ...added]);
    const unknown = fingerprints.filter((f) => !known.has(f));
    if (unknown.length) throw new KysoError('BAD_REQUEST', 'trust anchors must come from a file the user picked');
    return [...new Set(fingerprints)].map((f) => known.get(f)!);
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
