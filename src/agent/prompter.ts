/**
 * The Prompter: the only way the agent reaches a person. The agent asks; an implementation answers with
 * windows (the tray app, src/app/electron-prompter.ts), the terminal (prompters/terminal.ts) or a script
 * (prompters/scripted.ts: tests, and `kyso serve --trust-origin/--pin-stdin`). A pure interface: no I/O here.
 *
 * Conventions: a question the person dismisses rejects with KysoError('USER_CANCELLED'), except the two yes/no
 * questions (`consent`, `confirm`) whose "no" is an answer (false). Every method gets an AbortSignal: the agent
 * aborts when the page that asked goes away, cancels, or the request times out; the prompt then closes.
 */
import type { TokenCertificate, PinRequest } from '../core/token/token-service.js';
import type { ApprovalNotice } from '../core/remote/types.js';
import type { SecretRequest } from '../core/remote/remote-source.js';
import type { SigningCertificate } from './signing-certificate.js';
import type { AppearanceSigner } from '../core/pdf/appearance/layout.js';
import type { PagesPlacement, RectPlacement, SignatureAppearanceOptions } from '../core/pdf/appearance/options.js';

export type { TokenCertificate, PinRequest, SigningCertificate, ApprovalNotice, SecretRequest };

export interface PromptOptions {
  signal?: AbortSignal;
}

/** One signature to confirm: the site that asks, what it asks to sign, with which certificate. */
export interface ConfirmRequest {
  origin: string;
  documents: ReadonlyArray<{ fileName: string; size: number }>;
  certificate: SigningCertificate;
  /** A remote certificate: the phone approvals this will take (more than one for a batch beyond its multiSign). */
  approvals?: number;
}

/** The document the placement prompt shows. */
export interface PlacementDocument {
  origin: string;
  fileName: string;
  bytes: Uint8Array;
  signer: AppearanceSigner;
  reason?: string;
  location?: string;
}

export interface PlacementDefaults {
  placement?: RectPlacement | PagesPlacement;
  appearance?: SignatureAppearanceOptions;
}

export interface PlacementChoice {
  placement: RectPlacement | PagesPlacement;
  appearance: SignatureAppearanceOptions;
}

/** A file a site asks the user for (the VNPT plugin's chooseFile): the site gets its name and content only. */
export interface FileRequest {
  origin: string;
  /** Larger files are refused (TOO_LARGE). */
  maxBytes: number;
}

export interface ChosenFile {
  /** The file's name, without its folder. */
  name: string;
  bytes: Uint8Array;
}

export interface Prompter {
  /** May `origin` use the user's token? true: allow (the agent remembers it until revoked); false: deny. */
  consent(origin: string, options?: PromptOptions): Promise<boolean>;
  /** Which certificate `origin` gets to sign with; resolves to one element of `list`. */
  chooseCertificate(origin: string, list: readonly SigningCertificate[], options?: PromptOptions): Promise<SigningCertificate>;
  /** The PIN for `request.token`. The token layer uses it once and never retries it. */
  pin(request: PinRequest, options?: PromptOptions): Promise<string>;
  /** Sign these documents with this certificate for this site? Asked for every signature. */
  confirm(request: ConfirmRequest, options?: PromptOptions): Promise<boolean>;
  /** Where a visible signature goes and how it looks (`pdf.sign` with `placement: "ask"`). Optional: without it "ask" is refused. */
  placement?(document: PlacementDocument, defaults: PlacementDefaults, options?: PromptOptions): Promise<PlacementChoice>;
  /** A file the user picks for `request.origin`; the window names the site. Optional: without it the page gets nothing. */
  chooseFile?(request: FileRequest, options?: PromptOptions): Promise<ChosenFile>;
  /**
   * The phone is being asked to approve a remote signature: tell the person to open the provider's app. Shown
   * until `options.signal` aborts (approved, declined, expired, or the request went away); rejects
   * USER_CANCELLED when the person presses Cancel, which stops the remote operation. Optional: without it the
   * page still hears `waiting-for-approval`.
   */
  approval?(notice: ApprovalNotice, options: PromptOptions): Promise<void>;
  /**
   * A remote signing service asks for the account's password (or a client secret, or a credential PIN), to open a
   * session. Asked in Kyso's own window each time, used for that one request, never stored or logged. Optional:
   * without it remote accounts cannot sign in (REMOTE_AUTH_FAILED).
   */
  remoteSecret?(request: SecretRequest, options?: PromptOptions): Promise<string>;
  /** The token refused the PIN `pin()` gave for this request: drop any copy kept (a stored PIN must not lock the token). */
  pinRejected?(request: PinRequest): void;
}
