/**
 * Chains a signer's, a TSA's certificate to a trust anchor at the time that matters (the TSA time, else the
 * claimed signing time), and checks revocation of each link: first from what the file carries (DSS OCSP
 * responses and CRLs, which name the issuer or a responder it delegated, so responders chain through it), then
 * online unless offline. A certificate is trusted only through an anchor the user chose or one Kyso ships;
 * a self-made certificate that merely copies a CA's name fails because its signature does not verify.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { certificateDerFields } from '../cert/der-fields.js';
import { parseCertificate } from '../cert/parse.js';
import { checkCrlFor, checkOcspResponse, type ParsedCrl, RevocationSource } from '../revocation/index.js';
import { certificateSerialHex } from '../revocation/x509-parts.js';
import { KysoError } from '../errors.js';
import { BUILT_IN_ANCHORS } from './anchors/built-in.js';

export interface TrustAnchor {
  der: Uint8Array;
  name: string;
  /** 'built-in' or the file it came from. */
  source: string;
  fingerprint: string;
}

export interface ChainLink {
  name: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  /** Valid at the time checked. */
  validAtTime: boolean;
  revocation: 'good' | 'revoked' | 'unknown' | 'not-needed';
  /** Where the revocation answer came from: the file (DSS or the CMS itself) or the network. */
  revocationSource?: 'file' | 'online';
  revokedAt?: Date;
}

export interface ChainCheck {
  trusted: boolean;
  /** The anchor reached. */
  anchor?: string;
  /** Leaf first. */
  chain: ChainLink[];
  /** Why it is not trusted (Vietnamese / English), or warnings when trusted. */
  problems: string[];
}

export interface RevocationMaterial { ocsps: Uint8Array[]; crls: ParsedCrl[] }

const sha256 = (der: Uint8Array): string => createHash('sha256').update(der).digest('hex');
const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Certificates in a PEM (any number) or DER file. */
export function parseAnchorFile(bytes: Uint8Array, source: string): TrustAnchor[] {
  const text = Buffer.from(bytes).toString('latin1');
  const ders = text.includes('-----BEGIN CERTIFICATE-----')
    ? [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s/g, ''), 'base64')))
    : [bytes];
  return ders.map((der) => {
    try {
      new X509Certificate(der);
      return { der, name: parseCertificate(der).subject.commonName ?? 'certificate', source, fingerprint: sha256(der) };
    } catch (cause) {
      throw new KysoError('BAD_REQUEST', `trust anchor ${source} is not a certificate`, { cause });
    }
  });
}

/** The built-in anchors whose certificate still hashes to the pinned fingerprint. */
export function builtInAnchors(): TrustAnchor[] {
  return BUILT_IN_ANCHORS.flatMap((a) => {
    const [anchor] = parseAnchorFile(Buffer.from(a.pem, 'latin1'), 'built-in');
    return anchor && anchor.fingerprint === a.sha256 ? [{ ...anchor, name: a.name }] : [];
  });
}

interface Parsed { der: Uint8Array; x: X509Certificate; subject: Uint8Array; issuer: Uint8Array }

function parse(der: Uint8Array): Parsed | undefined {
  try {
    const f = certificateDerFields(der);
    return { der, x: new X509Certificate(der), subject: f.subject, issuer: f.issuer };
  } catch { return undefined; }
}

/**
 * `cert` names `issuer` and carries its signature. Deliberately not X509Certificate.checkIssued: OpenSSL's check
 * also wants keyCertSign, which self-signed TSA certificates and some roots lack.
 */
function signedByIssuer(cert: Parsed, issuer: Parsed): boolean {
  if (!equalBytes(cert.issuer, issuer.subject)) return false;
  try { return cert.x.verify(issuer.x.publicKey); } catch { return false; }
}

const isSelfSigned = (c: Parsed): boolean => signedByIssuer(c, c);
const nameOf = (c: Parsed): string => { try { return parseCertificate(c.der).subject.commonName ?? 'certificate'; } catch { return 'certificate'; } };

/** Status of `cert` from the file's own revocation data (DSS), or undefined when it has none about it. */
function offlineStatus(cert: Uint8Array, issuer: Uint8Array, material: RevocationMaterial): Pick<ChainLink, 'revocation' | 'revokedAt'> | undefined {
  for (const o of material.ocsps) {
    try {
      const r = checkOcspResponse(o, cert, issuer, { anyTime: true });
      if (r.status !== 'unknown') return { revocation: r.status, ...(r.revocationTime ? { revokedAt: r.revocationTime } : {}) };
    } catch { /* about another certificate, or not from its issuer */ }
  }
  for (const crl of material.crls) {
    try {
      checkCrlFor(crl, cert, issuer, 'any-time');
      const entry = crl.revoked.get(certificateSerialHex(cert));
      return entry ? { revocation: 'revoked', ...(entry.date ? { revokedAt: entry.date } : {}) } : { revocation: 'good' };
    } catch { /* another issuer's CRL */ }
  }
  return undefined;
}

