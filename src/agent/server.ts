/**
 * The agent's listener: HTTP + WebSocket, and with a certificate HTTPS + wss on the same port (listener.ts), on
 * the loopback addresses only (127.0.0.1 and ::1), on the default port or its two fallbacks. Every handshake
 * is checked before a socket exists:
 * - `Host` must be the loopback address and port we listen on (`127.0.0.1:P`, `[::1]:P`, `localhost:P`):
 *   a page on `evil.example` whose name was rebound to 127.0.0.1 sends `Host: evil.example:P` and is refused.
 * - `Origin` must be present and a serialized http(s) origin; it is the only identity a page has here.
 * - at most `maxConnections` connections at once, at most `maxConnectionsPerSite` for one site (connection-slots.ts),
 *   counted over both endpoints.
 * A connection must have sent its request headers within `headersTimeoutMs` and completed its request or upgrade
 * within `httpRequestTimeoutMs` (listener.ts), or it is dropped.
 * Then JSON-RPC 2.0 text frames, validated by the schemas of protocol.ts, capped in size (ws `maxPayload`,
 * per-method document caps), with per-request and idle timeouts. The same port answers the probe a page
 * fetches first (`GET /.well-known/kyso`, probe.ts), so that Chrome shows its Local Network Access prompt.
 */
import type { RemoteKeySource } from '../core/remote/types.js';
import type { TrustAnchor } from '../core/validation/trust.js';
import http from 'node:http';
import { constants as bufferConstants } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { KysoError, toKysoError } from '../core/errors.js';
import type { TimestampClient } from '../core/tsa/api.js';
import { createAgentLogger, safeName, type AgentLogger, type RequestLogEntry } from './logger.js';
import { OriginPolicy } from './origin-policy.js';
import type { Prompter } from './prompter.js';
import { RequestQueue } from './request-queue.js';
import type { AllowedSite, SettingsStore } from './settings-store.js';
import {
  ATTACHMENT_HEADER_BYTES, CLIENT_NOTIFICATIONS, DEFAULT_PORTS, METHODS, PUBLIC_DETAIL_CODES, RPC, base64Length, isMethodName,
  requestEnvelope, requestIdSchema, type AttachmentRef, type ErrorData, type MethodName,
} from './protocol.js';
import { AttachmentInbox, sha256OfPieces, type Reception } from './attachments.js';
import type { AgentLimits, AgentParts, RequestContext, TokenSource } from './methods/context.js';
import { agentInfo } from './methods/agent-info.js';
import { certificatesList } from './methods/certificates-list.js';
import { pdfSign } from './methods/pdf-sign.js';
import { hashSign } from './methods/hash-sign.js';
import { pdfVerify } from './methods/pdf-verify.js';
import { allowedHostHeaders, bindLoopback, type LoopbackEndpoint, type RequestInfo, type ServerTls } from './listener.js';
import { answerProbe } from './probe.js';
import type { VnptEndpoint } from './vnpt-compat/endpoint.js';
import { admitUpgrade } from './handshake.js';
import { ConnectionSlots } from './connection-slots.js';
import { watchIdle, type IdleWatch } from './idle-timer.js';
import { docxSign } from './methods/docx-sign.js';
import { docxVerify } from './methods/docx-verify.js';
import { abortable, ensureConsent, requestSignal } from './methods/common.js';
import { DocumentError, batchSign } from './methods/batch-sign.js';
import { jsonFrame } from './json-frame.js';
import type { SignedBytes } from '../core/signed-output.js';

export { allowedHostHeaders };

export const DEFAULT_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/** Room in a text frame beside a base64 document: the other params (an appearance image is capped at 4 MB). */
const PARAMS_ROOM_BYTES = 6 * 1024 * 1024;
/**
 * A text frame becomes one JS string, which V8 caps (`buffer.constants.MAX_STRING_LENGTH`, 512 MiB on 64-bit):
 * no text frame may be larger, or a base64 request could neither be read nor answered.
 */
export const MAX_TEXT_FRAME_BYTES = bufferConstants.MAX_STRING_LENGTH;
/**
 * The largest document limit the agent accepts (`kyso serve --max-document-mb`): the largest whose base64 request
 * still fits one text frame, so that old callers and the VNPT endpoint reach every size binary callers do.
 * 379 MiB on 64-bit Node.
 */
export const MAX_DOCUMENT_BYTES_LIMIT = Math.floor((MAX_TEXT_FRAME_BYTES - PARAMS_ROOM_BYTES) / 4) * 3;
export const MAX_DOCUMENT_MB_LIMIT = Math.floor(MAX_DOCUMENT_BYTES_LIMIT / (1024 * 1024));

/** The agent's limits: what methods see (AgentLimits) and what only the transport enforces. */
export interface ServerLimits extends AgentLimits {
  /** Open connections of one site (connection-slots.ts), both endpoints together. Default 4 of the 16. */
  maxConnectionsPerSite: number;
  /** Request headers (WebSocket upgrade or HTTP) must have arrived within this after connecting. Default 10 s. */
  headersTimeoutMs: number;
  /** The request or upgrade must be complete within this. Default 15 s. */
  httpRequestTimeoutMs: number;
}

