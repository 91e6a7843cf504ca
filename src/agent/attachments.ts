/**
 * Binary documents on one connection: the attachments its requests announced, received as binary frames
 * (`[uint32 id][bytes]`, protocol.ts) straight into one shared buffer per document, hashed as they arrive.
 *
 * What a page can make the agent hold is bounded before any byte is accepted: an announce longer than
 * `maxBytes` is TOO_LARGE, and all attachments of the connection's requests still under way share one budget of
 * `maxBytes` (BUSY past it), held until the request is answered. A frame is checked against what its attachment
 * still expects (never more than announced, never a chunk above `maxChunkBytes`), and an attachment whose next frame
 * does not come within `idleMs` is dropped with TIMEOUT and its buffer freed. Attachments belong to the connection
 * and the request that announced them: no other request, connection or site can name them.
 */
import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { KysoError } from '../core/errors.js';
import type { AttachmentAnnounce } from './protocol.js';
import { ATTACHMENT_HEADER_BYTES } from './protocol-constants.js';

export interface AttachmentLimits {
  /** Largest document, and the connection's budget for documents of requests under way. */
  maxBytes: number;
  /** Largest document part in one frame. */
  maxChunkBytes: number;
  /** Longest wait for an attachment's next frame. */
  idleMs: number;
}

interface Upload {
  readonly announce: AttachmentAnnounce;
  /** Where the bytes go; undefined while discarding (the request was refused: frames are counted and dropped). */
  sink: Uint8Array | undefined;
  received: number;
  hash: Hash | undefined;
  timer: NodeJS.Timeout | undefined;
  done?: (err?: KysoError) => void;
}

/** The documents of one request, once all have arrived and matched their hashes; `release` frees them. */
export interface Reception {
  readonly ready: Promise<ReadonlyMap<number, Uint8Array>>;
  /** Drops what is still arriving and gives the bytes back to the connection's budget (idempotent). */
  release(): void;
}

/**
 * The SHA-256 state after each received document's bytes: the answer's announce hashes the signed document, which
 * starts with those same bytes, so it goes on from here instead of hashing them again (a whole pass over 200 MB).
 */
const hashAfterDocument = new WeakMap<Uint8Array, Hash>();

/**
 * For a received document: the SHA-256 of it followed by `rest`, going on from its state (no second pass over it).
 * Undefined for bytes that did not arrive as an attachment.
 */
export function sha256AfterReceived(document: Uint8Array): ((rest: readonly Uint8Array[]) => Buffer) | undefined {
  const state = hashAfterDocument.get(document);
  if (!state) return undefined;
  return (rest) => {
    const hash = state.copy();
    for (const p of rest) hash.update(p);
    return hash.digest();
  };
}

/** SHA-256 of `pieces` in order, going on from a received document's state when the first piece is one. */
export function sha256OfPieces(pieces: readonly Uint8Array[]): string {
  const [first, ...rest] = pieces;
  const after = first ? sha256AfterReceived(first) : undefined;
  if (after) return after(rest).toString('hex');
  const hash = createHash('sha256');
  for (const p of pieces) hash.update(p);
  return hash.digest('hex');
}

export class AttachmentInbox {
  private readonly uploads = new Map<number, Upload>();
  private held = 0;

  constructor(readonly limits: AttachmentLimits) {}

  /** Bytes reserved by requests under way (received or still arriving). */
  get heldBytes(): number {
    return this.held;
  }

  /** Uploads whose frames are still awaited, discarded ones included. */
  get pending(): number {
    return this.uploads.size;
  }

  /**
   * Checks a request's announces (TOO_LARGE, BUSY, BAD_REQUEST before any byte is taken), reserves their bytes and
   * starts receiving. Call synchronously while handling the announcing message: its frames come next.
   */
  expect(announces: readonly AttachmentAnnounce[]): Reception {
    this.check(announces);
    const total = announces.reduce((n, a) => n + a.length, 0);
    this.held += total;
    let released = false;
    const mine: Upload[] = [];
    const received = new Map<number, Uint8Array>();
    let fail!: (err: KysoError) => void;
    let left = announces.length;
    let settle!: (v: ReadonlyMap<number, Uint8Array>) => void;
    const ready = new Promise<ReadonlyMap<number, Uint8Array>>((resolve, reject) => { settle = resolve; fail = reject; });
    ready.catch(() => { /* the request reads it; an unread failure is not unhandled */ });
    const release = (): void => {
      if (released) return;
      released = true;
      this.held -= total;
      // Frames still on their way are counted and dropped, not stored.
      for (const u of mine) u.sink = undefined;
      received.clear();
    };
    for (const a of announces) {
      // Zero-filled lazily: pages are committed as bytes arrive, not at the announce. Shared memory, so that the
      // document worker that parses it (core/isolation) sees these bytes instead of a copy of them.
      const upload: Upload = { announce: a, sink: new Uint8Array(new SharedArrayBuffer(a.length)), received: 0, hash: createHash('sha256'), timer: undefined };
      upload.done = (err) => {
        if (err) {
          release();
          fail(err);
          return;
        }
        if (released) return;
        received.set(a.id, upload.sink!);
        if (--left === 0) settle(received);
      };
      mine.push(upload);
      this.start(upload);
    }
    return { ready, release };
  }

