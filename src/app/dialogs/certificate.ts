/** The certificate picker: holder, CCCD/MST, issuer, validity and token (or remote provider) of each certificate; returns one of them. */
import * as z from 'zod';
import { validityState } from '../../core/cert/parse.js';
import { isRemote, type SigningCertificate } from '../../agent/signing-certificate.js';
import type { CertificateDialogRequest, CertificateDialogResult, CertificateView } from '../../ui/kit/protocol.js';
import type { DialogSpec } from '../dialog-host.js';

/** What the user is shown of a certificate: names and dates, never the DER. */
export function certificateView(cert: SigningCertificate, now: Date = new Date()): CertificateView {
  const { info } = cert;
  const s = info.subject;
  return {
    id: cert.id,
    commonName: s.commonName ?? s.organization ?? info.serialNumber,
    identifiers: { ...s.identifiers },
    ...(s.organization ? { organization: s.organization } : {}),
    ...(s.title ? { title: s.title } : {}),
    ...(s.email ? { email: s.email } : {}),
    issuer: info.issuer.commonName ?? info.issuer.organization ?? '',
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    state: validityState(info, now),
    ...(isRemote(cert)
      ? { remote: { provider: cert.provider.name, app: cert.provider.app, account: cert.account.label } }
      : { token: cert.token.vendor && cert.token.vendor !== 'user' ? `${cert.token.label} (${cert.token.vendor})` : cert.token.label }),
    key: `${info.keyType} ${info.keySize}`,
    serialNumber: info.serialNumber,
  };
}

const resultSchema = z.object({ certificateId: z.string().min(1).max(200) }).strict();

export const certificateDialog: DialogSpec<CertificateDialogRequest, CertificateDialogResult> = {
  kind: 'certificate',
  parse: (raw, request) => {
    const result = resultSchema.parse(raw);
    const chosen = request.certificates.find((c) => c.id === result.certificateId);
    if (!chosen) throw new Error('not one of the certificates offered');
    if (chosen.state !== 'valid') throw new Error(`the certificate is ${chosen.state}`);
    return result;
  },
};
