/**
 * The PIN window: masked entry, the token's label and the tries left when the token reports them. With the
 * PIN cache on (settings), a "remember for N minutes" box, unticked by default. A locked token gets a window
 * that says so and takes no PIN.
 */
import * as z from 'zod';
import type { PinDialogRequest, PinDialogResult } from '../../ui/kit/protocol.js';
import type { DialogSpec } from '../dialog-host.js';

/** PKCS#11 PINs of Vietnamese tokens are 4–16 characters; the token enforces its own range. */
export const PIN_MAX_LENGTH = 64;

const resultSchema = z.object({ pin: z.string().min(1).max(PIN_MAX_LENGTH), remember: z.boolean() }).strict();

export const pinDialog: DialogSpec<PinDialogRequest, PinDialogResult> = {
  kind: 'pin',
  parse: (raw, request) => {
    if (request.pinState === 'locked') throw new Error('the token is locked');
    const result = resultSchema.parse(raw);
    if (/[\r\n\0]/.test(result.pin)) throw new Error('control characters in the PIN');
    return { pin: result.pin, remember: result.remember && request.cacheMinutes > 0 };
  },
};
