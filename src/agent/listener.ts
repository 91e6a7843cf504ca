/**
 * Binds an HTTP(S) + WebSocket endpoint to the loopback addresses only: the first free port of a list on the
 * first host, then the same port on the other hosts. With TLS, one port speaks both: the first byte of each
 * connection tells a TLS ClientHello (0x16) from plain HTTP, so pages reach `wss://127.0.0.1:P` and
 * `ws://127.0.0.1:P` alike, and the SDK needs no second port list.
 */
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { KysoError } from '../core/errors.js';
import type { AgentLogger } from './logger.js';
import { DEFAULT_DEADLINES, RequestDeadlines, type DeadlineTimes } from './request-deadlines.js';

export const LOOPBACK_HOSTS = ['127.0.0.1', '::1'] as const;

/** The `Host` values a request to us may carry: a loopback name and our port, nothing else (DNS rebinding). */
export function allowedHostHeaders(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`]);
}

export interface ServerTls {
  /** PEM private key and certificate (chain) for localhost, 127.0.0.1 and ::1. */
  key: string;
  cert: string;
}

export interface RequestInfo {
  /** Whether the connection is TLS (https/wss). */
  secure: boolean;
  port: number;
}

export interface LoopbackEndpointOptions {
  name: string;
  ports: readonly number[];
  hosts?: readonly string[];
  /** Also accept TLS on the same port. */
  tls?: ServerTls;
  onRequest(req: http.IncomingMessage, res: http.ServerResponse, info: RequestInfo): void;
  onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, info: RequestInfo): void;
  /** How long a connection may take to send its request headers, and to complete its request (request-deadlines.ts). */
  deadlines?: DeadlineTimes;
  log: AgentLogger;
}

export interface LoopbackEndpoint {
  readonly port: number;
  readonly addresses: readonly string[];
  readonly secure: boolean;
  close(): Promise<void>;
}

const TLS_HANDSHAKE = 0x16;

export async function bindLoopback(options: LoopbackEndpointOptions): Promise<LoopbackEndpoint> {
  let port = 0;
  const info = (secure: boolean): RequestInfo => ({ secure, port });
  const times = options.deadlines ?? DEFAULT_DEADLINES;
  const deadlines = new RequestDeadlines(times, (stage) => {
    options.log.debug({ event: 'deadline', endpoint: options.name, stage }, `no complete ${stage === 'headers' ? 'request headers' : 'request'} in time: connection dropped`);
  });
  // Node's own timeouts stay as a second line (headersTimeout may not exceed requestTimeout).
  const serverOptions = { maxHeaderSize: 16 * 1024, requestTimeout: times.requestMs, headersTimeout: Math.min(times.headersMs, times.requestMs) };
  const onRequest = (secureSide: boolean) => (req: http.IncomingMessage, res: http.ServerResponse): void => {
    deadlines.request(req, res);
    options.onRequest(req, res, info(secureSide));
  };
  const onUpgrade = (secureSide: boolean) => (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    deadlines.upgraded(socket);
    options.onUpgrade(req, socket, head, info(secureSide));
  };
  const plain = http.createServer(serverOptions, onRequest(false));
  plain.on('connection', (socket: Socket) => deadlines.connected(socket));
  plain.on('upgrade', onUpgrade(false));
  const secure = options.tls
    ? https.createServer({ ...serverOptions, key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2', handshakeTimeout: times.headersMs }, onRequest(true))
    : undefined;
  secure?.on('secureConnection', (socket) => deadlines.connected(socket));
  secure?.on('upgrade', onUpgrade(true));
  secure?.on('tlsClientError', (err, socket) => {
    options.log.debug({ event: 'tls-error', endpoint: options.name, code: (err as NodeJS.ErrnoException).code ?? 'TLS' }, 'TLS handshake failed');
    socket.destroy();
  });
  for (const s of [plain, secure]) {
    s?.on('clientError', (_err, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); else socket.destroy();
    });
  }

  const dispatch = (socket: Socket): void => {
    socket.on('error', () => { /* a peer that vanished */ });
    if (!secure) {
      plain.emit('connection', socket);
      return;
    }
    // A connection that sends nothing is dropped before it reaches HTTP or TLS.
    socket.setTimeout(times.headersMs, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      (chunk[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  };

  const hosts = options.hosts ?? LOOPBACK_HOSTS;
  const listeners: net.Server[] = [];
  const addresses: string[] = [];
  let lastError: unknown;
  for (const candidate of options.ports) {
    const first = net.createServer({ pauseOnConnect: false }, dispatch);
    try {
      port = await listen(first, candidate, hosts[0]!);
      listeners.push(first);
      addresses.push(hosts[0]!);
      break;
    } catch (err) {
      lastError = err;
      await closeServer(first);
    }
  }
  if (listeners.length === 0) {
    throw new KysoError('INTERNAL', `${options.name}: no free port among ${options.ports.join(', ')}: ${lastError instanceof Error ? lastError.message : String(lastError)}`, { cause: lastError });
  }
  for (const host of hosts.slice(1)) {
    const s = net.createServer(dispatch);
    try {
      await listen(s, port, host);
      listeners.push(s);
      addresses.push(host);
    } catch (err) {
      // No IPv6 loopback on this machine, or another program holds [::1]:port. Pages use 127.0.0.1.
      options.log.warn({ event: 'bind-skipped', endpoint: options.name, host, port, error: (err as NodeJS.ErrnoException).code }, 'loopback address skipped');
      await closeServer(s);
    }
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    addresses,
    secure: secure !== undefined,
    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.all(listeners.map(closeServer));
        // Keep-alive HTTP connections would hold close() open; WebSockets are closed by their owners.
        plain.closeAllConnections();
        secure?.closeAllConnections();
      })();
      return closing;
    },
  };
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => { server.off('listening', onListening); reject(err); };
    const onListening = (): void => { server.off('error', onError); resolve((server.address() as AddressInfo).port); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

const closeServer = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
