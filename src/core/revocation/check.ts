/**
 * The checks on a certificate before it signs (issue: "expired and revoked stop the signature with a clear
 * message; other problems warn"). Not yet valid only warns: it is usually the computer's clock, and the
 * user decides. Revocation is asked online (OCSP, then CRL) and is `unknown` offline.
 */
import { KysoError } from '../errors.js';
import { canSignDocuments, parseCertificate, validityState } from '../cert/parse.js';
import { RevocationSource, type RevocationStatus } from './source.js';
import { isSelfSigned } from './x509-parts.js';

export type CertificateProblemCode =
  | 'expired' | 'not-yet-valid' | 'revoked' | 'key-usage' | 'issuer-unknown' | 'revocation-unknown' | 'revocation-not-checked';

export interface CertificateProblem {
  code: CertificateProblemCode;
  /** error: signing stops; warning: the user should be told; info: worth a line in a report. */
  severity: 'error' | 'warning' | 'info';
  vi: string;
  en: string;
  detail?: string;
}

export interface CertificateCheck {
  /** blocked: an error problem; warning: at least one warning; ok otherwise. */
  status: 'ok' | 'warning' | 'blocked';
  problems: CertificateProblem[];
  /** The issuing chain used (nearest first), completed from AIA when online. */
  chain: Uint8Array[];
  revocation?: RevocationStatus;
}

export interface CheckOptions {
  /** Ask OCSP responders and CRL distribution points (default false). */
  online?: boolean;
  at?: Date;
  /** Shares fetched answers with a later DSS; a new one is made otherwise. */
  source?: RevocationSource;
}

const MESSAGES: Record<CertificateProblemCode, [vi: string, en: string]> = {
  'expired': ['Chứng thư số đã hết hạn.', 'The certificate has expired.'],
  'not-yet-valid': ['Chứng thư số chưa có hiệu lực (hãy kiểm tra đồng hồ của máy tính).', 'The certificate is not yet valid (check the computer’s clock).'],
  'revoked': ['Chứng thư số đã bị thu hồi.', 'The certificate has been revoked.'],
  'key-usage': ['Chứng thư số không dành cho ký số (thiếu digitalSignature/nonRepudiation).', 'The certificate is not meant for signing (no digitalSignature/nonRepudiation key usage).'],
  'issuer-unknown': ['Không tìm thấy chứng thư của tổ chức cấp, nên chưa kiểm tra được tình trạng thu hồi.', 'The issuer’s certificate was not found, so revocation could not be checked.'],
  'revocation-unknown': ['Không kiểm tra được chứng thư số có bị thu hồi hay không.', 'Whether the certificate is revoked could not be determined.'],
  'revocation-not-checked': ['Chưa kiểm tra tình trạng thu hồi (không trực tuyến).', 'Revocation was not checked (offline).'],
};

const problem = (code: CertificateProblemCode, severity: CertificateProblem['severity'], detail?: string): CertificateProblem =>
  ({ code, severity, vi: MESSAGES[code][0], en: MESSAGES[code][1], ...(detail ? { detail } : {}) });

export async function checkCertificate(cert: Uint8Array, chain: readonly Uint8Array[], options: CheckOptions = {}): Promise<CertificateCheck> {
  const at = options.at ?? new Date();
  const info = parseCertificate(cert);
  const problems: CertificateProblem[] = [];
  const validity = validityState(info, at);
  if (validity === 'expired') problems.push(problem('expired', 'error', `notAfter ${info.notAfter.toISOString()}`));
  if (validity === 'not-yet-valid') problems.push(problem('not-yet-valid', 'warning', `notBefore ${info.notBefore.toISOString()}`));
  if (!canSignDocuments(info)) problems.push(problem('key-usage', 'warning', info.keyUsage.join(', ') || (info.isCa ? 'CA certificate' : undefined)));

  let fullChain = [...chain];
  let revocation: RevocationStatus | undefined;
  if (!options.online) {
    problems.push(problem('revocation-not-checked', 'info'));
  } else if (validity !== 'expired') { // an expired certificate's revocation no longer matters, and CAs drop it from CRLs
    const source = options.source ?? new RevocationSource({ at });
    fullChain = await source.chain(cert, chain);
    const issuer = fullChain[0];
    if (!issuer || isSelfSigned(cert)) {
      problems.push(problem('issuer-unknown', 'warning'));
    } else {
      revocation = await source.status(cert, issuer);
      if (revocation.status === 'revoked') {
        const when = revocation.revocationTime ? `revoked ${revocation.revocationTime.toISOString()}` : 'revoked';
        problems.push(problem('revoked', 'error', `${when} (${revocation.via?.toUpperCase()})`));
      } else if (revocation.status === 'unknown') {
        problems.push(problem('revocation-unknown', 'warning', revocation.problems.join('; ')));
      }
    }
  }
  const status = problems.some((p) => p.severity === 'error') ? 'blocked' : problems.some((p) => p.severity === 'warning') ? 'warning' : 'ok';
  return { status, problems, chain: fullChain, ...(revocation ? { revocation } : {}) };
}

/** Throws the error that stops signing (CERTIFICATE_REVOKED before CERTIFICATE_EXPIRED), if any. */
export function assertMaySign(check: CertificateCheck): void {
  const revoked = check.problems.find((p) => p.code === 'revoked');
  if (revoked) throw new KysoError('CERTIFICATE_REVOKED', revoked.detail);
  const expired = check.problems.find((p) => p.code === 'expired');
  if (expired) throw new KysoError('CERTIFICATE_EXPIRED', expired.detail);
}
