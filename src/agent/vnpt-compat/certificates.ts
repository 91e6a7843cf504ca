/**
 * The plugin's certificate functions, read from the token after the site's consent: the certificate object
 * pages read (`serial`, `subjectCN`, `issuerCN`, `notBefore`, `notAfter`, `base64`, and `signatureAlgorithm`,
 * `keyUsage` that one portal shows), one certificate by serial, or the one the user chooses in Kyso's window.
 */
import { KysoError } from '../../core/errors.js';
import { children, decodeOid, readTlv } from '../../core/der.js';
import type { KeyUsage } from '../../core/cert/parse.js';
import { askCertificate, ensureConsent, signingCertificates, toBase64 } from '../methods/common.js';
import { throwIfAborted } from '../abortable.js';
import type { AgentParts, RequestContext } from '../methods/context.js';
import type { SigningCertificate } from '../signing-certificate.js';

export interface CallContext {
  parts: AgentParts;
  ctx: RequestContext;
  /** Fields for the call's log line (never arguments or document content). */
  note(fields: Record<string, string | number | boolean>): void;
}

/** Serial numbers as pages write them: any case, with or without separators and leading zeros. */
const normalizeSerial = (s: string): string => s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+(?=.)/, '');

/**
 * The serial as the plugin shows it: whole bytes in upper-case hex, as Windows' certificate store does, so a
 * serial whose first byte is below 0x10 keeps its leading zero (a portal may compare it with a stored record).
 */
export const pluginSerial = (c: SigningCertificate): string => {
  const hex = normalizeSerial(c.info.serialNumber);
  return (hex.length % 2 === 1 ? `0${hex}` : hex).toUpperCase();
};

const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1RSA',
  '1.2.840.113549.1.1.11': 'sha256RSA',
  '1.2.840.113549.1.1.12': 'sha384RSA',
  '1.2.840.113549.1.1.13': 'sha512RSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.3.2': 'sha256ECDSA',
  '1.2.840.10045.4.3.3': 'sha384ECDSA',
  '1.2.840.10045.4.3.4': 'sha512ECDSA',
};

const KEY_USAGE_TEXT: Readonly<Record<KeyUsage, string>> = {
  digitalSignature: 'Digital Signature',
  nonRepudiation: 'Non-Repudiation',
  keyEncipherment: 'Key Encipherment',
  dataEncipherment: 'Data Encipherment',
  keyAgreement: 'Key Agreement',
  keyCertSign: 'Certificate Signing',
  cRLSign: 'CRL Signing',
};

function signatureAlgorithm(der: Uint8Array): string {
  try {
    const [, alg] = children(der, readTlv(der, 0));
    const oid = decodeOid(der, children(der, alg!)[0]!);
    return SIGNATURE_ALGORITHMS[oid] ?? oid;
  } catch {
    return '';
  }
}

interface PluginCertificate {
  serial: string;
  subjectCN: string;
  issuerCN: string;
  organization: string;
  email: string;
  notBefore: string;
  notAfter: string;
  signatureAlgorithm: string;
  keyUsage: string;
  base64: string;
}

export function pluginCertificate(c: SigningCertificate): PluginCertificate {
  const { info } = c;
  return {
    serial: pluginSerial(c),
    subjectCN: info.subject.commonName ?? '',
    issuerCN: info.issuer.commonName ?? '',
    organization: info.subject.organization ?? '',
    email: info.subject.email ?? '',
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    signatureAlgorithm: signatureAlgorithm(c.der),
    keyUsage: info.keyUsage.map((k) => KEY_USAGE_TEXT[k]).join(', '),
    base64: toBase64(c.der),
  };
}

/**
 * Every certificate on the tokens plugged in and of the remote signing accounts, after the site's consent: a
 * page written for the plugin sees a remote certificate as one more certificate, in the same shape.
 */
export async function tokenCertificates(call: CallContext): Promise<SigningCertificate[]> {
  const { parts, ctx } = call;
  await ensureConsent(parts, ctx);
  return parts.queue.run({ signal: ctx.signal, run: async (signal) => signingCertificates(parts, signal) });
}

/** The certificate a page names by serial (after consent). */
export async function bySerial(call: CallContext, serial: string): Promise<SigningCertificate> {
  const want = normalizeSerial(serial);
  const c = (await tokenCertificates(call)).find((x) => normalizeSerial(x.info.serialNumber) === want);
  if (!c) throw new KysoError('CERTIFICATE_NOT_FOUND', 'no certificate with that serial number on the tokens plugged in or the remote signing accounts');
  return c;
}

/** The user picks a certificate in Kyso's window (after consent). */
export async function chosenCertificate(call: CallContext): Promise<SigningCertificate> {
  const { parts, ctx } = call;
  await ensureConsent(parts, ctx);
  return parts.queue.run({
    signal: ctx.signal,
    run: async (signal) => {
      const c = await askCertificate(parts, ctx, await signingCertificates(parts, signal, { emptyIsError: true }), signal);
      throwIfAborted(signal);
      return c;
    },
  });
}
