/**
 * The VNPT-CA Plugin's endpoint: `wss://localhost:4433/plugin` (then 4434, 4435), loopback only, the same
 * handshake checks as the native endpoint (Host is loopback:port, Origin present), its connection slots (shared),
 * request deadlines and idle timeout, the same agent parts (consent, queue, prompts, limits). Calls on one connection run one at a time, in order, as the plugin did.
 */
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { KysoError, toKysoError } from '../../core/errors.js';
import { bindLoopback, allowedHostHeaders, type ServerTls } from '../listener.js';
import { safeName, type AgentLogger } from '../logger.js';
import type { AgentParts, RequestContext } from '../methods/context.js';
import { requestSignal } from '../methods/common.js';
import { abortable } from '../abortable.js';
import { admitUpgrade } from '../handshake.js';
import type { ConnectionSlots } from '../connection-slots.js';
import { watchIdle } from '../idle-timer.js';
import { warmForSite } from '../warm-up.js';
import type { DeadlineTimes } from '../request-deadlines.js';
import { parseRequestFrame, replyFrame } from './frames.js';
import { FUNCTION_NAMES, callFunction, failureReply } from './functions.js';
import { errorText } from './results.js';

/** A call that could not run at all (unreadable frame, too many waiting): a failure object, `code` first. */
const refusal = (err: KysoError): string => JSON.stringify({ code: -1, data: '', error: errorText(err) });

export const VNPT_PORTS: readonly number[] = [4433, 4434, 4435];
export const VNPT_PATH = '/plugin';
/** Calls a connection may have waiting behind the running one before BUSY. */
const MAX_PENDING = 8;

export interface VnptEndpointOptions {
  parts: AgentParts;
  log: AgentLogger;
  ports?: readonly number[];
  hosts?: readonly string[];
  tls?: ServerTls;
  /** Connection slots shared with the native endpoint. */
  slots: ConnectionSlots;
  deadlines?: DeadlineTimes;
}

export interface VnptEndpoint {
  readonly port: number;
  readonly secure: boolean;
  close(): Promise<void>;
}

export async function startVnptEndpoint(options: VnptEndpointOptions): Promise<VnptEndpoint> {
  const { parts, log } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: parts.limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  const connections = new Set<PluginConnection>();
  const { slots } = options;
  let nextConn = 1;

  const endpoint = await bindLoopback({
    name: 'vnpt',
    ports: options.ports ?? VNPT_PORTS,
    ...(options.hosts ? { hosts: options.hosts } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.deadlines ? { deadlines: options.deadlines } : {}),
    onRequest: (req, res, info) => {
      const allowed = allowedHostHeaders(info.port).has((req.headers.host ?? '').toLowerCase());
      res.writeHead(allowed ? 404 : 403, { 'Content-Type': 'text/plain' }).end(allowed ? 'not found' : 'host not allowed');
    },
    onUpgrade: (req, socket, head, info) => {
      const origin = admitUpgrade(req, socket, info.port, { path: VNPT_PATH, slots, log, endpoint: 'vnpt' });
      if (origin === undefined) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new PluginConnection(nextConn++, origin, ws, parts, log, () => connections.delete(conn));
        connections.add(conn);
        warmForSite(parts.policy, origin);
        log.info({ event: 'connected', endpoint: 'vnpt', conn: conn.id, origin: conn.origin, secure: info.secure }, 'plugin-compatible connection');
      });
    },
    log,
  });
  log.info({ event: 'listening', endpoint: 'vnpt', port: endpoint.port, secure: endpoint.secure }, 'VNPT-CA Plugin compatible endpoint listening');

  return {
    port: endpoint.port,
    secure: endpoint.secure,
    async close() {
      for (const c of connections) c.close();
      await endpoint.close();
      wss.close();
    },
  };
}

class PluginConnection {
  private readonly gone = new AbortController();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly touch: () => void;

