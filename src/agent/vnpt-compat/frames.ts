/**
 * The wire format of the VNPT-CA Plugin's page library, as documented in docs/vnpt-compat.md: one JSON text
 * frame per call, `{functionID, funcCallback, args: [strings], domain}`, answered by one text frame
 * `"<payload>*<funcCallback>"`. `domain` is what the page says it is; it is read and ignored (the handshake's
 * Origin header is the page's identity). The library names the callback `"callbackDefault"` when the page uses
 * the returned promise, and the function's `.name` otherwise (empty for an anonymous function); arguments it
 * did not get are sent as null (JSON.stringify of undefined in an array).
 */
import * as z from 'zod';

/**
 * A JavaScript global function name (or empty), as the page library dispatches on it; nothing that could smuggle
 * a '*'. Any identifier JavaScript accepts, letters of every script included: the library sends the callback's
 * `.name` as it is, and Vietnamese developers do name functions `kýXong` (a name refused here would route the
 * reply to `window[""]` and the page would throw).
 */
export const CALLBACK_NAME = /^(?:[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D.]{0,63})?$/u;

export const requestFrameSchema = z.object({
  functionID: z.union([z.number().int(), z.string().regex(/^-?\d{1,4}$/).transform(Number)]),
  funcCallback: z.string().regex(CALLBACK_NAME, 'a JavaScript function name'),
  args: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).max(16).default([]),
  domain: z.unknown().optional(),
});

export interface RequestFrame {
  functionID: number;
  funcCallback: string;
  /** Arguments as strings: the page library stringifies them; numbers and booleans are accepted as their text. */
  args: string[];
}

export type ParsedFrame = { ok: true; frame: RequestFrame } | { ok: false; callback: string; reason: string };

export function parseRequestFrame(text: string): ParsedFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, callback: '', reason: 'not JSON' };
  }
  const callback = typeof raw === 'object' && raw !== null && typeof (raw as { funcCallback?: unknown }).funcCallback === 'string'
    && CALLBACK_NAME.test((raw as { funcCallback: string }).funcCallback) ? (raw as { funcCallback: string }).funcCallback : '';
  const parsed = requestFrameSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(frame)'}: ${i.message}`).join('; ');
    return { ok: false, callback, reason: `not a plugin call: ${issues}` };
  }
  const { functionID, funcCallback, args } = parsed.data;
  return { ok: true, frame: { functionID, funcCallback, args: args.map((a) => (a === null ? '' : String(a))) } };
}

/**
 * The reply frame. The library splits the reply on EVERY '*' and keeps parts 0 and 1, so a '*' inside the
 * payload (a file name, a certificate's name, an error text) would cut it short. In JSON a '*' can only be
 * inside a string, where `\u002a` is the same character once parsed (at any depth of JSON inside JSON
 * strings); a bare text payload (a version, a status number) gets none of ours, and any other is replaced.
 */
export function replyFrame(payload: string, callback: string): string {
  const json = /^\s*[[{"]/.test(payload);
  return `${payload.replaceAll('*', json ? '\\u002a' : '\u00d7')}*${callback}`;
}
