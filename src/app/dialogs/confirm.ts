/** The per-signature confirmation: which site, which file(s), which certificate. Closing it says no. */
import * as z from 'zod';
import type { ConfirmDialogRequest, ConfirmDialogResult } from '../../ui/kit/protocol.js';
import type { DialogSpec } from '../dialog-host.js';

const resultSchema = z.object({ confirmed: z.boolean() }).strict();

export const confirmDialog: DialogSpec<ConfirmDialogRequest, ConfirmDialogResult> = {
  kind: 'confirm',
  parse: (raw) => resultSchema.parse(raw),
};
