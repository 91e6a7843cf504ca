/**
 * What a signature appearance may contain in a file that declares PDF/A (see docs/pdfa.md for the rules and
 * which checker verifies each):
 *   - colour: only the device space the PDF/A output intent covers (ISO 19005-1 §6.2.3.3, -2 §6.2.4.3):
 *     DeviceRGB with an RGB profile, DeviceCMYK with a CMYK one, DeviceGray with a grey one;
 *   - transparency: none in PDF/A-1 (§6.4: no /SMask, no transparency group), so an image's alpha is composited
 *     onto white; also in parts 2/3 when the file has no output intent (-2 §6.2.10 would then require a page
 *     /Group the incremental update must not add);
 *   - CIDSet: PDF/A-1 requires one in the descriptor of every embedded CID font subset (§6.3.5).
 * Anything else (not PDF/A) keeps today's appearance: DeviceRGB, alpha as a soft mask, no CIDSet.
 */
import type { PdfAProfile } from '../pdfa.js';
import { formatNumber } from '../serialize.js';

export type DeviceColour = 'RGB' | 'CMYK' | 'Gray';

export interface AppearanceRules {
  /** The one device space allowed; undefined: any (text in DeviceRGB, images as they come). */
  colour?: DeviceColour;
  flattenAlpha: boolean;
  cidSet: boolean;
}

export const PLAIN_RULES: AppearanceRules = { flattenAlpha: false, cidSet: false };

export function appearanceRules(pdfa: PdfAProfile | undefined): AppearanceRules {
  if (!pdfa) return PLAIN_RULES;
  const intent = pdfa.outputIntent;
  // No intent, or a profile of another family (Lab, n-colour): DeviceRGB as before. Such a file already breaks
  // the rule for any device colour it uses itself; docs/pdfa.md lists this as not handled.
  const colour: DeviceColour = intent === 'CMYK' || intent === 'Gray' ? intent : 'RGB';
  return { colour, flattenAlpha: pdfa.part === 1 || intent === undefined, cidSet: pdfa.part === 1 };
}

/** An RGB colour (components 0–1) in `space`: the naive conversions, enough for a dark ink on paper. */
export function convertColour(rgb: readonly [number, number, number], space: DeviceColour): number[] {
  const [r, g, b] = rgb;
  if (space === 'RGB') return [r, g, b];
  if (space === 'Gray') return [0.299 * r + 0.587 * g + 0.114 * b];
  const k = 1 - Math.max(r, g, b);
  return k >= 1 ? [0, 0, 0, 1] : [(1 - r - k) / (1 - k), (1 - g - k) / (1 - k), (1 - b - k) / (1 - k), k];
}

const OPERATORS: Record<DeviceColour, [fill: string, stroke: string]> = { RGB: ['rg', 'RG'], CMYK: ['k', 'K'], Gray: ['g', 'G'] };

/** Content-stream operator setting a fill (or stroke) colour given in RGB, in `space`. */
export function colourOperator(rgb: readonly [number, number, number], space: DeviceColour, stroke = false): string {
  return `${convertColour(rgb, space).map(formatNumber).join(' ')} ${OPERATORS[space][stroke ? 1 : 0]}`;
}

/** PDF colour space name for images in `space`. */
export const deviceSpaceName = (space: DeviceColour): string => `Device${space}`;
