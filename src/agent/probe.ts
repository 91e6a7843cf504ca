/**
 * The HTTP(S) probe a page fetches before opening the WebSocket (`GET /.well-known/kyso`). From an HTTPS page
 * this request is what makes Chrome ask the user for Local Network Access; a bare WebSocket may fail without
 * the prompt. The SDK fetches it with `mode: 'no-cors'`: reaching it is the answer, and an opaque response is
 * enough. Only sites the user allowed may read the body (CORS), so an unknown page learns nothing it could not
 * learn from `agent.info`. Preflights (Private Network Access, older Chrome) are answered for any http(s)
 * origin, since refusing them would block the first visit of every portal before the user could be asked.
 */
import type http from 'node:http';
import { parseOrigin } from './origin-policy.js';
import { PROBE_PATH, PROTOCOL_VERSION } from './protocol-constants.js';
import type { RequestInfo } from './listener.js';

export interface ProbeDeps {
  isAllowed(origin: string): boolean;
}

/** Answers the probe; false when the request is for another path (the caller answers 404). */
export function answerProbe(req: http.IncomingMessage, res: http.ServerResponse, info: RequestInfo, deps: ProbeDeps): boolean {
  if ((req.url ?? '/').split('?')[0] !== PROBE_PATH) return false;
  const origin = parseOrigin(req.headers.origin);
  const common: Record<string, string> = { Vary: 'Origin', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (req.method === 'OPTIONS') {
    if (!origin) {
      res.writeHead(403, common).end();
      return true;
    }
    const headers: Record<string, string> = { ...common, 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Max-Age': '600' };
    if (req.headers['access-control-request-headers']) headers['Access-Control-Allow-Headers'] = 'content-type';
    if (req.headers['access-control-request-private-network'] === 'true') headers['Access-Control-Allow-Private-Network'] = 'true';
    if (req.headers['access-control-request-local-network'] === 'true') headers['Access-Control-Allow-Local-Network'] = 'true';
    res.writeHead(204, headers).end();
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...common, Allow: 'GET, OPTIONS' }).end();
    return true;
  }
  const cors: Record<string, string> = origin && deps.isAllowed(origin) ? { 'Access-Control-Allow-Origin': origin } : {};
  const scheme = info.secure ? 'wss' : 'ws';
  const body = JSON.stringify({ name: 'kyso', protocolVersion: PROTOCOL_VERSION, websocket: `${scheme}://127.0.0.1:${info.port}/` });
  res.writeHead(200, { ...common, ...cors, 'Content-Type': 'application/json' }).end(req.method === 'HEAD' ? undefined : body);
  return true;
}
