/**
 * One WebSocket connection of the agent (server.ts accepts it): JSON-RPC 2.0 text frames validated by the
 * schemas of protocol.ts, the binary frames of its documents (attachments.ts), the methods, progress and answers.
 * Loaded with the first connection, not at start-up: the listener does not need it to bind its port.
 */
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { KysoError, toKysoError } from '../core/errors.js';
import { safeName, type AgentLogger, type RequestLogEntry } from './logger.js';
import {
  CLIENT_NOTIFICATIONS, METHODS, isMethodName, requestEnvelope, requestIdSchema, type AttachmentRef, type ErrorData, type MethodName,
} from './protocol.js';
import { ATTACHMENT_HEADER_BYTES, PUBLIC_DETAIL_CODES, RPC } from './protocol-constants.js';
import { AttachmentInbox, sha256OfPieces, type Reception } from './attachments.js';
import type { AgentParts, RequestContext } from './methods/context.js';
import { agentInfo } from './methods/agent-info.js';
import { certificatesList } from './methods/certificates-list.js';
import { pdfSign } from './methods/pdf-sign.js';
import { hashSign } from './methods/hash-sign.js';
import { pdfVerify } from './methods/pdf-verify.js';
import { docxSign } from './methods/docx-sign.js';
import { docxVerify } from './methods/docx-verify.js';
import { ensureConsent, requestSignal } from './methods/common.js';
import { abortable } from './abortable.js';
import { DocumentError, batchSign } from './methods/batch-sign.js';
import { watchIdle, type IdleWatch } from './idle-timer.js';
import { jsonFrame } from './json-frame.js';
import { FrameGathering } from './frame-gathering.js';
import type { SignedBytes } from '../core/signed-output.js';

type Id = string | number;

const LOGGED_DETAIL_CODES: ReadonlySet<string> = new Set([
  ...PUBLIC_DETAIL_CODES, 'TOKEN_ERROR', 'TOKEN_REMOVED', 'MODULE_LOAD_FAILED', 'MECHANISM_UNSUPPORTED', 'KEY_NOT_FOUND',
  'CERTIFICATE_EXPIRED', 'CERTIFICATE_REVOKED', 'CERTIFICATE_NOT_FOUND', 'USER_CANCELLED',
]);

interface Outgoing {
  jsonrpc: '2.0';
  id?: Id | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data: ErrorData };
  /** Documents that follow as binary frames (an answer's, see send). */
  attachments?: ReadonlyArray<{ id: number; length: number; sha256: string }>;
}

/** A document going back as binary frames: its bytes in order, in one or more pieces (a signed one: original, update). */
interface OutgoingAttachment {
  id: number;
  pieces: Uint8Array[];
}

export function errorObject(err: unknown, rpcCode: number = RPC.KYSO_ERROR): NonNullable<Outgoing['error']> {
  const e = toKysoError(err);
  const data: ErrorData = { code: e.code, messageVi: e.messageVi, messageEn: e.messageEn };
  if (e.detail && PUBLIC_DETAIL_CODES.has(e.code)) data.detail = e.detail.slice(0, 500);
  if (e instanceof DocumentError) data.document = e.document;
  return { code: rpcCode, message: e.messageEn, data };
}

/** Zod issues as a short text naming paths and problems, never the values sent. */
function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.slice(0, 5).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(params)'}: ${i.message}`).join('; ').slice(0, 500);
}

type Handler = (parts: AgentParts, ctx: RequestContext, params: never) => unknown;
const HANDLERS: Record<MethodName, Handler> = {
  'agent.info': agentInfo,
  'certificates.list': certificatesList,
  'pdf.sign': pdfSign,
  'hash.sign': hashSign,
  'pdf.verify': pdfVerify,
  'docx.sign': docxSign,
  'docx.verify': docxVerify,
  'batch.sign': batchSign,
};

/** One WebSocket connection: one page (origin), its requests in flight, their attachments, its idle timer. */
export class Connection {
  private readonly inflight = new Map<Id, AbortController>();
  private readonly gone = new AbortController();
  private readonly idle: IdleWatch;
  private readonly inbox: AttachmentInbox;
  /** Ids of the agent's own attachments (answers), unique on this connection. */
  private nextAttachment = 1;
  private readonly frames: FrameGathering;

