/**
 * The network side of timestamps and long-term validation, run by the tests on 127.0.0.1: a TSA built on
 * `openssl ts -reply` (plain, behind basic auth, and misbehaving variants), an OCSP responder on
 * `openssl ocsp -index` (one process per request), CRLs and CA certificates over HTTP. The PKI of
 * tests/fixtures/pki/make-tsa-pki.sh is built for the server's port (the URLs are inside the certificates)
 * and its signers are put on a SoftHSM token of their own (tests/fixtures/pki/provision-tsa-softhsm.sh).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CACHE_DIR, TSA_KEYS_DIR, fixtures } from './fixtures.js';
import { children, contentOf, integer, readTlv, sequence, tlv } from '../../src/core/der.js';
import { TokenService } from '../../src/core/token/token-service.js';
import type { SigningKey } from '../../src/core/signing-key.js';
import { X509Certificate } from 'node:crypto';

const run = promisify(execFile);
const FIXTURES = fileURLToPath(new URL('../fixtures/pki/', import.meta.url));

export { LTV_SIGNERS, type LtvSigner } from './ltv-signers.js';
import { LTV_SIGNERS, type LtvSigner } from './ltv-signers.js';

export const TSA_USER = 'kyso-tsa';
export const TSA_PASSWORD = 'mật-khẩu:1';

export interface PkiServices {
  base: string;
  dir: string;
  /** PEM paths. */
  pki: { root: string; sub: string; tsa: string; nssdb: string; signer: (name: LtvSigner) => string };
  tsa: {
    plain: string; auth: string; garbage: string; reject: string; wrongNonce: string; wrongImprint: string;
    http500: string; slow: string; unreachable: string;
  };
  token: { conf: string; module: string; label: string; pin: string; ids: Record<LtvSigner, string> };
  /** Requests served, by path prefix (e.g. `/ocsp/sub`, `/crl/sub.crl`, `/tsa`). */
  hits: Map<string, number>;
  /** When set, OCSP and CRL requests are refused (503), as if those services were down. */
  revocationDown: boolean;
  close(): Promise<void>;
}

