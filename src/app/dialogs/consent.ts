/** The site-consent window: "<origin> muốn dùng chữ ký số của bạn". Allow or deny; closing it denies. */
import * as z from 'zod';
import type { ConsentDialogRequest, ConsentDialogResult } from '../../ui/kit/protocol.js';
import type { DialogSpec } from '../dialog-host.js';

const resultSchema = z.object({ allow: z.boolean() }).strict();

export const consentDialog: DialogSpec<ConsentDialogRequest, ConsentDialogResult> = {
  kind: 'consent',
  parse: (raw) => resultSchema.parse(raw),
};
