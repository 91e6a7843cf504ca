/** The placement dialog (src/ui/placement) in a window: where the visible signature goes and how it looks. */
import * as z from 'zod';
import { appearanceOptionsSchema, pagesPlacementSchema, rectPlacementSchema } from '../../core/pdf/appearance/schema.js';
import type { PlacementRequest, PlacementResult } from '../../ui/bridge.js';
import type { DialogSpec } from '../dialog-host.js';

const resultSchema = z.object({
  placement: z.union([rectPlacementSchema, pagesPlacementSchema]),
  appearance: appearanceOptionsSchema,
}).strict();

export const placementDialog: DialogSpec<PlacementRequest, PlacementResult> = {
  kind: 'placement',
  parse: (raw) => resultSchema.parse(raw) as PlacementResult,
};
