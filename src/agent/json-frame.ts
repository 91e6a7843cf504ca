/**
 * A JSON-RPC message as the fragments of one text message. A signed document goes back as a long base64 string in
 * an answer that also names the signer ("NGUYỄN THỊ…"): stringified whole, the text is a two-byte string, which ws
 * transcodes to UTF-8 twice (to learn its length, then to write it) — for a 44 KB PDF that cost a warm signature
 * more than the token's own signing, and a 200 MB one several seconds. Long strings are taken out instead: one
 * that JSON writes as it is (base64 always) is copied to bytes as Latin-1, byte for byte; others are stringified on
 * their own. The pieces go out as fragments of one message, never joined into another copy.
 */
import { randomUUID } from 'node:crypto';

/** Strings at least this long are sent apart; shorter ones are not worth a fragment. */
const LONG_STRING = 16 * 1024;

/** Stands in for a long string inside the envelope: random, so that no text of a page's can look like it. */
const MARKER = `kyso-long-string-${randomUUID()}`;
const QUOTED_MARKER = JSON.stringify(MARKER);

/** Printable ASCII but `"` and `\`: what JSON.stringify leaves as it is. */
const NEEDS_JSON_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;
const QUOTE = Buffer.from('"');

/** The message's text in order: one string for a message without long strings, else strings and bytes. */
export function jsonFrame(message: unknown): Array<string | Buffer> {
  const long: string[] = [];
  const envelope = JSON.stringify(message, (_key, value: unknown) => {
    if (typeof value !== 'string' || value.length < LONG_STRING) return value;
    long.push(value);
    return MARKER;
  });
  if (long.length === 0) return [envelope];
  // JSON.stringify calls the replacer in output order, so the markers stand in the order the strings were taken.
  const between = envelope.split(QUOTED_MARKER);
  if (between.length !== long.length + 1) throw new Error('jsonFrame: marker count mismatch');
  const out: Array<string | Buffer> = [between[0]!];
  long.forEach((s, i) => {
    if (NEEDS_JSON_ESCAPE.test(s)) out.push(JSON.stringify(s));
    else out.push(QUOTE, Buffer.from(s, 'latin1'), QUOTE);
    out.push(between[i + 1]!);
  });
  return out.filter((p) => p.length > 0);
}
