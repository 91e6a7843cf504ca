/**
 * The gate every WebSocket upgrade passes before a socket exists, on the native endpoint and the VNPT-CA Plugin
 * one alike: Host is a loopback name with our port (DNS rebinding), Origin is an http(s) origin, the path is the
 * endpoint's, and there is a connection slot for the page's site (connection-slots.ts), held until the socket
 * closes. A refusal is logged and answered with a plain status, and the socket is destroyed once that is sent.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { allowedHostHeaders } from './listener.js';
import { safeName, type AgentLogger } from './logger.js';
import { parseOrigin } from './origin-policy.js';
import type { ConnectionSlots } from './connection-slots.js';

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
  /** The slots of both endpoints: an admitted socket holds one until it closes. */
  slots: ConnectionSlots;
  log: AgentLogger;
  /** Named in the log line when it is not the native endpoint. */
  endpoint?: string;
}

/** The page's origin when the upgrade may go on; otherwise undefined, the refusal logged and answered. */
export function admitUpgrade(req: http.IncomingMessage, socket: Duplex, port: number, gate: UpgradeGate): string | undefined {
  socket.on('error', () => { /* a peer that vanished mid-handshake */ });
  const verdict = checkHandshake(req.headers, port);
  if (!verdict.ok) return refuse(req, socket, gate, verdict);
  if ((req.url ?? '/').split('?')[0] !== gate.path) return refuse(req, socket, gate, { status: 404, reason: 'not found' });
  const slot = gate.slots.take(verdict.origin);
  if ('refused' in slot) return refuse(req, socket, gate, { status: 503, reason: slot.refused });
  socket.once('close', slot.release);
  return verdict.origin;
}

function refuse(req: http.IncomingMessage, socket: Duplex, gate: UpgradeGate, { status, reason }: { status: number; reason: string }): undefined {
  gate.log.warn({
    event: 'refused', ...(gate.endpoint ? { endpoint: gate.endpoint } : {}), status, reason,
    host: safeName(req.headers.host)?.slice(0, 100), origin: safeName(req.headers.origin)?.slice(0, 100),
  }, 'connection refused');
  const text = http.STATUS_CODES[status] ?? 'Refused';
  // Destroyed once written: a peer that never closes its side must not keep the socket.
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`, () => socket.destroy());
  return undefined;
}