  /** A refused request's attachments: their frames are counted and dropped until complete or idle. */
  discard(announces: readonly AttachmentAnnounce[]): void {
    for (const a of announces) {
      if (this.uploads.has(a.id)) continue;
      this.start({ announce: a, sink: undefined, received: 0, hash: undefined, timer: undefined });
    }
  }

  /** One binary frame. Throws BAD_REQUEST for a frame that belongs to no attachment under way. */
  receive(frame: Uint8Array): void {
    if (frame.length < ATTACHMENT_HEADER_BYTES) throw new KysoError('BAD_REQUEST', 'a binary frame starts with its 4-byte attachment id');
    const id = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
    const upload = this.uploads.get(id);
    if (!upload) throw new KysoError('BAD_REQUEST', `binary frame for attachment ${id}, which no request announced (or it was dropped)`);
    const chunk = frame.subarray(ATTACHMENT_HEADER_BYTES);
    const { length } = upload.announce;
    if (chunk.length > this.limits.maxChunkBytes) return this.end(upload, new KysoError('BAD_REQUEST', `attachment ${id}: a frame carries at most ${this.limits.maxChunkBytes} bytes`));
    if (upload.received + chunk.length > length) return this.end(upload, new KysoError('BAD_REQUEST', `attachment ${id}: more bytes than the ${length} announced`));
    if (upload.sink) {
      upload.sink.set(chunk, upload.received);
      upload.hash!.update(chunk);
    }
    upload.received += chunk.length;
    if (upload.received === length) return this.complete(upload);
    this.arm(upload);
  }

  /** The connection is gone: every buffer is dropped. */
  close(): void {
    for (const u of [...this.uploads.values()]) this.end(u, new KysoError('USER_CANCELLED', 'the page closed the connection'));
  }

  private check(announces: readonly AttachmentAnnounce[]): void {
    const ids = new Set<number>();
    let total = 0;
    for (const a of announces) {
      if (ids.has(a.id) || this.uploads.has(a.id)) throw new KysoError('BAD_REQUEST', `attachment id ${a.id} is already in use on this connection`);
      ids.add(a.id);
      if (a.length > this.limits.maxBytes) throw new KysoError('TOO_LARGE', `attachment ${a.id}: ${a.length} bytes, larger than the ${this.limits.maxBytes} this agent takes`);
      total += a.length;
    }
    if (total > this.limits.maxBytes) throw new KysoError('TOO_LARGE', `the attachments add up to ${total} bytes, more than the ${this.limits.maxBytes} this agent takes at once`);
    if (this.held + total > this.limits.maxBytes) {
      throw new KysoError('BUSY', `documents of other requests on this connection still hold ${this.held} of the ${this.limits.maxBytes} bytes; wait for their answers`);
    }
  }

  private start(upload: Upload): void {
    if (upload.announce.length === 0) {
      this.complete(upload);
      return;
    }
    this.uploads.set(upload.announce.id, upload);
    this.arm(upload);
  }

  private arm(upload: Upload): void {
    if (upload.timer) clearTimeout(upload.timer);
    upload.timer = setTimeout(() => {
      const { id, length } = upload.announce;
      this.end(upload, new KysoError('TIMEOUT', `attachment ${id}: ${upload.received} of ${length} bytes, then nothing for ${Math.round(this.limits.idleMs / 1000)} s`));
    }, this.limits.idleMs);
    upload.timer.unref?.();
  }

  private complete(upload: Upload): void {
    this.forget(upload);
    if (!upload.hash || !upload.sink) return upload.done?.();
    const state = upload.hash.copy();
    const got = upload.hash.digest();
    upload.hash = undefined;
    const want = Buffer.from(upload.announce.sha256, 'hex');
    if (!timingSafeEqual(got, want)) return upload.done?.(new KysoError('BAD_REQUEST', `attachment ${upload.announce.id}: the bytes do not match the announced SHA-256`));
    // Nothing writes to a received document: the state stays the state of its bytes for as long as they live.
    hashAfterDocument.set(upload.sink, state);
    upload.done?.();
  }

  private end(upload: Upload, err: KysoError): void {
    this.forget(upload);
    upload.sink = undefined;
    upload.hash = undefined;
    upload.done?.(err);
  }

  private forget(upload: Upload): void {
    if (upload.timer) clearTimeout(upload.timer);
    upload.timer = undefined;
    if (this.uploads.get(upload.announce.id) === upload) this.uploads.delete(upload.announce.id);
  }
}
