/**
 * The agent's wire protocol, the part without schemas: ports, limits of the binary framing, JSON-RPC codes and the
 * size arithmetic of base64. The listener needs these before any message arrives, and they load without zod;
 * protocol.ts (the schemas, loaded with the first connection) re-exports them.
 */
import type { ErrorCode } from '../core/errors.js';

/** Bumped when a method's params or result change incompatibly. */
export const PROTOCOL_VERSION = 1;

/** The default port and its two fallbacks, tried in this order (below every OS's ephemeral port range). */
export const DEFAULT_PORT = 21368;
export const DEFAULT_PORTS: readonly number[] = [DEFAULT_PORT, DEFAULT_PORT + 1, DEFAULT_PORT + 2];

/** The HTTP(S) path a page fetches before opening the WebSocket, so that Chrome asks for Local Network Access (probe.ts). */
export const PROBE_PATH = '/.well-known/kyso';

/** Characters checked per step of isBase64 (a multiple of 4, so each step decodes whole quanta). */
const BASE64_STEP = 1 << 16;
let base64Scratch: Buffer | undefined;

/**
 * Whether `s` is base64 (RFC 4648 §4: the 64 characters, then at most two '=', no line breaks) of whole bytes.
 * Node's decoder is native and fast but skips what it does not know: so each 64 Ki-character step is decoded into
 * one small scratch buffer and must give exactly the bytes its length promises (a skipped character, a '=' inside,
 * a line break all give fewer), and the URL-safe '-' and '_', which it accepts, are looked for apart. A length
 * that leaves one character over (not a whole byte) is refused: decoding would drop it silently. About 50× faster
 * than a pass over the character codes in JavaScript (0.6 ms for a 70 KB document), allocating nothing per call.
 */
export function isBase64(s: string): boolean {
  let n = s.length;
  if (n > 0 && s.charCodeAt(n - 1) === 61) n--;
  if (n > 0 && s.charCodeAt(n - 1) === 61) n--;
  if (n % 4 === 1 || s.indexOf('-') !== -1 || s.indexOf('_') !== -1) return false;
  base64Scratch ??= Buffer.allocUnsafe((BASE64_STEP / 4) * 3);
  for (let i = 0; i < n; i += BASE64_STEP) {
    const end = Math.min(n, i + BASE64_STEP);
    if (base64Scratch.write(s.substring(i, end), 0, 'base64') !== Math.floor(((end - i) * 3) / 4)) return false;
  }
  return true;
}

/** Bytes before the document's bytes in each binary frame: the attachment id, big-endian uint32. */
export const ATTACHMENT_HEADER_BYTES = 4;
/** Documents in one batch.sign at most: the bytes are capped by `maxDocumentBytes` (batch-sign.ts); this keeps the confirmation readable. */
export const MAX_BATCH_DOCUMENTS = 1000;
/**
 * Documents one request may announce: as many as a batch may hold, since the SDK sends every document of a batch
 * this way (a cap of 20 made any larger batch from the SDK BAD_REQUEST). Their bytes are bounded apart, by the
 * document limit and the connection's budget.
 */
export const MAX_ATTACHMENTS_PER_REQUEST = MAX_BATCH_DOCUMENTS;

/** How long a notification may wait to leave with others or with its request's answer (frame-gathering.ts). */
export const NOTIFICATION_DELAY_MS = 15;

/** JSON-RPC error codes; the stable Kyso code is in `error.data.code`. */
export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  /** Every Kyso error (consent, token, document, limits): see `data.code`. */
  KYSO_ERROR: -32000,
} as const;

/** Details that may be shown to a page; others (paths of drivers, library messages) stay in the log. */
export const PUBLIC_DETAIL_CODES: ReadonlySet<ErrorCode> = new Set(['BAD_REQUEST', 'TOO_LARGE', 'BUSY', 'TIMEOUT', 'PIN_INCORRECT', 'PIN_LOCKED', 'ORIGIN_DENIED', 'KEYWORD_NOT_FOUND', 'KEYWORD_NO_ROOM']);

/** Largest base64 length for `bytes` decoded bytes. */
export const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/** Bytes that base64 text decodes to, from its length and padding (no decoding; exact once isBase64 holds). */
export function base64DecodedLength(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}
