/**
 * zod schemas for the appearance and placement a caller may send (`pdf.sign` of the agent): they accept exactly
 * the types of ./options.ts (checked at compile time below), with limits on sizes and counts.
 */
import * as z from 'zod';
import { MIN_FONT_SIZE, type Placement, type SignatureAppearanceOptions } from './options.js';

const finite = z.number().finite();
const rectSchema = z.tuple([finite, finite, finite, finite]);
const pageSelectionSchema = z.union([
  z.enum(['all', 'first', 'last']),
  z.array(z.number().int().refine((n) => n !== 0, 'page numbers start at 1')).min(1).max(10_000),
]);

export const rectPlacementSchema = z.object({ page: z.number().int().min(1), rect: rectSchema }).strict();
export const pagesPlacementSchema = z.object({ pages: pageSelectionSchema, rect: rectSchema }).strict();
export const keywordPlacementSchema = z.object({
  keyword: z.string().trim().min(1).max(500),
  position: z.enum(['below', 'above', 'right', 'left', 'over']).optional(),
  offset: z.object({ x: finite, y: finite }).strict().optional(),
  size: z.object({ width: z.number().positive().max(5000), height: z.number().positive().max(5000) }).strict().optional(),
  occurrence: z.enum(['first', 'last', 'all']).optional(),
  pages: pageSelectionSchema.optional(),
  ignoreCase: z.boolean().optional(),
}).strict();

export const placementSchema = z.union([rectPlacementSchema, pagesPlacementSchema, keywordPlacementSchema]);

const stampSchema = z.object({
  text: z.string().min(1).max(500),
  placement: z.union([rectPlacementSchema, keywordPlacementSchema]),
  fontSize: z.number().min(MIN_FONT_SIZE).max(72).optional(),
  bold: z.boolean().optional(),
}).strict();

export const appearanceOptionsSchema = z.object({
  mode: z.enum(['text', 'image', 'image-text']).optional(),
  show: z.object({
    signer: z.boolean().optional(),
    email: z.boolean().optional(),
    organization: z.boolean().optional(),
    organizationalUnit: z.boolean().optional(),
    title: z.boolean().optional(),
    time: z.boolean().optional(),
    reason: z.boolean().optional(),
    location: z.boolean().optional(),
    contact: z.boolean().optional(),
  }).strict().optional(),
  text: z.string().max(2000).optional(),
  // ~3 MB of image: portals cap whole uploads at about 6 MB.
  image: z.string().max(4_000_000).regex(/^[A-Za-z0-9+/=\s]*$/, 'base64').optional(),
  fontSize: z.number().min(MIN_FONT_SIZE).max(72).optional(),
  bold: z.boolean().optional(),
  upperCase: z.boolean().optional(),
  border: z.boolean().optional(),
  language: z.enum(['vi', 'en']).optional(),
  documentNumber: stampSchema.optional(),
  documentDate: stampSchema.optional(),
}).strict();

// Compile-time check that the schemas and the hand-written types agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _checks: [
  Same<z.infer<typeof placementSchema>, Placement>,
  Same<z.infer<typeof appearanceOptionsSchema>, SignatureAppearanceOptions>,
] = [true, true];
void _checks;

