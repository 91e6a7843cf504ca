/**
 * Binary documents (docs/protocol.md, "Binary documents"): a message announces its attachments (id, length,
 * SHA-256) and their bytes follow as binary frames, each `[uint32 id, big-endian][at most maxChunkBytes]`.
 * No base64 and no document-sized string on either side.
 */
import type { AttachmentRef } from './types.js';

export const HEADER_BYTES = 4;

export interface Announce { id: number; length: number; sha256: string }

/** Whether this page can send binary documents: the agent says it takes them, and WebCrypto is there to hash. */
export function canSendBinary(info: { attachments?: unknown }): boolean {
  return info.attachments !== undefined && typeof globalThis.crypto?.subtle?.digest === 'function';
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** The frames that carry `bytes` as attachment `id`. */
export function* frames(id: number, bytes: Uint8Array, maxChunkBytes: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += maxChunkBytes) {
    const chunk = bytes.subarray(at, at + maxChunkBytes);
    const frame = new Uint8Array(HEADER_BYTES + chunk.length);
    new DataView(frame.buffer).setUint32(0, id);
    frame.set(chunk, HEADER_BYTES);
    yield frame;
  }
}

/**
 * The attachments of one answer, filled frame by frame into one buffer each. `add` returns true once every
 * attachment is complete; `verify` then checks the hashes.
 */
export class Incoming {
  private readonly parts = new Map<number, { announce: Announce; bytes: Uint8Array; received: number }>();
  private left: number;

  constructor(announces: readonly Announce[]) {
    for (const a of announces) this.parts.set(a.id, { announce: a, bytes: new Uint8Array(a.length), received: 0 });
    this.left = announces.filter((a) => a.length > 0).length;
  }

  get ids(): number[] {
    return [...this.parts.keys()];
  }

  get complete(): boolean {
    return this.left === 0;
  }

  /** One frame's chunk for attachment `id`; throws when it is more than announced. */
  add(id: number, chunk: Uint8Array): boolean {
    const p = this.parts.get(id);
    if (!p || p.received + chunk.length > p.announce.length) throw new Error(`attachment ${id}: more bytes than announced`);
    p.bytes.set(chunk, p.received);
    p.received += chunk.length;
    if (p.received === p.announce.length && chunk.length > 0) this.left--;
    return this.complete;
  }

  /** The documents by id, once their hashes match. */
  async verify(): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    for (const [id, p] of this.parts) {
      if ((await sha256Hex(p.bytes)) !== p.announce.sha256) throw new Error(`attachment ${id}: SHA-256 does not match`);
      out.set(id, p.bytes);
    }
    return out;
  }
}

/** `value` with every `{attachment: id}` replaced by that attachment's bytes. */
export function resolveAttachments(value: unknown, files: ReadonlyMap<number, Uint8Array>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveAttachments(v, files));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const ref = value as Partial<AttachmentRef>;
  if (keys.length === 1 && typeof ref.attachment === 'number') {
    const bytes = files.get(ref.attachment);
    if (!bytes) throw new Error(`attachment ${ref.attachment} was not sent`);
    return bytes;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = resolveAttachments((value as Record<string, unknown>)[k], files);
  return out;
}