  constructor(
    readonly id: number,
    readonly origin: string,
    private readonly ws: WebSocket,
    /** The connection's TCP/TLS socket, whose writes are gathered (frame-gathering.ts). */
    socket: Duplex,
    private readonly parts: AgentParts,
    private readonly log: AgentLogger,
    private readonly onClosed: () => void,
  ) {
    this.frames = new FrameGathering(socket);
    this.inbox = new AttachmentInbox({ maxBytes: parts.limits.maxDocumentBytes, maxChunkBytes: parts.limits.attachmentChunkBytes, idleMs: parts.limits.attachmentIdleMs });
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data, isBinary);
      } catch (err) {
        // Never let one frame take the agent down.
        this.log.error({ event: 'internal', conn: this.id, error: toKysoError(err).code }, 'message handling failed');
      }
    });
    ws.on('error', (err: Error & { code?: string }) => {
      const tooLarge = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.log.warn({ event: 'socket-error', conn: this.id, origin, code: tooLarge ? 'TOO_LARGE' : (err.code ?? 'ERROR') }, tooLarge ? 'frame too large: connection closed (1009)' : 'socket error');
    });
    ws.on('close', (code) => {
      this.gone.abort(new KysoError('USER_CANCELLED', 'the page closed the connection'));
      this.inbox.close();
      this.frames.flush();
      this.onClosed();
      this.log.info({ event: 'closed', conn: this.id, origin, wsCode: code }, 'closed');
    });
    this.idle = watchIdle(ws, parts.limits.idleTimeoutMs, () => this.inflight.size > 0 || this.inbox.pending > 0, () => {
      this.log.info({ event: 'idle-timeout', conn: this.id, origin: this.origin }, 'idle connection closed');
      this.close(1000, 'idle timeout');
    });
  }

  /** Bytes of documents this connection's requests hold (tests, logs). */
  get attachmentBytes(): number {
    return this.inbox.heldBytes;
  }

  close(code: number, reason: string): void {
    try { this.ws.close(code, reason); } catch { this.ws.terminate(); }
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: Outgoing, attachments: readonly OutgoingAttachment[] = []): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.frames.add(message.id !== undefined);
    try {
      if (attachments.length === 0) return this.sendJson(message);
      const announces = attachments.map(({ id, pieces }) => ({ id, length: pieces.reduce((n, p) => n + p.length, 0), sha256: sha256OfPieces(pieces) }));
      this.sendJson({ ...message, attachments: announces });
      // Each frame: the id, then a chunk, sent as two fragments of one message so the document is never copied;
      // a signed document goes as its two pieces (the original, then the update), never joined into a third.
      const step = this.parts.limits.attachmentChunkBytes;
      for (const { id, pieces } of attachments) {
        const header = Buffer.alloc(ATTACHMENT_HEADER_BYTES);
        header.writeUInt32BE(id);
        for (const bytes of pieces) {
          for (let at = 0; at < bytes.length; at += step) {
            this.ws.send(header, { binary: true, fin: false });
            this.ws.send(bytes.subarray(at, at + step), { binary: true, fin: true });
          }
        }
      }
    } catch {
      this.ws.terminate();
    }
  }

  /** One text message, in the fragments jsonFrame makes of it (sent back to back: nothing can come between). */
  private sendJson(message: Outgoing): void {
    const pieces = jsonFrame(message);
    pieces.forEach((piece, i) => this.ws.send(piece, { binary: false, fin: i === pieces.length - 1 }));
  }

  private fail(id: Id | null, rpcCode: number, err: unknown): void {
    this.send({ jsonrpc: '2.0', id, error: errorObject(err, rpcCode) });
  }

  private onBinary(data: RawData): void {
    const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    try {
      this.inbox.receive(frame);
    } catch (err) {
      this.log.info({ event: 'stray-binary', conn: this.id, origin: this.origin, size: frame.length }, 'binary frame for no attachment');
      this.fail(null, RPC.INVALID_REQUEST, err);
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.onBinary(data);
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.log.info({ event: 'parse-error', conn: this.id, origin: this.origin, size: text.length }, 'unparsable frame');
      return this.fail(null, RPC.PARSE_ERROR, new KysoError('BAD_REQUEST', 'not JSON'));
    }
    if (Array.isArray(message)) return this.fail(null, RPC.INVALID_REQUEST, new KysoError('BAD_REQUEST', 'batch requests are not supported'));
    const envelope = requestEnvelope.safeParse(message);
    if (!envelope.success) {
      const idGuess = typeof message === 'object' && message !== null ? requestIdSchema.safeParse((message as { id?: unknown }).id) : undefined;
      return this.fail(idGuess?.success ? idGuess.data : null, RPC.INVALID_REQUEST, new KysoError('BAD_REQUEST', `not a JSON-RPC 2.0 request: ${describeIssues(envelope.error.issues)}`));
    }
    const { id, method, params, attachments } = envelope.data;
    // A refused request's attachments are still on their way: their frames are counted and dropped, not answered.
    const refuse = (rid: Id | null, rpcCode: number, err: KysoError): void => {
      if (attachments) this.inbox.discard(attachments);
      this.fail(rid, rpcCode, err);
    };
    if (id === undefined) {
      if (attachments) return refuse(null, RPC.INVALID_REQUEST, new KysoError('BAD_REQUEST', 'a notification cannot carry attachments'));
      return this.onNotification(method, params);
    }
    if (this.inflight.has(id)) return refuse(id, RPC.INVALID_REQUEST, new KysoError('BAD_REQUEST', 'a request with this id is still running'));
    if (!isMethodName(method)) return refuse(id, RPC.METHOD_NOT_FOUND, new KysoError('BAD_REQUEST', `no method "${method.slice(0, 64)}"`));
    if (this.inflight.size >= this.parts.limits.maxInFlightPerConnection) {
      return refuse(id, RPC.KYSO_ERROR, new KysoError('BUSY', `at most ${this.parts.limits.maxInFlightPerConnection} requests at once per connection`));
    }
    const spec = METHODS[method];
    const parsed = spec.params.safeParse(params);
    if (!parsed.success) {
      this.log.info({ event: 'request', conn: this.id, origin: this.origin, method, id, outcome: 'error', code: 'BAD_REQUEST' }, 'invalid params');
      return refuse(id, RPC.INVALID_PARAMS, new KysoError('BAD_REQUEST', describeIssues(parsed.error.issues)));
    }
    let reception: Reception | undefined;
    if (attachments) {
      // Checked against the limit and the connection's budget before a byte is taken (TOO_LARGE, BUSY).
      try {
        reception = this.inbox.expect(attachments);
      } catch (err) {
        const e = toKysoError(err);
        this.log.info({ event: 'request', conn: this.id, origin: this.origin, method, id, outcome: 'error', code: e.code, size: attachments.reduce((n, a) => n + a.length, 0) }, 'attachments refused');
        return refuse(id, RPC.KYSO_ERROR, e);
      }
    }
    void this.run(id, method, parsed.data, reception);
  }

  private onNotification(method: string, params: unknown): void {
    if (method === 'request.cancel') {
      const p = CLIENT_NOTIFICATIONS['request.cancel'].params.safeParse(params);
      if (p.success) this.inflight.get(p.data.id)?.abort(new KysoError('USER_CANCELLED', 'cancelled by the page'));
    }
    // Other notifications get no answer (JSON-RPC 2.0) and do nothing.
  }

  private async run(id: Id, method: MethodName, params: unknown, reception?: Reception): Promise<void> {
    const started = Date.now();
    const request = requestSignal(this.parts.limits.requestTimeoutMs, this.gone.signal);
    this.inflight.set(id, request.controller);
    const { signal } = request;
    const entry: RequestLogEntry = { conn: this.id, origin: this.origin, method, id, durationMs: 0, outcome: 'ok' };
    let lastStage: string | undefined;
    let answered = false;
    let received: ReadonlyMap<number, Uint8Array> | undefined;
    const outgoing: OutgoingAttachment[] = [];
    const ctx: RequestContext = {
      origin: this.origin,
      signal,
      atEnd: request.atEnd,
      progress: (stage, of) => {
        const key = of ? `${stage}:${of.document}` : stage;
        // Nothing about a request after its answer (work begun early may still report as a failed login ends it).
        if (key === lastStage || signal.aborted || answered) return;
        lastStage = key;
        this.notify('progress', { id, stage, ...of });
      },
      note: (fields) => {
        if (fields.fileName !== undefined) entry.fileName = safeName(fields.fileName)!;
        if (fields.size !== undefined) entry.size = fields.size;
      },
      ...(reception ? {
        attachment: (aid: number) => received?.get(aid),
        attach: (bytes: Uint8Array | SignedBytes): AttachmentRef => {
          const aid = this.nextAttachment++ >>> 0;
          // Empty pieces send no frame (a receiver counts an attachment done on its last non-empty chunk).
          const pieces = bytes instanceof Uint8Array ? [bytes] : [bytes.original, bytes.update];
          outgoing.push({ id: aid, pieces: pieces.filter((p) => p.length > 0) });
          return { attachment: aid };
        },
      } : {}),
    };
    try {
      // The documents first: all of them, hashes checked, before the method sees its params.
      if (reception) received = await abortable(reception.ready, signal);
      // Answer as soon as the request is aborted (timeout, cancel); the queue still waits for the work itself.
      const spec = METHODS[method];
      const result = await abortable((async () => {
        // Token methods ask in their own flow, once their params are checked; the others (verification) here.
        if (spec.access === 'consent' && !spec.token) await ensureConsent(this.parts, ctx);
        return HANDLERS[method](this.parts, ctx, params as never);
      })(), signal);
      // Whatever a handler does, the answer of a `consent` method goes only to a site the user allowed.
      if (spec.access === 'consent' && !this.parts.policy.isAllowed(this.origin)) throw new KysoError('ORIGIN_DENIED', 'the site is not allowed');
      const checked = METHODS[method].result.safeParse(result);
      if (!checked.success) throw new KysoError('INTERNAL', `result of ${method} does not match its schema: ${describeIssues(checked.error.issues)}`);
      this.send({ jsonrpc: '2.0', id, result: checked.data }, outgoing);
    } catch (err) {
      const e = toKysoError(err);
      entry.outcome = 'error';
      entry.code = e.code;
      // Library messages (a PDF parser's) may quote the document: only details we wrote, or the driver's, are logged.
      if (e.detail && LOGGED_DETAIL_CODES.has(e.code)) entry.detail = e.detail.slice(0, 300);
      this.fail(id, RPC.KYSO_ERROR, e);
    } finally {
      answered = true;
      // The documents are answered or abandoned: their memory and the connection's budget are free again.
      reception?.release();
      received = undefined;
      outgoing.length = 0;
      request.done();
      this.inflight.delete(id);
      entry.durationMs = Date.now() - started;
      this.log.info({ event: 'request', ...entry }, `${method} ${entry.outcome}`);
      this.idle.touch();
    }
  }
}
