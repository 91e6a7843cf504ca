/**
 * A JSON-RPC message as the bytes of one text frame. A signed document goes back as a long base64 string in an
 * answer that also names the signer ("NGUYỄN THỊ…"): stringified whole, the text is a two-byte string, which ws
 * transcodes to UTF-8 twice (to learn its length, then to write it) — for a 44 KB PDF that cost a warm signature
 * more than the token's own signing. Long strings are stringified on their own instead (base64 stays one-byte
 * text, copied to bytes as is) and the pieces joined as bytes.
 */
import { randomUUID } from 'node:crypto';

/** Strings at least this long are serialized apart; shorter ones are not worth the join. */
const LONG_STRING = 16 * 1024;

/** Stands in for a long string inside the envelope: random, so that no text of a page's can look like it. */
const MARKER = `kyso-long-string-${randomUUID()}`;
const QUOTED_MARKER = JSON.stringify(MARKER);

export function jsonFrame(message: unknown): string | Buffer {
  const long: string[] = [];
  const envelope = JSON.stringify(message, (_key, value: unknown) => {
    if (typeof value !== 'string' || value.length < LONG_STRING) return value;
    long.push(value);
    return MARKER;
  });
  if (long.length === 0) return envelope;
  // JSON.stringify calls the replacer in output order, so the markers stand in the order the strings were taken.
  const pieces = envelope.split(QUOTED_MARKER);
  if (pieces.length !== long.length + 1) throw new Error('jsonFrame: marker count mismatch');
  const out: Buffer[] = [Buffer.from(pieces[0]!, 'utf8')];
  long.forEach((s, i) => {
    out.push(Buffer.from(JSON.stringify(s), 'utf8'), Buffer.from(pieces[i + 1]!, 'utf8'));
  });
  return Buffer.concat(out);
}