/** One openssl at a time: the TSA's serial file and temp files are shared. */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(f: () => Promise<T>): Promise<T> {
  const next = queue.then(f, f);
  queue = next.catch(() => undefined);
  return next;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The imprint (hex) and hash name of a TimeStampReq. */
function requestImprint(der: Uint8Array): { hex: string; hash: string } {
  const [, imprint] = children(der, readTlv(der, 0));
  const [alg, digest] = children(der, imprint!);
  const hex = Buffer.from(contentOf(der, digest!)).toString('hex');
  const algDer = Buffer.from(der.subarray(alg!.start, alg!.end)).toString('hex');
  const hash = algDer.includes('608648016503040202') ? 'sha384' : algDer.includes('608648016503040203') ? 'sha512' : 'sha256';
  return { hex, hash };
}

/** A TimeStampResp with status rejection and failInfo unacceptedPolicy, as a TSA refusing the request sends. */
function rejection(): Uint8Array {
  const text = sequence(tlv(0x0c, Buffer.from('Yêu cầu bị từ chối: policy not accepted')));
  const failInfo = tlv(0x03, Uint8Array.of(0x00, 0x00, 0x01)); // bit 15 = unacceptedPolicy
  return sequence(sequence(integer(2), text, failInfo));
}

export async function startPkiServices(): Promise<PkiServices> {
  // Per server: its PKI names this server's port, and test files run in parallel.
  mkdirSync(path.join(CACHE_DIR, 'tsa'), { recursive: true });
  const dir = mkdtempSync(path.join(CACHE_DIR, 'tsa', 'pki-'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-tsa-srv-'));
  const hits = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  let services!: PkiServices;

  const tsaReply = (query: Uint8Array): Promise<Buffer> => serial(async () => {
    const q = path.join(work, 'q.tsq');
    const r = path.join(work, 'r.tsr');
    writeFileSync(q, query);
    await run('openssl', ['ts', '-reply', '-config', path.join(dir, 'tsa.cnf'), '-queryfile', q, '-out', r], { env: { ...process.env, OPENSSL_CONF: path.join(dir, 'tsa.cnf') } });
    return readFileSync(r);
  });
  /** A fresh query of our own (other nonce, or other imprint) answered by the real TSA. */
  const tsaReplyFor = async (digestHex: string, hash: string): Promise<Buffer> => {
    const q = path.join(work, 'q2.tsq');
    await serial(() => run('openssl', ['ts', '-query', '-digest', digestHex, `-${hash}`, '-cert', '-out', q]));
    return tsaReply(readFileSync(q));
  };
  const ocspReply = (request: Uint8Array): Promise<Buffer> => serial(async () => {
    const q = path.join(work, 'o.req');
    const r = path.join(work, 'o.resp');
    writeFileSync(q, request);
    rmSync(r, { force: true });
    await run('openssl', ['ocsp', '-index', path.join(dir, 'sub-index.txt'), '-CA', path.join(dir, 'sub.pem'),
      '-rsigner', path.join(dir, 'ocsp.pem'), '-rkey', path.join(dir, 'ocsp.key.pem'), '-reqin', q, '-respout', r, '-ndays', '1']);
    return readFileSync(r);
  });

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const p = url.pathname;
      hits.set(p, (hits.get(p) ?? 0) + 1);
      const body = await readBody(req);
      const send = (status: number, type: string, data: Uint8Array | string, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': type, ...headers });
        res.end(typeof data === 'string' ? data : Buffer.from(data));
      };
      const tsr = (data: Uint8Array): void => send(200, 'application/timestamp-reply', data);
      try {
        switch (p) {
          case '/tsa': return tsr(await tsaReply(body));
          case '/tsa-auth': {
            const want = `Basic ${Buffer.from(`${TSA_USER}:${TSA_PASSWORD}`).toString('base64')}`;
            if (req.headers.authorization !== want) return send(401, 'text/plain', 'auth required', { 'WWW-Authenticate': 'Basic realm="Kyso TSA"' });
            return tsr(await tsaReply(body));
          }
          case '/tsa-garbage': return send(200, 'application/timestamp-reply', '<html><body>Gateway says hello</body></html>');
          case '/tsa-reject': return tsr(rejection());
          case '/tsa-500': return send(500, 'text/plain', 'internal error');
          case '/tsa-wrong-nonce': { const i = requestImprint(body); return tsr(await tsaReplyFor(i.hex, i.hash)); }
          case '/tsa-wrong-imprint': { const i = requestImprint(body); return tsr(await tsaReplyFor(randomBytes(i.hex.length / 2).toString('hex'), i.hash)); }
          case '/tsa-slow': return; // never answers
          case '/moved': return send(302, 'text/plain', '', { Location: '/crl/sub.crl' });
          case '/ocsp/sub':
            if (services.revocationDown) return send(503, 'text/plain', 'down');
            return send(200, 'application/ocsp-response', await ocspReply(body));
          default: {
            const m = /^\/(crl|ca)\/([a-z]+\.(crl|cer))$/.exec(p);
            if (m) {
              if (m[1] === 'crl' && services.revocationDown) return send(503, 'text/plain', 'down');
              return send(200, m[1] === 'crl' ? 'application/pkix-crl' : 'application/pkix-cert', readFileSync(path.join(dir, m[1]!, m[2]!)));
            }
            return send(404, 'text/plain', 'not found');
          }
        }
      } catch (e) {
        send(500, 'text/plain', String(e));
      }
    })();
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // A port nothing listens on: bound, then released.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const deadPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  // The keys and a token holding them come from the global setup: only the certificates name this port.
  const shared = { TSA_KEYS: path.join(TSA_KEYS_DIR, 'pki'), TSA_TOKEN_TEMPLATE: path.join(TSA_KEYS_DIR, 'token') };
  await run('bash', [path.join(FIXTURES, 'make-tsa-pki.sh'), dir, base], { env: { ...process.env, ...shared } });
  const hsmDir = `${dir}-softhsm`;
  await run('bash', [path.join(FIXTURES, 'provision-tsa-softhsm.sh'), dir, hsmDir, ...LTV_SIGNERS], {
    env: { ...process.env, ...shared, SOFTHSM2_MODULE: fixtures().softhsm.module },
  });
  const token = JSON.parse(readFileSync(path.join(hsmDir, 'token.json'), 'utf8')) as { module: string; conf: string; tokenLabel: string; pin: string; objects: Record<LtvSigner, string> };

  services = {
    base,
    dir,
    pki: {
      root: path.join(dir, 'root.pem'),
      sub: path.join(dir, 'sub.pem'),
      tsa: path.join(dir, 'tsa.pem'),
      nssdb: `sql:${path.join(dir, 'nssdb')}`,
      signer: (name) => path.join(dir, `${name}.pem`),
    },
    tsa: {
      plain: `${base}/tsa`,
      auth: `${base}/tsa-auth`,
      garbage: `${base}/tsa-garbage`,
      reject: `${base}/tsa-reject`,
      wrongNonce: `${base}/tsa-wrong-nonce`,
      wrongImprint: `${base}/tsa-wrong-imprint`,
      http500: `${base}/tsa-500`,
      slow: `${base}/tsa-slow`,
      unreachable: `http://127.0.0.1:${deadPort}/tsa`,
    },
    token: { conf: token.conf, module: token.module, label: token.tokenLabel, pin: token.pin, ids: token.objects },
    hits,
    revocationDown: false,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(work, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
      rmSync(hsmDir, { recursive: true, force: true });
    },
  };
  return services;
}

/** Sum of hits on paths starting with `prefix`. */
export function hitsOn(services: PkiServices, prefix: string): number {
  let n = 0;
  for (const [p, c] of services.hits) if (p.startsWith(prefix)) n += c;
  return n;
}

/** The LTV token through Kyso's own token layer (its own SoftHSM directory: set before the module loads). */
export function openLtvToken(services: PkiServices): TokenService {
  process.env.SOFTHSM2_CONF = services.token.conf;
  return new TokenService([{ path: services.token.module, vendor: 'softhsm', displayName: 'SoftHSM (LTV)' }]);
}

export function ltvCertificateId(services: PkiServices, name: LtvSigner): string {
  return new X509Certificate(readFileSync(services.pki.signer(name))).fingerprint256.replace(/:/g, '').toLowerCase();
}

export function ltvKey(tokens: TokenService, services: PkiServices, name: LtvSigner): Promise<SigningKey> {
  return tokens.signingKey(ltvCertificateId(services, name), async () => services.token.pin);
}

export const pemToDer = (file: string): Uint8Array => new Uint8Array(new X509Certificate(readFileSync(file)).raw);
