/**
 * The one HTTP client of the core, for the network services signing needs (TSA, OCSP, CRL, CA issuers):
 * plain node:http/https, a deadline for the whole exchange, a cap on the answer's size, optional basic auth.
 * Failures to reach the server are `HttpUnreachable`; an answer, whatever its status, is returned to the caller.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  body?: Uint8Array;
  headers?: Record<string, string>;
  /** Basic authentication; sent only with the request, never logged. */
  username?: string;
  password?: string;
  /** Deadline for connecting, sending and reading the whole answer (ms). */
  timeoutMs?: number;
  /** Largest answer accepted (bytes). */
  maxBytes?: number;
  /** Stops the exchange (the connection is closed at once): HttpUnreachable "cancelled". */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
  headers: IncomingHttpHeaders;
}

/** The server could not be reached or did not finish answering in time (connection refused, DNS, TLS, timeout). */
export class HttpUnreachable extends Error {
  override readonly name = 'HttpUnreachable';
}

/** The server answered more than `maxBytes`. */
export class HttpTooLarge extends Error {
  override readonly name = 'HttpTooLarge';
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * One exchange; a GET follows up to 3 redirects (CRLs and CA certificates often sit behind a CDN), dropping
 * credentials when the host changes. A POST (TSA, OCSP) is never redirected: its answer is the server's own.
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  let current = req;
  for (let hop = 0; ; hop++) {
    const res = await exchange(current);
    const location = res.headers.location;
    if ((current.method ?? (current.body ? 'POST' : 'GET')) !== 'GET' || ![301, 302, 303, 307, 308].includes(res.status) || !location || hop >= 3) return res;
    const next = new URL(location, current.url);
    const sameHost = next.host === new URL(current.url).host;
    const { username: _u, password: _p, ...rest } = current;
    current = { ...rest, url: next.toString(), ...(sameHost && current.username !== undefined ? { username: current.username, password: current.password ?? '' } : {}) };
  }
}

async function exchange(req: HttpRequest): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new HttpUnreachable(`not a URL: ${req.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpUnreachable(`unsupported scheme ${url.protocol}`);
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = req.maxBytes ?? 4 * 1024 * 1024;
  const headers: Record<string, string> = { 'User-Agent': 'Kyso', ...req.headers };
  if (req.body) headers['Content-Length'] = String(req.body.length);
  if (req.username !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${req.username}:${req.password ?? ''}`, 'utf8').toString('base64')}`;
  }
  // Credentials in the URL (http://user:pass@host/) are honoured the same way, then kept out of messages.
  if (url.username && req.username === undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`, 'utf8').toString('base64')}`;
  }
  const shown = redactUrl(url);
  // Loaded at the first exchange: node:https brings tls, net and http, ~2.5 ms to load in each document worker, for
  // a B-B signature that never goes online.
  const { request: send } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => finish(new HttpUnreachable(`${shown}: cancelled`));
    const finish = (err: Error | undefined, res?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err) { request.destroy(); reject(err); } else resolve(res!);
    };
    const timer = setTimeout(() => finish(new HttpUnreachable(`${shown}: no answer within ${timeoutMs} ms`)), timeoutMs);
    // agent: false — a new connection per exchange. Node's global agent keeps sockets alive, and reusing one the
    // server is closing at that moment fails with ECONNRESET; a TSA or OCSP call per signature gains nothing from reuse.
    const request = send(url, { method: req.method ?? (req.body ? 'POST' : 'GET'), headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) finish(new HttpTooLarge(`${shown}: answer larger than ${maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => finish(undefined, {
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(),
        body: new Uint8Array(Buffer.concat(chunks)),
        headers: res.headers,
      }));
      res.on('error', (e) => finish(new HttpUnreachable(`${shown}: ${e.message}`)));
    });
    request.on('error', (e: NodeJS.ErrnoException) => finish(new HttpUnreachable(`${shown}: ${e.code ?? e.message}`)));
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener('abort', onAbort, { once: true });
    request.end(req.body ? Buffer.from(req.body) : undefined);
  });
}

/** The URL without user information, for messages and logs. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
