/**
 * Visible signatures, for callers outside core/pdf (agent, CLI, app): what may be asked (types + zod schemas),
 * and the two entry points.
 *
 *   signPdfVisible(bytes, key, { placement, appearance, reason, location, ...PdfSignOptions })
 *   prepareVisibleSignature(doc, { placement, appearance, signer, signingTime }) → VisibleAppearance for signPdf
 */
export * from './options.js';
export { appearanceOptionsSchema, placementSchema, keywordPlacementSchema, pagesPlacementSchema, rectPlacementSchema } from './schema.js';
export { prepareVisibleSignature, signPdfVisible, type PlannedAppearance, type VisibleSignatureRequest, type VisibleSignOptions } from './visible.js';
export { composeText, layoutAppearance, vietnamTime, type AppearanceContext, type AppearanceLayout, type AppearanceSigner } from './layout.js';
export { resolvePlacement, type WidgetPlacement } from '../placement/resolve.js';
export { TextIndex, type TextMatch } from '../placement/keyword.js';
