/**
 * `certificates.list`: the signing certificates on the tokens plugged in and those of the remote signing accounts
 * the user added, for a site the user allowed.
 */
import { validityState } from '../../core/cert/parse.js';
import type { SubjectFields } from '../../core/cert/parse.js';
import { isRemote, type SigningCertificate } from '../signing-certificate.js';
import type { ResultOf } from '../protocol.js';
import type { AgentParts, RequestContext } from './context.js';
import { ensureConsent, signingCertificates, toBase64 } from './common.js';

type Certificate = ResultOf<'certificates.list'>['certificates'][number];

export function subjectView(s: SubjectFields): Certificate['subject'] {
  const out: Certificate['subject'] = { identifiers: { ...s.identifiers } };
  for (const k of ['commonName', 'organization', 'organizationalUnit', 'title', 'email', 'locality', 'province', 'country'] as const) {
    const v = s[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function certificateView(c: SigningCertificate, now: Date = new Date()): Certificate {
  return {
    id: c.id,
    subject: subjectView(c.info.subject),
    issuer: subjectView(c.info.issuer),
    serialNumber: c.info.serialNumber,
    notBefore: c.info.notBefore.toISOString(),
    notAfter: c.info.notAfter.toISOString(),
    validity: validityState(c.info, now),
    keyUsage: [...c.info.keyUsage],
    keyType: c.info.keyType,
    keySize: c.info.keySize,
    ...(isRemote(c)
      ? { kind: 'remote' as const, remote: { provider: { id: c.provider.id, name: c.provider.name, app: c.provider.app }, account: c.account.label, multiSign: Math.max(1, c.multiSign) } }
      : { kind: 'token' as const, token: { label: c.token.label, manufacturer: c.token.manufacturer, pinState: c.token.pinState } }),
    certificate: toBase64(c.der),
  };
}

export async function certificatesList(parts: AgentParts, ctx: RequestContext): Promise<ResultOf<'certificates.list'>> {
  await ensureConsent(parts, ctx);
  // Reading the token goes through the queue like any token operation.
  const certs = await parts.queue.run({
    signal: ctx.signal,
    run: async (signal) => signingCertificates(parts, signal, { emptyIsError: false }),
  });
  return { certificates: certs.map((c) => certificateView(c)) };
}
