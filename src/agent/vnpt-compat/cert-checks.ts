/**
 * The plugin's certificate checks (functions 14–22), answered with its bare status numbers (results.ts
 * CERT_STATUS): validity at a time, revocation by OCSP and by CRL, and all of them together. The checks are
 * real ones, through src/core/revocation: the certificate's own AIA and CRL distribution points, answers
 * verified against the issuer before they are believed.
 *
 * What a page cannot make Kyso do: fetch an OCSP or CRL URL the page names (`ocspUrl`, `crlUrl` are ignored;
 * Kyso would otherwise be a way for any site to reach addresses only this computer can), or check anything
 * before the user allowed the site (the serial forms read the token; the base64 forms make network requests
 * on the site's behalf). A CRL the page sends (`crlBase64`) is used only if the issuer signed it.
 */
import { KysoError } from '../../core/errors.js';
import { canSignDocuments, parseCertificate, validityState, type CertificateInfo } from '../../core/cert/parse.js';
import { authorityInfoAccess, checkCrlFor, crlDistributionPoints, parseCrl, RevocationSource, type ParsedCrl } from '../../core/revocation/index.js';
import { certificateSerialHex, isSelfSigned } from '../../core/revocation/x509-parts.js';
import { ensureConsent } from '../methods/common.js';
import { bySerial, type CallContext } from './certificates.js';
import { CERT_STATUS, type CertStatusCode } from './results.js';

type Check = 'validate' | 'time' | 'ocsp' | 'crl';

interface Subject { der: Uint8Array; info: CertificateInfo }

/** "dd/MM/yyyy HH:mm:ss" as pages write it (one-digit parts too), or ISO 8601; empty: now. */
function parseCheckTime(text: string | undefined): Date | undefined {
  if (!text || !text.trim()) return new Date();
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T-]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$/.exec(text.trim());
  if (m) {
    const [, d, mo, y, h = '0', mi = '0', s = '0'] = m;
    const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    return Number.isNaN(date.getTime()) || date.getDate() !== Number(d) ? undefined : date;
  }
  const iso = new Date(text.trim());
  return Number.isNaN(iso.getTime()) ? undefined : iso;
}

async function subject(call: CallContext, ref: string | undefined, base64: boolean): Promise<Subject | CertStatusCode> {
  if (!ref?.trim()) return CERT_STATUS.noCertificate;
  if (base64) {
    await ensureConsent(call.parts, call.ctx);
    try {
      const der = new Uint8Array(Buffer.from(ref.replace(/^-----BEGIN CERTIFICATE-----|-----END CERTIFICATE-----|\s/g, ''), 'base64'));
      return { der, info: parseCertificate(der) };
    } catch {
      return CERT_STATUS.noCertificate;
    }
  }
  try {
    const c = await bySerial(call, ref);
    return { der: c.der, info: c.info };
  } catch (err) {
    if (err instanceof KysoError && err.code === 'CERTIFICATE_NOT_FOUND') return CERT_STATUS.noCertificate;
    throw err;
  }
}

/** Revoked before `at` counts; revoked after it, the certificate was valid then. */
const revokedAt = (revocationTime: Date | undefined, at: Date): boolean => !revocationTime || revocationTime.getTime() <= at.getTime();

async function ocspStatus(source: RevocationSource, s: Subject, issuer: Uint8Array, at: Date): Promise<CertStatusCode> {
  if (authorityInfoAccess(s.der).ocsp.length === 0) return CERT_STATUS.noOcspUrl;
  const r = await source.status(s.der, issuer);
  if (r.via !== 'ocsp' || r.status === 'unknown') return CERT_STATUS.revocationFailed;
  return r.status === 'revoked' && revokedAt(r.revocationTime, at) ? CERT_STATUS.revoked : CERT_STATUS.valid;
}

async function crlStatus(source: RevocationSource, s: Subject, issuer: Uint8Array, at: Date, crlBase64: string | undefined): Promise<CertStatusCode> {
  const crls: Array<() => Promise<ParsedCrl>> = [];
  if (crlBase64?.trim()) crls.push(async () => parseCrl(new Uint8Array(Buffer.from(crlBase64, 'base64'))));
  for (const url of crlDistributionPoints(s.der)) crls.push(() => source.crl(url));
  for (const load of crls) {
    try {
      const crl = await load();
      checkCrlFor(crl, s.der, issuer);
      const entry = crl.revoked.get(certificateSerialHex(s.der));
      return entry && revokedAt(entry.date, at) ? CERT_STATUS.revoked : CERT_STATUS.valid;
    } catch { /* the next CRL may do */ }
  }
  return CERT_STATUS.revocationFailed;
}

async function run(call: CallContext, check: Check, args: readonly string[], base64: boolean): Promise<CertStatusCode> {
  const s = await subject(call, args[0], base64);
  if (typeof s === 'number') return s;
  const at = parseCheckTime(args[1]);
  if (!at) return CERT_STATUS.unknownError;

  if (check === 'time' || check === 'validate') {
    const validity = validityState(s.info, at);
    if (validity === 'expired') return CERT_STATUS.expired;
    if (validity === 'not-yet-valid') return CERT_STATUS.notYetValid;
    if (check === 'time') return CERT_STATUS.valid;
    if (!canSignDocuments(s.info)) return CERT_STATUS.noSigningUsage;
  }
  // Revocation as of now (responders answer about now; a past `at` only decides whether a revocation counts).
  const source = new RevocationSource();
  const chain = await source.chain(s.der, []);
  const issuer = chain[0];
  if (!issuer || isSelfSigned(s.der)) return CERT_STATUS.noIssuer;
  if (check === 'ocsp') return ocspStatus(source, s, issuer, at);
  if (check === 'crl') return crlStatus(source, s, issuer, at, args[3]);
  const r = await source.status(s.der, issuer);
  if (r.status === 'unknown') return CERT_STATUS.revocationFailed;
  return r.status === 'revoked' && revokedAt(r.revocationTime, at) ? CERT_STATUS.revoked : CERT_STATUS.valid;
}

/** A check function: its answer is the status number as text; an unexpected failure is "1". */
export function certificateCheck(check: Check, base64: boolean) {
  return async (call: CallContext, args: readonly string[]): Promise<string> => {
    try {
      return String(await run(call, check, args, base64));
    } catch (err) {
      call.note({ checkError: err instanceof KysoError ? err.code : 'INTERNAL' });
      return String(err instanceof KysoError && (err.code === 'ORIGIN_DENIED' || err.code === 'NO_TOKEN') ? CERT_STATUS.noCertificate : CERT_STATUS.unknownError);
    }
  };
}
