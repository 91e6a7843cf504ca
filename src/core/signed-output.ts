/**
 * A signed document as two pieces: the bytes it starts with (for a PDF, the original file, untouched) and what
 * follows (the incremental update). Large files are never concatenated into a third copy: the CLI writes the
 * two pieces one after the other, and only a caller that needs one buffer (a JSON answer) joins them.
 */
export interface SignedBytes {
  /** The document's first bytes: for a PDF, the original file as it was read. */
  readonly original: Uint8Array;
  /** The bytes that follow: a PDF's incremental update(s); a whole Office package (with an empty `original`). */
  readonly update: Uint8Array;
}

/** The largest integer a PDF may hold (ISO 32000-1 Annex C): byte offsets and /ByteRange above it are not PDF. */
export const PDF_MAX_OFFSET = 2 ** 31 - 1;

export function signedLength(s: SignedBytes): number {
  return s.original.length + s.update.length;
}

/** The whole document in one buffer: a full copy, for the callers that must have one. */
export function joinSigned(s: SignedBytes): Uint8Array {
  if (s.update.length === 0) return s.original;
  if (s.original.length === 0) return s.update;
  const out = new Uint8Array(signedLength(s));
  out.set(s.original, 0);
  out.set(s.update, s.original.length);
  return out;
}

/**
 * Gives a result a `bytes` property joined on first read (and kept), for callers that want one buffer. Enumerable,
 * so a copy made with a spread still has it (and joins); what posts a result to another thread leaves it out
 * (`withoutJoined`), so only the pieces cross.
 */
export function withJoinedBytes<T extends SignedBytes>(s: T): T & { readonly bytes: Uint8Array } {
  let joined: Uint8Array | undefined;
  return Object.defineProperty(s, 'bytes', { get: () => (joined ??= joinSigned(s)), enumerable: true, configurable: true }) as T & { readonly bytes: Uint8Array };
}

/** The result's own fields but the joined `bytes`, read without calling its getter (no join). */
export function withoutJoined<T extends object>(s: T): Omit<T, 'bytes'> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(s)) if (key !== 'bytes') out[key] = (s as Record<string, unknown>)[key];
  return out as Omit<T, 'bytes'>;
}

/** The bytes `[start, start+length)` of the document, as views on the pieces (no copy). */
export function signedRange(s: SignedBytes, start: number, length: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const end = start + length;
  const o = s.original.length;
  if (start < o) out.push(s.original.subarray(start, Math.min(end, o)));
  if (end > o) out.push(s.update.subarray(Math.max(0, start - o), end - o));
  return out;
}
