/**
 * The checks every WebSocket handshake passes before a socket exists, on the native endpoint and the
 * VNPT-CA Plugin one alike: Host is a loopback name with our port (DNS rebinding), Origin is an http(s) origin.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { allowedHostHeaders } from './listener.js';
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


/** Answers a refused upgrade with a plain HTTP status and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = http.STATUS_CODES[status] ?? 'Refused';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}