  constructor(
    readonly id: number,
    readonly origin: string,
    private readonly ws: WebSocket,
    private readonly parts: AgentParts,
    private readonly log: AgentLogger,
    onClosed: () => void,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (err: Error & { code?: string }) => {
      this.log.warn({ event: 'socket-error', endpoint: 'vnpt', conn: id, code: err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'TOO_LARGE' : (err.code ?? 'ERROR') }, 'socket error');
    });
    ws.on('close', () => {
      this.gone.abort(new KysoError('USER_CANCELLED', 'the page closed the connection'));
      onClosed();
    });
    // A silent plugin connection holds a slot for nothing: closed like the native endpoint's.
    const idle = watchIdle(ws, parts.limits.idleTimeoutMs, () => this.pending > 0, () => {
      this.log.info({ event: 'idle-timeout', endpoint: 'vnpt', conn: id, origin }, 'idle connection closed');
      try { ws.close(1000, 'idle timeout'); } catch { ws.terminate(); }
    });
    this.touch = idle.touch;
  }

  close(): void {
    try { this.ws.close(1001, 'agent stopping'); } catch { this.ws.terminate(); }
  }

  private send(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // As bytes: a string costs ws two UTF-8 passes (its length, then the write), and a signed document's reply
    // naming a Vietnamese signer is a two-byte string of the document's size.
    try { this.ws.send(Buffer.from(text, 'utf8'), { binary: false }); } catch { this.ws.terminate(); }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const text = isBinary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const parsed = parseRequestFrame(text);
    if (!parsed.ok) {
      this.log.info({ event: 'vnpt-call', conn: this.id, origin: this.origin, outcome: 'error', code: 'BAD_REQUEST', size: text.length }, 'unusable frame');
      this.send(replyFrame(refusal(new KysoError('BAD_REQUEST', parsed.reason)), parsed.callback));
      return;
    }
    const { frame } = parsed;
    if (this.pending >= MAX_PENDING) {
      this.send(replyFrame(failureReply(frame.functionID, new KysoError('BUSY', `at most ${MAX_PENDING} calls waiting per connection`)), frame.funcCallback));
      return;
    }
    this.pending++;
    // One call at a time per connection, in the order sent.
    this.chain = this.chain.then(() => this.run(frame.functionID, frame.funcCallback, frame.args)).finally(() => { this.pending--; this.touch(); });
  }

  private async run(functionID: number, callback: string, args: string[]): Promise<void> {
    const started = Date.now();
    const request = requestSignal(this.parts.limits.requestTimeoutMs, this.gone.signal);
    const { signal } = request;
    const entry: Record<string, string | number | boolean> = {};
    const ctx: RequestContext = {
      origin: this.origin,
      signal,
      atEnd: request.atEnd,
      progress: () => { /* the plugin protocol has no progress messages */ },
      note: (fields) => {
        if (fields.fileName !== undefined) entry.fileName = safeName(fields.fileName)!;
        if (fields.size !== undefined) entry.size = fields.size;
      },
    };
    let answer: string;
    let outcome = 'ok';
    let code: string | undefined;
    try {
      // Answer as soon as the call is aborted (timeout, page gone); the queue still waits for the work itself.
      answer = await abortable(callFunction({ parts: this.parts, ctx, note: (f) => Object.assign(entry, f) }, functionID, args), signal);
      if (typeof entry.code === 'string') { outcome = 'error'; code = entry.code; delete entry.code; }
    } catch (err) {
      outcome = 'error';
      code = toKysoError(err).code;
      answer = failureReply(functionID, err);
    } finally {
      request.done();
    }
    this.send(replyFrame(answer, callback));
    this.log.info({
      event: 'vnpt-call', conn: this.id, origin: this.origin, functionID, function: FUNCTION_NAMES[functionID] ?? 'unsupported',
      outcome, ...(code ? { code } : {}), durationMs: Date.now() - started, ...entry,
    }, `plugin ${FUNCTION_NAMES[functionID] ?? functionID} ${outcome}`);
  }
}
