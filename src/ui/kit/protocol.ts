/**
 * What crosses the bridge between the tray app and its dialog pages (consent, certificate, PIN, confirmation,
 * settings, verify; the placement dialog's types are in ../bridge.ts). Plain JSON only: dates as ISO strings, no
 * DER, no file paths except the PKCS#11 module paths the settings page shows. The main process validates
 * every reply (src/app/dialogs/*) before it believes it.
 */
import type { UiLanguage } from '../bridge.js';
import type { SignatureAppearanceOptions } from '../../core/pdf/appearance/options.js';
import type { AccountKind } from '../../core/remote/account-forms.js';

export type { UiLanguage };

export type DialogKind = 'consent' | 'certificate' | 'pin' | 'confirm' | 'placement' | 'settings' | 'verify' | 'approval';

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
  /** Token label (and vendor); absent for a remote certificate. */
  token?: string;
  /** A remote signing certificate: its provider, the phone app that approves, the label of the user's account. */
  remote?: { provider: string; app: string; account: string };
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
  /**
   * Not a token: a remote signing service asks for the account's password (or a client secret, or a credential
   * PIN). `token` then names the provider; never remembered.
   */
  remote?: { secret: 'password' | 'client-secret' | 'credential-pin'; provider: string; account: string; label?: string };
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
  /** A remote certificate: the phone approvals signing will take (said before the user agrees). */
  approvals?: number;
  language: UiLanguage;
}
export interface ConfirmDialogResult {
  confirmed: boolean;
}

// ---- remote signing: waiting for the phone -------------------------------------------------------------

export interface ApprovalDialogRequest {
  provider: string;
  /** The phone app to open: "Mở ứng dụng <app> trên điện thoại để xác nhận". */
  app: string;
  /** The label of the user's account. */
  account: string;
  /** Holder of the certificate. */
  holder: string;
  documents: number;
  approval: { index: number; of: number };
  /** The short code the phone shows too, when the provider gives one. */
  code?: string;
  /** ISO time the provider stops waiting. */
  expiresAt: string;
  language: UiLanguage;
}
/** The page never answers; Cancel (or closing the window) stops the remote operation. */
export type ApprovalDialogResult = never;

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
  /** Root certificates the user trusts besides the built-in ones, when verifying signatures. */
  trustAnchors: TrustAnchorView[];
}

/** An extra trust anchor as the settings page shows it. */
export interface TrustAnchorView {
  /** SHA-256 of the certificate, lowercase hex. */
  fingerprint: string;
  name: string;
  /** ISO time the certificate ends ('' when unreadable). */
  notAfter: string;
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
  /** Remote signing accounts (absent: this Kyso has no remote signing). */
  remote?: RemoteAccountsView;
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
  /** The extra trust anchors to keep (absent: unchanged): stored ones, or ones `addTrustAnchor` returned. */
  trustAnchors?: TrustAnchorView[];
  /** Remote signing accounts added and removed in this window (absent: unchanged). */
  remoteAccounts?: RemoteAccountsChange;
}

// ---- settings: remote signing (ký số từ xa) --------------------------------------------------------------

/** What the user types as the account with a provider. */
export type RemoteAccountKind = AccountKind;

export interface RemoteProviderView {
  id: string;
  name: string;
  /** The phone app that approves. */
  app: string;
  accountKind: RemoteAccountKind;
}
export interface RemoteAccountView {
  id: string;
  providerId: string;
  /** The provider's name. */
  provider: string;
  label: string;
  /** The account as typed, partly hidden ("001•••••345"). */
  account: string;
}
export interface RemoteAccountsView {
  /** The provider presets the user may pick from; the page cannot name any other. */
  providers: RemoteProviderView[];
  accounts: RemoteAccountView[];
}
/** No password or secret: the provider asks for what it needs when signing. */
export interface RemoteAccountsChange {
  add: Array<{ providerId: string; account: string; label: string }>;
  /** Ids of accounts in the request's list. */
  remove: string[];
}

