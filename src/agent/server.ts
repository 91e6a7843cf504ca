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
import type http from 'node:http';
import { constants as bufferConstants } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { KysoError, toKysoError } from '../core/errors.js';
import type { TimestampClient } from '../core/tsa/api.js';
import { lazy } from '../core/lazy.js';
import { createAgentLogger, type AgentLogger } from './logger.js';
import { OriginPolicy } from './origin-policy.js';
import type { Prompter } from './prompter.js';
import { RequestQueue } from './request-queue.js';
import type { AllowedSite, SettingsStore } from './settings-store.js';
import { ATTACHMENT_HEADER_BYTES, DEFAULT_PORTS, base64Length } from './protocol-constants.js';
import type { AgentLimits, AgentParts, TokenSource } from './methods/context.js';
import { allowedHostHeaders, bindLoopback, type LoopbackEndpoint, type RequestInfo, type ServerTls } from './listener.js';
import { answerProbe } from './probe.js';
import type { VnptEndpoint } from './vnpt-compat/endpoint.js';
import type { Connection } from './connection.js';
import { admitUpgrade } from './handshake.js';
import { ConnectionSlots } from './connection-slots.js';

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

  // What serves a connection (ws, the schemas, the methods and the engines behind them) loads once the port is
  // bound, not before: `kyso serve` and the tray are listening sooner, and a page that connects first waits for it.
  let wss: WebSocketServer | undefined;
  const handling = lazy(async () => {
    const [{ Connection: ConnectionClass }, { WebSocketServer: Server }, { warmForSite }] = await Promise.all([import('./connection.js'), import('ws'), import('./warm-up.js')]);
    wss = new Server({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    return { ConnectionClass, wss, warmForSite };
  });

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer, info: RequestInfo): void => {
    const origin = admitUpgrade(req, socket, info.port, { path: '/', slots, log });
    if (origin === undefined) return;
    handling().then(({ ConnectionClass, wss: server, warmForSite }) => {
      if (socket.destroyed) return;
      server.handleUpgrade(req, socket, head, (ws) => {
        const conn = new ConnectionClass(nextConn++, origin, ws, socket, parts, log, () => connections.delete(conn));
        connections.add(conn);
        warmForSite(policy, origin);
        log.info({ event: 'connected', conn: conn.id, origin: conn.origin, secure: info.secure, connections: connections.size }, 'connected');
        watcher.start();
      });
    }, (err: unknown) => {
      log.error({ event: 'internal', error: toKysoError(err).code }, 'connection handling failed to load');
      socket.destroy();
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
  // Loaded in the background once the caller has said it listens (a failure is logged at the first connection).
  setImmediate(() => void handling().catch(() => undefined));

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
        wss?.close();
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

