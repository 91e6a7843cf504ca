/**
 * The gate every WebSocket upgrade passes before a socket exists, on the native endpoint and the VNPT-CA Plugin
 * one alike: Host is a loopback name with our port (DNS rebinding), Origin is an http(s) origin, the endpoint has
 * room for another connection, and the path is the endpoint's. A refusal is logged and answered with a plain status.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { allowedHostHeaders } from './listener.js';
import { safeName, type AgentLogger } from './logger.js';
import { parseOrigin } from './origin-policy.js';

export type HandshakeVerdict = { ok: true; origin: string } | { ok: false; status: number; reason: string };

export function checkHandshake(headers: http.IncomingHttpHeaders, port: number): HandshakeVerdict {
  const host = (headers.host ?? '').toLowerCase();
  if (!allowedHostHeaders(port).has(host)) return { ok: false, status: 403, reason: 'host not loopback:port (DNS rebinding?)' };
  const raw = headers.origin;
  if (raw === undefined) return { ok: false, status: 403, reason: 'no Origin header' };
  const origin = parseOrigin(raw);
  if (!origin) return { ok: false, status: 403, reason: 'Origin is not an http(s) origin' };
  return { ok: true, origin };
}

export interface UpgradeGate {
  /** The one path this endpoint upgrades. */
  path: string;
  /** Connections open now, and the most allowed. */
  open: number;
  maxConnections: number;
  log: AgentLogger;
  /** Named in the log line when it is not the native endpoint. */
  endpoint?: string;
}

/** The page's origin when the upgrade may go on; otherwise undefined, the refusal logged and answered. */
export function admitUpgrade(req: http.IncomingMessage, socket: Duplex, port: number, gate: UpgradeGate): string | undefined {
  socket.on('error', () => { /* a peer that vanished mid-handshake */ });
  const verdict = checkHandshake(req.headers, port);
  const refusal = !verdict.ok ? verdict
    : gate.open >= gate.maxConnections ? { status: 503, reason: 'too many connections' }
    : (req.url ?? '/').split('?')[0] !== gate.path ? { status: 404, reason: 'not found' }
    : undefined;
  if (verdict.ok && !refusal) return verdict.origin;
  const { status, reason } = refusal!;
  gate.log.warn({
    event: 'refused', ...(gate.endpoint ? { endpoint: gate.endpoint } : {}), status, reason,
    host: safeName(req.headers.host)?.slice(0, 100), origin: safeName(req.headers.origin)?.slice(0, 100),
  }, 'connection refused');
  const text = http.STATUS_CODES[status] ?? 'Refused';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  return undefined;
}
