/**
 * What crosses the bridge between the tray app and its dialog pages (consent, certificate, PIN, confirmation,
 * settings; the placement dialog's types are in ../bridge.ts). Plain JSON only: dates as ISO strings, no
 * DER, no file paths except the PKCS#11 module paths the settings page shows. The main process validates
 * every reply (src/app/dialogs/*) before it believes it.
 */
import type { UiLanguage } from '../bridge.js';
import type { SignatureAppearanceOptions } from '../../core/pdf/appearance/options.js';

export type { UiLanguage };

export type DialogKind = 'consent' | 'certificate' | 'pin' | 'confirm' | 'placement' | 'settings';

/** Host side of a dialog page: `init()` once, then exactly one of `submit()` / `cancel()`. */
export interface KysoDialogBridge<Request, Result> {
  init(): Promise<Request>;
  submit(result: Result): Promise<void> | void;
  cancel(): Promise<void> | void;
}

// ---- site consent --------------------------------------------------------------------------------------

export interface ConsentDialogRequest {
  origin: string;
  language: UiLanguage;
}
export interface ConsentDialogResult {
  allow: boolean;
}

// ---- certificate picker ----------------------------------------------------------------------------------

/** A certificate as the user sees it. */
export interface CertificateView {
  /** Opaque id (SHA-256 fingerprint). */
  id: string;
  commonName: string;
  /** CCCD, CMND, MST, … from the subject's UID values. */
  identifiers: Record<string, string>;
  organization?: string;
  title?: string;
  email?: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  state: 'valid' | 'expired' | 'not-yet-valid';
  /** Token label (and vendor). */
  token: string;
  key: string;
  serialNumber: string;
}
export interface CertificateDialogRequest {
  origin: string;
  certificates: CertificateView[];
  language: UiLanguage;
}
export interface CertificateDialogResult {
  certificateId: string;
}

// ---- PIN -------------------------------------------------------------------------------------------------

export interface PinDialogRequest {
  /** Token label. */
  token: string;
  /** Holder of the certificate being used, when known. */
  holder?: string;
  pinState: 'ok' | 'count-low' | 'final-try' | 'locked';
  /** Offer "remember for N minutes" (0: the PIN cache is off, no such choice). */
  cacheMinutes: number;
  minLength?: number;
  maxLength?: number;
  language: UiLanguage;
}
export interface PinDialogResult {
  pin: string;
  remember: boolean;
}

// ---- per-signature confirmation -------------------------------------------------------------------------

export interface ConfirmDialogRequest {
  origin: string;
  documents: Array<{ fileName: string; size: number }>;
  certificate: CertificateView;
  language: UiLanguage;
}
export interface ConfirmDialogResult {
  confirmed: boolean;
}

// ---- settings --------------------------------------------------------------------------------------------

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The appearance defaults the settings page edits (a subset of SignatureAppearanceOptions). */
export type AppearanceDefaults = Pick<SignatureAppearanceOptions, 'show' | 'bold' | 'upperCase' | 'border' | 'fontSize'>;

export interface SettingsView {
  language: UiLanguage;
  modulePaths: string[];
  tsa: { url: string; username: string; hasPassword: boolean };
  appearance: AppearanceDefaults;
  /** Loopback port of the agent; null = the agent's default (and its fallbacks). */
  port: number | null;
  /** 0 = off (the default). */
  pinCacheMinutes: number;
  logLevel: LogLevel;
  autostart: boolean;
  /** Pages written for the VNPT-CA Plugin may use Kyso (each site still asks for consent). */
  vnptCompat: boolean;
}

export interface AllowedSite {
  origin: string;
  /** ISO time the user allowed it, when known. */
  since?: string;
}

/** Kyso's local certificate (https/wss on loopback) as the settings page shows it. */
export interface LocalCertificateView {
  present: boolean;
  caName?: string;
  /** ISO time the server certificate ends (renewed 30 days before). */
  notAfter?: string;
  /** The trust stores tried, by their label, and whether the CA is in each. */
  stores: Array<{ label: string; installed: boolean }>;
}

export interface SettingsDialogRequest {
  settings: SettingsView;
  sites: AllowedSite[];
  /** False when the OS offers no protected storage: the TSA password cannot be saved. */
  secretsAvailable: boolean;
  pinCacheChoices: number[];
  /** The agent's default port, shown when `port` is null. */
  defaultPort?: number;
  localCertificate?: LocalCertificateView;
  version: string;
  language: UiLanguage;
}

export interface SettingsDialogResult {
  language: UiLanguage;
  modulePaths: string[];
  /** `password`: a new one; `null`: forget it; absent: keep the stored one. */
  tsa: { url: string; username: string; password?: string | null };
  appearance: AppearanceDefaults;
  port: number | null;
  pinCacheMinutes: number;
  logLevel: LogLevel;
  autostart: boolean;
  vnptCompat: boolean;
  /** Sites whose permission the user withdrew. */
  revokedSites: string[];
}

/**
 * The settings page may also ask the host to pick a PKCS#11 module with the OS file dialog, and to put the local
 * certificate in the trust stores again (after the user declined it once).
 */
export interface KysoSettingsBridge extends KysoDialogBridge<SettingsDialogRequest, SettingsDialogResult> {
  chooseModule(): Promise<string | null>;
  installLocalCertificate(): Promise<LocalCertificateView>;
}
