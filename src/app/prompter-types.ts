/**
 * The seam between the agent and people, as the design describes it (`../shared/design.md`, "Prompter").
 * The agent (src/agent) owns the real interface; until it lands this file mirrors it so the tray app's windows
 * can be written and tested. `ElectronPrompter` implements it with windows.
 *
 * Conventions: a dialog the user closes or cancels rejects with KysoError('USER_CANCELLED'), except the two
 * yes/no questions (`consent`, `confirm`) whose "no" is an answer. Every method accepts an optional
 * AbortSignal: the agent aborts when the page that asked goes away, and the window closes.
 */
import type { TokenCertificate, PinRequest } from '../core/token/token-service.js';
import type { AppearanceSigner } from '../core/pdf/appearance/layout.js';
import type { PagesPlacement, RectPlacement, SignatureAppearanceOptions } from '../core/pdf/appearance/options.js';

export type { TokenCertificate, PinRequest };

export interface PromptOptions {
  signal?: AbortSignal;
}

export interface ConfirmRequest {
  origin: string;
  documents: ReadonlyArray<{ fileName: string; size: number }>;
  certificate: TokenCertificate;
}

/** The document the placement dialog shows. */
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

export interface Prompter {
  /** May `origin` use the user's token? true = allow (the agent remembers it), false = deny. */
  consent(origin: string, options?: PromptOptions): Promise<boolean>;
  /** Which certificate to sign with; resolves to one element of `list`. */
  chooseCertificate(origin: string, list: readonly TokenCertificate[], options?: PromptOptions): Promise<TokenCertificate>;
  /** The PIN for `request.token`, used once by the token layer (never retried). */
  pin(request: PinRequest, options?: PromptOptions): Promise<string>;
  /** Sign these documents with this certificate for this site? */
  confirm(request: ConfirmRequest, options?: PromptOptions): Promise<boolean>;
  /** Where the visible signature goes and how it looks. */
  placement(document: PlacementDocument, defaults: PlacementDefaults, options?: PromptOptions): Promise<PlacementChoice>;
}
