// Serves the example portal on its own origin: this folder, plus the SDK's single-file build as /kyso.js.
// Usage: npm run example:portal [-- PORT]  (builds the SDK, then node examples/portal/serve.mjs [PORT])   (then open http://127.0.0.1:PORT/)
// startPortal(port, host, { key, cert }) serves it over HTTPS, as real portals are (tests do).
import http from 'node:http';
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const FILES = {
  '/': [path.join(here, 'index.html'), 'text/html; charset=utf-8'],
  '/index.html': [path.join(here, 'index.html'), 'text/html; charset=utf-8'],
  '/portal.js': [path.join(here, 'portal.js'), 'text/javascript; charset=utf-8'],
  '/portal.css': [path.join(here, 'portal.css'), 'text/css; charset=utf-8'],
  '/kyso.js': [path.join(here, '../../dist/sdk/kyso.js'), 'text/javascript; charset=utf-8'],
};

export function startPortal(port = 0, host = '127.0.0.1', tls = undefined) {
  const handler = async (req, res) => {
    const entry = FILES[(req.url ?? '/').split('?')[0]];
    if (!entry || req.method !== 'GET') return void res.writeHead(404).end('not found');
    let body;
    try {
      body = await readFile(entry[0]); // before any header: a missing file still gets its own status
    } catch {
      return void res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('build the SDK first: npm run build:sdk');
    }
    res.writeHead(200, {
      'Content-Type': entry[1],
      'Cache-Control': 'no-store',
      // The agent on loopback: wss/https first (its local certificate), ws/http as the fallback.
      'Content-Security-Policy': "default-src 'self'; connect-src 'self' https://127.0.0.1:* wss://127.0.0.1:* http://127.0.0.1:* ws://127.0.0.1:*; img-src 'self' blob: data:",
    }).end(body);
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startPortal(Number(process.argv[2] ?? 8080));
  process.stdout.write(`example portal on http://127.0.0.1:${server.address().port}/\n`);
}