export function defaultLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const maxDocumentBytes = overrides.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  if (!(Number.isSafeInteger(maxDocumentBytes) && maxDocumentBytes > 0 && maxDocumentBytes <= MAX_DOCUMENT_BYTES_LIMIT)) {
    throw new KysoError('BAD_REQUEST', `the document limit must be 1 to ${MAX_DOCUMENT_BYTES_LIMIT} bytes (${MAX_DOCUMENT_MB_LIMIT} MiB): a base64 request must fit one text frame`);
  }
  const maxFrameBytes = Math.min(overrides.maxFrameBytes ?? base64Length(maxDocumentBytes) + PARAMS_ROOM_BYTES, MAX_TEXT_FRAME_BYTES);
  return {
    maxDocumentBytes,
    attachmentChunkBytes: Math.min(1024 * 1024, maxFrameBytes - ATTACHMENT_HEADER_BYTES),
    attachmentIdleMs: 30_000,
    maxConnections: 16,
    maxConnectionsPerSite: 4,
    headersTimeoutMs: 10_000,
    httpRequestTimeoutMs: 15_000,
    maxQueued: 8,
    maxInFlightPerConnection: 8,
    requestTimeoutMs: 5 * 60_000,
    idleTimeoutMs: 10 * 60_000,
    ...overrides,
    maxFrameBytes,
  };
}

export interface AgentServerOptions {
  tokens: TokenSource;
  prompter: Prompter;
  settings: SettingsStore;
  /** Origins allowed for this run without asking and without being written to the settings (`--trust-origin`). */
  preGrantedOrigins?: readonly string[];
  /** Ports tried in order (0: any free port, for tests). Default: DEFAULT_PORTS. */
  ports?: readonly number[];
  /** Loopback addresses to listen on. Default 127.0.0.1 and ::1 (::1 skipped when the machine has no IPv6). */
  hosts?: readonly string[];
  limits?: Partial<ServerLimits>;
  logger?: AgentLogger;
  /** How often tokens are polled for `tokens.changed` while a client is connected. Default 2000 ms. */
  tokenPollMs?: number;
  /** After the user refuses a site, further requests are refused without asking for this long. Default 60 s. */
  denyCooldownMs?: number;
  /**
   * After the user refuses any site, no site gets a new consent prompt for this long, doubled with each refusal
   * in a row up to `maxRefusalBackoffMs` (origin-policy.ts). Defaults 5 s and 5 minutes.
   */
  refusalBackoffMs?: number;
  maxRefusalBackoffMs?: number;
  /** The user's timestamp server, for PAdES B-T and above. */
  timestamp?: TimestampClient;
  /** Roots `pdf.verify` trusts besides the built-in ones (`kyso serve --trust-anchor`); never from a page. */
  trustAnchors?: readonly TrustAnchor[];
  /** Remote signing accounts (their certificates beside the tokens'); providers come from the user's settings, never a page. */
  remote?: RemoteKeySource;
  /** The loopback server certificate (tls/): the same port then also speaks https/wss. */
  tls?: ServerTls;
  /**
   * Also serve the VNPT-CA Plugin's protocol (vnpt-compat/) for pages written for it, on its ports (default
   * 4433, 4434, 4435). If they are all taken (the plugin itself is running) the agent runs without it.
   */
  vnpt?: { ports?: readonly number[] };
}

export interface AgentServer {
  readonly port: number;
  /** Addresses actually bound. */
  readonly addresses: readonly string[];
  /** Whether the port also accepts TLS (https/wss). */
  readonly secure: boolean;
  /** The VNPT-CA Plugin compatible endpoint's port, when it runs. */
  readonly vnptPort: number | undefined;
  readonly policy: OriginPolicy;
  readonly queue: RequestQueue;
  readonly limits: ServerLimits;
  connectionCount(): number;
  /** Bytes of binary documents the open connections' requests hold or are receiving (attachments.ts). */
  attachmentBytes(): number;
  allowedSites(): AllowedSite[];
  revokeSite(origin: string): void;
  onSitesChanged(listener: () => void): () => void;
  close(): Promise<void>;
}

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

