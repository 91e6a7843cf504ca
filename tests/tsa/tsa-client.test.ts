/** The RFC 3161 client against a real TSA (openssl ts -reply) on loopback, and every way a TSA can fail. */
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTimestampClient } from '../../src/core/tsa/index.js';
import { KysoError } from '../../src/core/errors.js';
import { httpRequest } from '../../src/core/net/http.js';
import { startPkiServices, TSA_PASSWORD, TSA_USER, type PkiServices } from '../helpers/loopback-pki-services.js';

let srv: PkiServices;
beforeAll(async () => { srv = await startPkiServices(); });
afterAll(async () => { await srv?.close(); });

const digest = (): Uint8Array => createHash('sha256').update(randomBytes(32)).digest();

async function failure(p: Promise<unknown>): Promise<KysoError> {
  try { await p; } catch (e) { if (e instanceof KysoError) return e; throw e; }
  throw new Error('expected a KysoError');
}

describe('HttpTimestampClient', () => {
  it('gets a token OpenSSL verifies over our digest, with the TSA certificate, our nonce and fractional time', async () => {
    const d = digest();
    const client = new HttpTimestampClient({ urls: [srv.tsa.plain] });
    expect(client.expectedTokenSize()).toBe(12 * 1024);
    const token = await client.timestamp(d, 'SHA-256');
    expect(Buffer.from(token.info.imprint)).toEqual(Buffer.from(d));
    expect(token.info.nonce).toMatch(/^[0-9a-f]+$/);
    expect(token.tsaCertificate).toBeDefined();
    expect(Math.abs(token.info.genTime.getTime() - Date.now())).toBeLessThan(60_000);
    expect(token.info.genTime.getUTCMilliseconds() === 0 || token.info.accuracyMs === 1000).toBe(true);
    // The next reservation follows the size actually seen.
    expect(client.expectedTokenSize()).toBe(token.der.length + 512);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-ts-'));
    writeFileSync(path.join(dir, 'token.der'), token.der);
    const r = spawnSync('openssl', ['ts', '-verify', '-digest', Buffer.from(d).toString('hex'), '-in', path.join(dir, 'token.der'), '-token_in',
      '-CAfile', srv.pki.root, '-untrusted', srv.pki.sub], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('Verification: OK');
  });

  it('SHA-384 and SHA-512 imprints', async () => {
    for (const [hash, node] of [['SHA-384', 'sha384'], ['SHA-512', 'sha512']] as const) {
      const d = createHash(node).update('x').digest();
      const token = await new HttpTimestampClient({ urls: [srv.tsa.plain] }).timestamp(d, hash);
      expect(Buffer.from(token.info.imprint)).toEqual(d);
    }
  });

  it('basic auth: no account → TSA_AUTH_REQUIRED, wrong password → TSA_AUTH_REQUIRED, right one → token', async () => {
    const none = await failure(new HttpTimestampClient({ urls: [srv.tsa.auth] }).timestamp(digest(), 'SHA-256'));
    expect(none.code).toBe('TSA_AUTH_REQUIRED');
    expect(none.detail).toContain('credentials required');
    const wrong = await failure(new HttpTimestampClient({ urls: [srv.tsa.auth], username: TSA_USER, password: 'sai' }).timestamp(digest(), 'SHA-256'));
    expect(wrong.code).toBe('TSA_AUTH_REQUIRED');
    expect(wrong.detail).toContain('credentials refused');
    expect(wrong.message).not.toContain('sai');
    const ok = await new HttpTimestampClient({ urls: [srv.tsa.auth], username: TSA_USER, password: TSA_PASSWORD }).timestamp(digest(), 'SHA-256');
    expect(ok.der.length).toBeGreaterThan(1000);
  });

  it('each failure has its own code', async () => {
    const cases: [string, string, number?][] = [
      [srv.tsa.unreachable, 'TSA_UNREACHABLE'],
      [srv.tsa.slow, 'TSA_UNREACHABLE', 400],
      [srv.tsa.garbage, 'TSA_BAD_RESPONSE'],
      [srv.tsa.reject, 'TSA_REJECTED'],
      [srv.tsa.http500, 'TSA_REJECTED'],
      [srv.tsa.wrongNonce, 'TSA_BAD_RESPONSE'],
      [srv.tsa.wrongImprint, 'TSA_BAD_RESPONSE'],
    ];
    for (const [url, code, timeoutMs] of cases) {
      const e = await failure(new HttpTimestampClient({ urls: [url], ...(timeoutMs ? { timeoutMs } : {}) }).timestamp(digest(), 'SHA-256'));
      expect(e.code, `${url}: ${e.message}`).toBe(code);
    }
    const rejected = await failure(new HttpTimestampClient({ urls: [srv.tsa.reject] }).timestamp(digest(), 'SHA-256'));
    expect(rejected.detail).toContain('unacceptedPolicy');
    expect(rejected.detail).toContain('policy not accepted');
    const nonce = await failure(new HttpTimestampClient({ urls: [srv.tsa.wrongNonce] }).timestamp(digest(), 'SHA-256'));
    expect(nonce.detail).toContain('nonce');
    const imprint = await failure(new HttpTimestampClient({ urls: [srv.tsa.wrongImprint] }).timestamp(digest(), 'SHA-256'));
    expect(imprint.detail).toContain('imprint');
  });

  it('tries the URLs in order: a dead first server falls through to the next', async () => {
    const token = await new HttpTimestampClient({ urls: [srv.tsa.unreachable, srv.tsa.garbage, srv.tsa.plain] }).timestamp(digest(), 'SHA-256');
    expect(token.source).toBe(srv.tsa.plain);
    const all = await failure(new HttpTimestampClient({ urls: [srv.tsa.unreachable, srv.tsa.reject] }).timestamp(digest(), 'SHA-256'));
    expect(all.code).toBe('TSA_REJECTED');
    expect(all.detail).toContain('TSA_UNREACHABLE');
  });

  it('HTTP: a GET follows a redirect (CRLs behind a CDN), a POST does not (a TSA answers itself)', async () => {
    const get = await httpRequest({ url: `${srv.base}/moved` });
    expect(get.status).toBe(200);
    expect(get.contentType).toBe('application/pkix-crl');
    const post = await httpRequest({ url: `${srv.base}/moved`, method: 'POST', body: Uint8Array.of(1) });
    expect(post.status).toBe(302);
    const e = await failure(new HttpTimestampClient({ urls: [`${srv.base}/moved`] }).timestamp(digest(), 'SHA-256'));
    expect(e.code).toBe('TSA_REJECTED');
  });

  it('refuses URLs that are not http(s)', () => {
    expect(() => new HttpTimestampClient({ urls: ['ftp://tsa.example/'] })).toThrow(KysoError);
    expect(() => new HttpTimestampClient({ urls: [] })).toThrow(KysoError);
  });
});
