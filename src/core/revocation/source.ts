/**
 * Where revocation data comes from: the certificates' own AIA OCSP URLs and CRL distribution points, and
 * the issuers' certificates from AIA caIssuers when the token or the CMS lacks them. One RevocationSource
 * serves one operation (the pre-signing check and then the DSS of the same signature), so nothing is
 * fetched twice; answers are checked before they are believed or embedded.
 */
import { X509Certificate } from 'node:crypto';
import { HttpTooLarge, HttpUnreachable, httpRequest, redactUrl } from '../net/http.js';
import { parseSignedData } from '../cms/verify.js';
import { buildChain } from '../cert/chain.js';
import { authorityInfoAccess, crlDistributionPoints } from './extensions.js';
import { buildOcspRequest, checkOcspResponse, newNonce, type CertStatus, type OcspResult } from './ocsp.js';
import { checkCrlFor, parseCrl, type ParsedCrl } from './crl.js';
import { certificateSerialHex, isSelfSigned } from './x509-parts.js';

export interface RevocationStatus {
  status: CertStatus;
  via?: 'ocsp' | 'crl';
  revocationTime?: Date;
  revocationReason?: number;
  ocsp?: OcspResult;
  crl?: ParsedCrl;
  /** What was tried and failed, in order (a responder down, a CRL out of date…). */
  problems: string[];
}

export interface RevocationSourceOptions {
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Time the answers must be current at (default now). */
  at?: Date;
  /** Largest CRL accepted (default 20 MB). */
  maxCrlBytes?: number;
}

const fp = (der: Uint8Array): string => new X509Certificate(der).fingerprint256;

export class RevocationSource {
  private readonly statuses = new Map<string, Promise<RevocationStatus>>();
  private readonly crls = new Map<string, Promise<ParsedCrl>>();
  private readonly issuers = new Map<string, Promise<Uint8Array[]>>();

  constructor(private readonly options: RevocationSourceOptions = {}) {}

  private get timeoutMs(): number { return this.options.timeoutMs ?? 10_000; }

  /** Revocation status of `cert`: OCSP first (each AIA responder in turn), then each CRL distribution point. */
  status(cert: Uint8Array, issuer: Uint8Array): Promise<RevocationStatus> {
    const key = fp(cert);
    let p = this.statuses.get(key);
    if (!p) { p = this.lookup(cert, issuer); this.statuses.set(key, p); }
    return p;
  }

  private async lookup(cert: Uint8Array, issuer: Uint8Array): Promise<RevocationStatus> {
    const problems: string[] = [];
    const { ocsp } = authorityInfoAccess(cert);
    for (const url of ocsp) {
      try {
        const nonce = newNonce();
        const res = await httpRequest({
          url, method: 'POST', body: buildOcspRequest(cert, issuer, nonce),
          headers: { 'Content-Type': 'application/ocsp-request', Accept: 'application/ocsp-response' },
          timeoutMs: this.timeoutMs, maxBytes: 1024 * 1024,
        });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        const result = checkOcspResponse(res.body, cert, issuer, { nonce, ...(this.options.at ? { at: this.options.at } : {}) });
        if (result.status === 'unknown') { problems.push(`OCSP ${redactUrl(url)}: certificate unknown to the responder`); continue; }
        return {
          status: result.status, via: 'ocsp', ocsp: result, problems,
          ...(result.revocationTime ? { revocationTime: result.revocationTime } : {}),
          ...(result.revocationReason !== undefined ? { revocationReason: result.revocationReason } : {}),
        };
      } catch (e) {
        problems.push(`OCSP ${redactUrl(url)}: ${describe(e)}`);
      }
    }
    for (const url of crlDistributionPoints(cert)) {
      try {
        const crl = await this.crl(url);
        checkCrlFor(crl, cert, issuer, this.options.at);
        const entry = crl.revoked.get(certificateSerialHex(cert));
        return {
          status: entry ? 'revoked' : 'good', via: 'crl', crl, problems,
          ...(entry?.date ? { revocationTime: entry.date } : {}),
          ...(entry?.reason !== undefined ? { revocationReason: entry.reason } : {}),
        };
      } catch (e) {
        problems.push(`CRL ${redactUrl(url)}: ${describe(e)}`);
      }
    }
    if (ocsp.length === 0 && crlDistributionPoints(cert).length === 0) problems.push('certificate names no OCSP responder and no CRL');
    return { status: 'unknown', problems };
  }

  /** A CRL by URL, fetched once per source. */
  crl(url: string): Promise<ParsedCrl> {
    let p = this.crls.get(url);
    if (!p) {
      p = (async () => {
        const res = await httpRequest({ url, timeoutMs: this.timeoutMs, maxBytes: this.options.maxCrlBytes ?? 20 * 1024 * 1024 });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        return parseCrl(res.body);
      })();
      this.crls.set(url, p);
    }
    return p;
  }

  /**
   * The chain above `cert`, nearest issuer first, from `pool` and, where a link is missing, from the AIA
   * caIssuers URLs. Stops at a self-signed certificate or a link that cannot be found.
   */
  async chain(cert: Uint8Array, pool: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const known = [...pool];
    for (let depth = 0; depth < 8; depth++) {
      const chain = buildChain(cert, known);
      const top = chain[chain.length - 1] ?? cert;
      if (isSelfSigned(top)) return chain;
      const fetched = await this.caIssuers(top);
      const fresh = fetched.filter((c) => !known.some((k) => Buffer.compare(Buffer.from(k), Buffer.from(c)) === 0));
      if (fresh.length === 0) return chain;
      known.push(...fresh);
    }
    return buildChain(cert, known);
  }

  private caIssuers(cert: Uint8Array): Promise<Uint8Array[]> {
    const key = fp(cert);
    let p = this.issuers.get(key);
    if (!p) {
      p = (async () => {
        const out: Uint8Array[] = [];
        for (const url of authorityInfoAccess(cert).caIssuers) {
          try {
            const res = await httpRequest({ url, timeoutMs: this.timeoutMs, maxBytes: 1024 * 1024 });
            if (res.status === 200) out.push(...certificatesIn(res.body));
          } catch { /* another URL may work; a missing issuer is reported by the caller */ }
        }
        return out;
      })();
      this.issuers.set(key, p);
    }
    return p;
  }
}

/** Certificates in a caIssuers answer: DER, PEM, or a PKCS#7 certs-only bundle (.p7c). */
export function certificatesIn(body: Uint8Array): Uint8Array[] {
  const text = Buffer.from(body.subarray(0, 64)).toString('latin1');
  if (text.includes('-----BEGIN')) {
    return [...Buffer.from(body).toString('latin1').matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)]
      .map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s/g, ''), 'base64')));
  }
  try { new X509Certificate(body); return [body]; } catch { /* not a single certificate */ }
  try { return parseSignedData(body).certificates; } catch { return []; }
}

function describe(e: unknown): string {
  if (e instanceof HttpUnreachable || e instanceof HttpTooLarge) return e.message;
  return (e as Error)?.message ?? String(e);
}