export interface ChainOptions {
  /** Time the certificates must be valid at. */
  at: Date;
  /** `at` comes from a TSA (a revocation after it does not matter); otherwise it is only claimed. */
  atIsTrusted: boolean;
  anchors: readonly TrustAnchor[];
  material: RevocationMaterial;
  /** Ask OCSP/CRL/caIssuers on the network (default false). */
  online?: boolean;
  source?: RevocationSource;
}

export async function checkChain(leaf: Uint8Array, pool: readonly Uint8Array[], options: ChainOptions): Promise<ChainCheck> {
  const problems: string[] = [];
  const anchors = options.anchors.map((a) => ({ a, p: parse(a.der) })).filter((x): x is { a: TrustAnchor; p: Parsed } => !!x.p);
  let candidates = pool.map(parse).filter((p): p is Parsed => !!p);
  const start = parse(leaf);
  if (!start) return { trusted: false, chain: [], problems: ['chứng thư không đọc được / certificate unreadable'] };

  const path: Parsed[] = [start];
  let anchor: TrustAnchor | undefined;
  for (let depth = 0; depth < 10; depth++) {
    const current = path[path.length - 1]!;
    const same = anchors.find(({ a }) => equalBytes(a.der, current.der));
    if (same) { anchor = same.a; break; }
    const viaAnchor = anchors.find(({ p }) => signedByIssuer(current, p));
    if (viaAnchor) { path.push(viaAnchor.p); anchor = viaAnchor.a; break; }
    if (isSelfSigned(current)) break;
    let next = candidates.find((c) => !path.some((p) => equalBytes(p.der, c.der)) && signedByIssuer(current, c));
    if (!next && options.online) {
      // The file lacks an intermediate: fetch it from the caIssuers URL the certificate names.
      const source = options.source ?? new RevocationSource({ at: new Date() });
      const fetched = (await source.chain(current.der, [])).map(parse).filter((p): p is Parsed => !!p);
      candidates = [...candidates, ...fetched];
      next = fetched.find((c) => signedByIssuer(current, c));
    }
    if (!next) break;
    path.push(next);
  }

  const top = path[path.length - 1]!;
  if (!anchor) {
    problems.push(isSelfSigned(top)
      ? `gốc "${nameOf(top)}" không nằm trong danh sách tin cậy / root "${nameOf(top)}" is not a trusted anchor`
      : `không tìm được chứng thư của tổ chức cấp cho "${nameOf(top)}" / the issuer of "${nameOf(top)}" was not found`);
  }
  let notCa = false;
  for (const c of path.slice(1, anchor ? -1 : undefined)) {
    if (!c.x.ca) notCa = true;
    if (!c.x.ca) problems.push(`"${nameOf(c)}" không phải chứng thư CA / is not a CA certificate`);
  }

  const chain: ChainLink[] = [];
  let revokedOrExpired = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    const notBefore = new Date(c.x.validFrom);
    const notAfter = new Date(c.x.validTo);
    const validAtTime = notBefore.getTime() <= options.at.getTime() && options.at.getTime() <= notAfter.getTime();
    const isAnchor = anchor !== undefined && i === path.length - 1;
    const link: ChainLink = { name: nameOf(c), fingerprint: sha256(c.der), notBefore, notAfter, validAtTime, revocation: isAnchor || isSelfSigned(c) ? 'not-needed' : 'unknown' };
    if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
      // An edited certificate (month 13, letters for digits): no valid window at all, said as such, never a crash.
      revokedOrExpired = true;
      problems.push(`"${link.name}": ngày hiệu lực không hợp lệ / its validity dates are not valid times (${c.x.validFrom} – ${c.x.validTo})`);
    } else if (!validAtTime && !isAnchor) {
      revokedOrExpired = true;
      problems.push(`"${link.name}" không còn/chưa có hiệu lực lúc ký / was not valid at the signing time (${notBefore.toISOString()} – ${notAfter.toISOString()})`);
    }
    const issuer = path[i + 1];
    if (link.revocation === 'unknown' && issuer) {
      const offline = offlineStatus(c.der, issuer.der, options.material);
      if (offline) Object.assign(link, offline, { revocationSource: 'file' });
      else if (options.online) {
        const source = options.source ?? new RevocationSource({ at: new Date() });
        const s = await source.status(c.der, issuer.der);
        if (s.status !== 'unknown') Object.assign(link, { revocation: s.status, revocationSource: 'online', ...(s.revocationTime ? { revokedAt: s.revocationTime } : {}) });
      }
      if ((link.revocation as ChainLink['revocation']) === 'revoked') {
        // Revoked after a TSA-proven signing time: the signature was made while the certificate was good.
        const before = !link.revokedAt || !options.atIsTrusted || link.revokedAt.getTime() <= options.at.getTime();
        if (before) { revokedOrExpired = true; problems.push(`"${link.name}" đã bị thu hồi / has been revoked${link.revokedAt ? ` (${link.revokedAt.toISOString()})` : ''}`); }
      }
    }
    if (link.revocation === 'unknown') {
      problems.push(`chưa kiểm tra được tình trạng thu hồi của "${link.name}" / revocation of "${link.name}" unknown${options.online ? '' : ' (offline)'}`);
    }
    chain.push(link);
  }
  return { trusted: !!anchor && !revokedOrExpired && !notCa, ...(anchor ? { anchor: anchor.name } : {}), chain, problems };
}
