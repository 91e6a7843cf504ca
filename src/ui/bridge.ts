/**
 * The only way a Kyso dialog page talks to whoever hosts it: the tray app (an Electron window with a preload
 * script), or a test (Chromium driven by playwright). The host defines `window.kysoBridge` before the page's
 * script runs; the page calls `init()` once, then exactly one of `submit()` or `cancel()`.
 *
 * Everything crossing the bridge is plain JSON (documents as base64), so any host transport works.
 */
import type { AppearanceSigner } from '../core/pdf/appearance/layout.js';
import type { PagesPlacement, RectPlacement, SignatureAppearanceOptions } from '../core/pdf/appearance/options.js';

export type UiLanguage = 'vi' | 'en';

/** What the placement dialog is asked to do. */
export interface PlacementRequest {
  /** The PDF to show, base64. */
  document: string;
  fileName?: string;
  /** The site asking (shown to the user), e.g. "https://dichvucong.gov.vn". */
  origin?: string;
  /** The signer, for the live preview. */
  signer: AppearanceSigner;
  reason?: string;
  location?: string;
  language?: UiLanguage;
  /** Starting choices: the portal's request, else what the user chose last time. */
  defaults?: {
    placement?: RectPlacement | PagesPlacement;
    appearance?: SignatureAppearanceOptions;
  };
}

/** What the user chose. `placement.rect` is in the page's default user space (PDF points), ready for signing. */
export interface PlacementResult {
  placement: RectPlacement | PagesPlacement;
  appearance: SignatureAppearanceOptions;
}

export interface KysoPlacementBridge {
  init(): Promise<PlacementRequest>;
  /** The host remembers `result` as the next defaults, closes the window, and signs. */
  submit(result: PlacementResult): Promise<void> | void;
  cancel(): Promise<void> | void;
}

declare global {
  interface Window {
    kysoBridge?: KysoPlacementBridge;
  }
}

export function bridge(): KysoPlacementBridge {
  const b = window.kysoBridge;
  if (!b) throw new Error('Kyso: no host bridge (window.kysoBridge) for this dialog');
  return b;
}
