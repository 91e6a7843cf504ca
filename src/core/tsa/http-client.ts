/**
 * RFC 3161 over HTTP(S) (RFC 3161 §3.4): POST application/timestamp-query, read application/timestamp-reply.
 * Several TSA URLs may be configured; they are tried in order and the first good token wins. Every failure
 * is a KysoError naming what went wrong: TSA_UNREACHABLE (no connection, timeout), TSA_AUTH_REQUIRED
 * (HTTP 401/403: missing or wrong account), TSA_REJECTED (HTTP error or a PKIStatus other than granted),
 * TSA_BAD_RESPONSE (not a TimeStampResp, or a token whose imprint, nonce or signature is wrong).
 */
import { randomBytes } from 'node:crypto';
import { KysoError, isKysoError } from '../errors.js';
import type { HashAlgorithm } from '../signing-key.js';
import { HttpUnreachable, httpRequest, redactUrl } from '../net/http.js';
import { DEFAULT_TOKEN_RESERVE, type TimestampClient, type TimestampToken } from './api.js';
import { buildTimestampRequest, checkTimestampToken, parseTimestampResponse } from './rfc3161.js';

export interface TsaSettings {
  /** TSA URLs, tried in order. */
  urls: readonly string[];
  /** Basic-auth account some TSAs (e.g. the Vietnamese CAs' paid services) require. */
  username?: string;
  password?: string;
  /** Per-URL deadline for the whole exchange (default 15 s). */
  timeoutMs?: number;
  /** A TSA policy OID to request (default: the TSA's own). */
  policy?: string;
}

export class HttpTimestampClient implements TimestampClient {
  private lastTokenSize: number | undefined;

  constructor(private readonly settings: TsaSettings) {
    if (settings.urls.length === 0) throw new KysoError('BAD_REQUEST', 'no TSA URL');
    for (const u of settings.urls) {
      if (!/^https?:\/\/[^\s]+$/i.test(u)) throw new KysoError('BAD_REQUEST', `TSA URL must be http(s): ${redactUrl(u)}`);
    }
  }

  expectedTokenSize(): number {
    // Tokens from one TSA hardly vary; leave room for a longer serial, time and signature.
    return this.lastTokenSize !== undefined ? this.lastTokenSize + 512 : DEFAULT_TOKEN_RESERVE;
  }

  async timestamp(digest: Uint8Array, hash: HashAlgorithm): Promise<TimestampToken> {
    const failures: KysoError[] = [];
    for (const url of this.settings.urls) {
      try {
        const token = await this.fromUrl(url, digest, hash);
        this.lastTokenSize = token.der.length;
        return token;
      } catch (e) {
        if (!isKysoError(e)) throw e;
        failures.push(e);
      }
    }
    // The last server's error, with every server's reason in the detail.
    const last = failures[failures.length - 1]!;
    if (failures.length === 1) throw last;
    throw new KysoError(last.code, failures.map((f, i) => `${redactUrl(this.settings.urls[i]!)}: ${f.code} ${f.detail ?? ''}`.trim()).join('; '), { cause: last });
  }

  private async fromUrl(url: string, digest: Uint8Array, hash: HashAlgorithm): Promise<TimestampToken> {
    const shown = redactUrl(url);
    const nonce = randomBytes(8);
    const request = buildTimestampRequest(digest, hash, { nonce, certReq: true, ...(this.settings.policy ? { policy: this.settings.policy } : {}) });
    let res;
    try {
      res = await httpRequest({
        url,
        method: 'POST',
        body: request,
        headers: { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' },
        ...(this.settings.username !== undefined ? { username: this.settings.username, password: this.settings.password ?? '' } : {}),
        timeoutMs: this.settings.timeoutMs ?? 15_000,
        maxBytes: 1024 * 1024,
      });
    } catch (e) {
      if (e instanceof HttpUnreachable) throw new KysoError('TSA_UNREACHABLE', e.message, { cause: e });
      throw new KysoError('TSA_BAD_RESPONSE', `${shown}: ${(e as Error).message}`, { cause: e });
    }
    if (res.status === 401 || res.status === 403) {
      const why = this.settings.username === undefined ? 'credentials required' : 'credentials refused';
      throw new KysoError('TSA_AUTH_REQUIRED', `${shown}: HTTP ${res.status}, ${why}`);
    }
    if (res.status !== 200) throw new KysoError('TSA_REJECTED', `${shown}: HTTP ${res.status}`);
    let parsed;
    try {
      parsed = parseTimestampResponse(res.body);
    } catch (e) {
      throw new KysoError('TSA_BAD_RESPONSE', `${shown}: not a TimeStampResp (${res.contentType || 'no content type'}, ${res.body.length} bytes: ${(e as Error).message})`);
    }
    if (parsed.status !== 'granted' && parsed.status !== 'grantedWithMods') {
      const why = [parsed.status, ...parsed.failInfo, ...parsed.statusText].join(', ');
      throw new KysoError('TSA_REJECTED', `${shown}: ${why}`);
    }
    if (!parsed.token) throw new KysoError('TSA_BAD_RESPONSE', `${shown}: status ${parsed.status} without a token`);
    const check = checkTimestampToken(parsed.token, { digest: { value: digest, hash }, nonce });
    if (check.problems.length || !check.token) throw new KysoError('TSA_BAD_RESPONSE', `${shown}: ${check.problems.join('; ')}`);
    if (!check.token.tsaCertificate) throw new KysoError('TSA_BAD_RESPONSE', `${shown}: token without the TSA certificate although it was requested`);
    return { ...check.token, source: shown };
  }
}

/** The client for a TSA configuration (CLI flags, the agent's `timestamp` parameter, settings). */
export function createTimestampClient(settings: TsaSettings): TimestampClient {
  return new HttpTimestampClient(settings);
}