/**
 * The settings page may also ask the host to pick a PKCS#11 module with the OS file dialog, and to put the local
 * certificate in the trust stores again (after the user declined it once).
 */
export interface KysoSettingsBridge extends KysoDialogBridge<SettingsDialogRequest, SettingsDialogResult> {
  chooseModule(): Promise<string | null>;
  installLocalCertificate(): Promise<LocalCertificateView>;
  /**
   * Picks a certificate file with the OS file dialog; the host reads and validates it and returns the
   * certificates it holds (null: the user cancelled). Rejects when the file is not a certificate.
   */
  addTrustAnchor(): Promise<TrustAnchorView[] | null>;
}

// ---- verify a document -----------------------------------------------------------------------------------

/** One signature of a checked document, as the official reads it (src/app/dialogs/verify.ts makes it from core's report). */
export interface VerifySignatureView {
  /** 1-based, in file order; the revision number `saveRevision` takes. */
  number: number;
  kind: 'signature' | 'document-timestamp';
  signer?: {
    name?: string;
    /** CCCD, CMND, MST, … */
    identifiers: Record<string, string>;
    organization?: string;
    organizationalUnit?: string;
    title?: string;
    issuer?: string;
  };
  /** `local` is Asia/Ho_Chi_Minh (… +07:00); `source` says whether a TSA vouches for it or the signer's computer claimed it. */
  time?: { local: string; source: 'tsa' | 'claimed'; tsa?: string };
  level?: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
  reason?: string;
  location?: string;
  verdict: 'valid' | 'invalid' | 'modified' | 'untrusted';
  /** Absent when the chain was not checked. */
  trust?: { trusted: boolean; anchor?: string; problems: string[]; tsa?: { trusted: boolean; anchor?: string; problems: string[] } };
  /** What happened after this signature. */
  after: {
    verdict: 'unchanged' | 'allowed-changes' | 'disallowed-changes';
    /** Pages a disallowed change touches (1-based). */
    changedPages: number[];
    /** Kinds of the disallowed changes (page-content, annotation, …) and of the allowed ones (dss, signature, …). */
    disallowed: string[];
    allowed: string[];
    /** Field names of the signatures added later. */
    signaturesAdded: string[];
  };
  problems: string[];
  /** The signed revision can be saved (PDF only). */
  canSaveRevision: boolean;
}

export interface VerifyReportView {
  fileName: string;
  size: number;
  format: 'pdf' | 'ooxml';
  /** 0 every signature valid and trusted; 1 broken, modified or unsigned; 3 intact but not trusted. */
  exitCode: 0 | 1 | 3;
  signatures: VerifySignatureView[];
}

export interface VerifyDialogRequest {
  language: UiLanguage;
  /** A report to show at once (a document opened with Kyso); absent: the page asks for one. */
  report?: VerifyReportView;
}

/** The window only closes: nothing is answered. */
export type VerifyDialogResult = never;

/** A document dropped on the page: its name and bytes (never a path); the host verifies it. */
export interface DroppedDocument {
  name: string;
  bytes: Uint8Array;
}

/**
 * The verify page asks the host to open a document with the OS file dialog or to check one dropped on it (the
 * host reads and verifies it, the page only shows the report), and to save the revision signature `number` covers
 * through the OS save dialog. `false`/null: the user cancelled.
 */
/** A report, or why there is none (unreadable file, not a PDF or Office document) in both languages. */
export type VerifyOutcome = { report: VerifyReportView } | { error: { vi: string; en: string } };

export interface KysoVerifyBridge extends KysoDialogBridge<VerifyDialogRequest, VerifyDialogResult> {
  openDocument(): Promise<VerifyOutcome | null>;
  verifyDropped(document: DroppedDocument): Promise<VerifyOutcome>;
  saveRevision(number: number): Promise<boolean>;
}