export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const limits = defaultLimits(options.limits);
  const log = options.logger ?? createAgentLogger();
  const policy = new OriginPolicy(options.settings, options.prompter, {
    ...(options.preGrantedOrigins ? { preGranted: options.preGrantedOrigins } : {}),
    ...(options.denyCooldownMs !== undefined ? { denyCooldownMs: options.denyCooldownMs } : {}),
    ...(options.refusalBackoffMs !== undefined ? { refusalBackoffMs: options.refusalBackoffMs } : {}),
    ...(options.maxRefusalBackoffMs !== undefined ? { maxRefusalBackoffMs: options.maxRefusalBackoffMs } : {}),
  });
  const queue = new RequestQueue(limits.maxQueued);
  const parts: AgentParts = { tokens: options.tokens, prompter: options.prompter, policy, queue, verifyQueue: new RequestQueue(limits.maxQueued), limits, ...(options.timestamp ? { timestamp: options.timestamp } : {}), trustAnchors: options.trustAnchors ?? [], ...(options.remote ? { remote: options.remote } : {}) };
  const connections = new Set<Connection>();
  const slots = new ConnectionSlots({ max: limits.maxConnections, perSite: limits.maxConnectionsPerSite });
  const deadlines = { headersMs: limits.headersTimeoutMs, requestMs: limits.httpRequestTimeoutMs };
  let nextConn = 1;

  // tokens.changed: poll while someone listens, never while an operation holds the token.
  const watcher = new TokenWatcher(options.tokens, queue, options.tokenPollMs ?? 2000, () => connections.size > 0, (tokenCount) => {
    for (const c of connections) c.notify('tokens.changed', { tokenCount });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer, info: RequestInfo): void => {
    const origin = admitUpgrade(req, socket, info.port, { path: '/', slots, log });
    if (origin === undefined) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(nextConn++, origin, ws, socket, parts, log, () => connections.delete(conn));
      connections.add(conn);
      log.info({ event: 'connected', conn: conn.id, origin: conn.origin, secure: info.secure, connections: connections.size }, 'connected');
      watcher.start();
    });
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse, info: RequestInfo): void => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHostHeaders(info.port).has(host)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('host not allowed');
      return;
    }
    if (!answerProbe(req, res, info, { isAllowed: (origin) => policy.isAllowed(origin) })) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  };

  const endpoint: LoopbackEndpoint = await bindLoopback({
    name: 'agent',
    ports: options.ports ?? DEFAULT_PORTS,
    ...(options.hosts ? { hosts: options.hosts } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    onRequest,
    onUpgrade,
    deadlines,
    log,
  });
  const { port, addresses } = endpoint;

  log.info({ event: 'listening', port, addresses, secure: endpoint.secure }, 'listening');

  let vnpt: VnptEndpoint | undefined;
  if (options.vnpt) {
    try {
      // Loaded only when asked for (`--vnpt`, the tray's setting): most agents never start it.
      const { startVnptEndpoint } = await import('./vnpt-compat/endpoint.js');
      vnpt = await startVnptEndpoint({
        parts, log, slots, deadlines,
        ...(options.vnpt.ports ? { ports: options.vnpt.ports } : {}),
        ...(options.hosts ? { hosts: options.hosts } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
      });
    } catch (err) {
      log.warn({ event: 'vnpt-unavailable', error: toKysoError(err).detail?.slice(0, 300) ?? 'bind failed' }, 'VNPT-CA Plugin compatible endpoint not started');
    }
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    addresses,
    secure: endpoint.secure,
    vnptPort: vnpt?.port,
    policy,
    queue,
    limits,
    connectionCount: () => connections.size,
    attachmentBytes: () => [...connections].reduce((n, c) => n + c.attachmentBytes, 0),
    allowedSites: () => policy.allowedSites(),
    revokeSite: (origin) => { policy.revoke(origin); },
    onSitesChanged: (listener) => options.settings.onChange(listener),
    close(): Promise<void> {
      closing ??= (async () => {
        watcher.stop();
        for (const c of connections) c.close(1001, 'agent stopping');
        await Promise.all([endpoint.close(), vnpt?.close()]);
        wss.close();
        log.info({ event: 'stopped', port }, 'stopped');
      })();
      return closing;
    },
  };
}

class TokenWatcher {
  private timer: ReturnType<typeof setInterval> | undefined;
  private last: string | undefined;

  constructor(
    private readonly tokens: TokenSource,
    private readonly queue: RequestQueue,
    private readonly everyMs: number,
    private readonly wanted: () => boolean,
    private readonly changed: (count: number) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.last = this.snapshot()?.key;
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private snapshot(): { key: string; count: number } | undefined {
    try {
      const list = this.tokens.tokens();
      return { key: list.map((t) => `${t.id}:${t.pinState}`).sort().join('|'), count: list.length };
    } catch {
      return undefined;
    }
  }

  private tick(): void {
    if (!this.wanted()) {
      this.stop();
      return;
    }
    if (this.queue.busy) return;
    const now = this.snapshot();
    if (!now || now.key === this.last) return;
    this.last = now.key;
    this.changed(now.count);
  }
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
class Connection {
  private readonly inflight = new Map<Id, AbortController>();
  private readonly gone = new AbortController();
  private readonly idle: IdleWatch;
  private readonly inbox: AttachmentInbox;
  /** Ids of the agent's own attachments (answers), unique on this connection. */
  private nextAttachment = 1;
  private corked = false;

  constructor(
    readonly id: number,
    readonly origin: string,
    private readonly ws: WebSocket,
    /** The connection's TCP/TLS socket, to gather the frames of one turn of the event loop into one write. */
    private readonly socket: Duplex,
    private readonly parts: AgentParts,
    private readonly log: AgentLogger,
    private readonly onClosed: () => void,
  ) {
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

  /**
   * Progress notes, the answer and its attachment frames made in one turn of the event loop leave in one write
   * (a system call per frame cost a warm signature more than signing on the token).
   */
  private gather(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: Outgoing, attachments: readonly OutgoingAttachment[] = []): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.gather();
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
