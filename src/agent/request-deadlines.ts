/**
 * Per-socket deadlines for the HTTP side of the agent's ports. Node's own headersTimeout/requestTimeout are
 * checked only every connectionsCheckingInterval and not for upgrade requests: a page sending its headers a byte
 * at a time kept sockets (and connection resources) for minutes. Here every socket has its own timer:
 * - from the connection, or from the end of the previous response on a kept-alive one, the request headers must
 *   arrive within `headersMs`;
 * - the request must be answered within `requestMs` of that same start.
 * Past either, the socket is destroyed. An upgraded socket leaves this watch as soon as its headers are in (the
 * agent answers an upgrade at once); the WebSocket's idle timer governs it from then on.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';

export interface DeadlineTimes {
  headersMs: number;
  requestMs: number;
}

export const DEFAULT_DEADLINES: DeadlineTimes = { headersMs: 10_000, requestMs: 15_000 };

interface Armed { timer: ReturnType<typeof setTimeout>; started: number }

export class RequestDeadlines {
  private readonly armed = new WeakMap<Duplex, Armed>();

  constructor(private readonly times: DeadlineTimes, private readonly expired: (stage: 'headers' | 'request') => void) {}

  /** A new connection, as the HTTP server sees it (the TLS socket for https, after its handshake). */
  connected(socket: Duplex): void {
    this.arm(socket, Date.now(), this.times.headersMs, 'headers');
    socket.once('close', () => this.clear(socket));
  }

  /** A request's headers are in: it must be answered by the request deadline, then the next one is awaited. */
  request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    const started = this.armed.get(socket)?.started ?? Date.now();
    this.arm(socket, started, this.times.requestMs - (Date.now() - started), 'request');
    res.once('finish', () => { if (!socket.destroyed) this.arm(socket, Date.now(), this.times.headersMs, 'headers'); });
  }

  /** An upgrade's headers are in: the endpoint answers it now (101 or a refusal), the socket is no longer ours. */
  upgraded(socket: Duplex): void {
    this.clear(socket);
  }

  private arm(socket: Duplex, started: number, ms: number, stage: 'headers' | 'request'): void {
    this.clear(socket);
    const timer = setTimeout(() => {
      this.expired(stage);
      socket.destroy();
    }, Math.max(0, ms));
    timer.unref?.();
    this.armed.set(socket, { timer, started });
  }

  private clear(socket: Duplex): void {
    const a = this.armed.get(socket);
    if (a) clearTimeout(a.timer);
    this.armed.delete(socket);
  }
}
