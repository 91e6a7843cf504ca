/**
 * The loopback certificates, made in memory: a one-machine CA and the server certificate it issues for
 * `localhost`, `127.0.0.1` and `::1`. The CA's private key exists only inside `generateLoopbackCertificates`:
 * it signs the server certificate and is dropped, so nobody (not us, not malware reading the profile later)
 * can mint another certificate this machine trusts. A critical nameConstraints extension limits the CA to
 * loopback names even for verifiers that see it as a general root. Pure: keys from node:crypto, DER by hand.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { boolean, explicit, integer, octetString, oid, sequence, setOf, tlv, unsignedInteger } from '../../core/der.js';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** Browsers refuse server certificates valid for more than 398 days; a day of margin. */
export const MAX_SERVER_DAYS = 397;
const DAY_MS = 86_400_000;

/** The names the server certificate carries, and the only ones the CA may certify. */
export const LOOPBACK_NAMES = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } as const;

export interface LoopbackCertificates {
  /** The CA certificate (PEM) to install in trust stores. Its private key is gone. */
  caCert: string;
  /** The server's PKCS#8 private key (PEM) and certificate (PEM). */
  serverKey: string;
  serverCert: string;
  /** SHA-256 and SHA-1 of the CA certificate, hex, lowercase (stores delete by these). */
  caSha256: string;
  caSha1: string;
  /** The CA's common name: how the user recognizes it in a trust store, and how NSS names it. */
  caName: string;
  notBefore: Date;
  notAfter: Date;
}

export interface GenerateOptions {
  now?: Date;
  /** Server (and CA) lifetime; at most MAX_SERVER_DAYS. */
  days?: number;
}

export function generateLoopbackCertificates(options: GenerateOptions = {}): LoopbackCertificates {
  const days = Math.min(options.days ?? MAX_SERVER_DAYS, MAX_SERVER_DAYS);
  const now = options.now ?? new Date();
  // Back-date an hour: a clock a little behind must not see a certificate from the future.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 3600_000);
  const notAfter = new Date(notBefore.getTime() + days * DAY_MS);
  const tag = randomBytes(4).toString('hex');
  const caName = `Kyso Local CA ${notBefore.toISOString().slice(0, 10)} ${tag}`;
  const organization = 'Kyso – chỉ cho máy này (this computer only)';

  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caSpki = spkiDer(ca.publicKey);
  const serverSpki = spkiDer(server.publicKey);
  const caKeyId = keyIdentifier(caSpki);
  const caSubject = name(caName, organization);

  const caDer = issue(ca.privateKey, {
    issuer: caSubject, subject: caSubject, spki: caSpki, notBefore, notAfter: new Date(notAfter.getTime() + DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true), integer(0))),
      extension(OID.keyUsage, true, bitString(0x06, 1)), // keyCertSign, cRLSign
      extension(OID.nameConstraints, true, sequence(tlv(0xa0, ...permittedSubtrees()))),
      extension(OID.subjectKeyIdentifier, false, octetString(caKeyId)),
    ],
  });
  const serverDer = issue(ca.privateKey, {
    issuer: caSubject, subject: name('localhost', organization), spki: serverSpki, notBefore, notAfter,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, bitString(0x80, 7)), // digitalSignature
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(...generalNames())),
      extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, caKeyId))),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(serverSpki))),
    ],
  });
  return {
    caCert: pem('CERTIFICATE', caDer),
    serverKey: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    serverCert: pem('CERTIFICATE', serverDer),
    caSha256: createHash('sha256').update(caDer).digest('hex'),
    caSha1: createHash('sha1').update(caDer).digest('hex'),
    caName,
    notBefore,
    notAfter,
  };
}

interface CertificateFields {
  issuer: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  extensions: Uint8Array[];
}

function issue(signer: KeyObject, f: CertificateFields): Uint8Array {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // positive, 16 bytes at most (RFC 5280: ≤ 20 octets)
  const tbs = sequence(
    explicit(0, integer(2)),
    unsignedInteger(serial),
    algorithm,
    f.issuer,
    sequence(time(f.notBefore), time(f.notAfter)),
    f.subject,
    f.spki,
    explicit(3, sequence(...f.extensions)),
  );
  const signature = sign('sha256', tbs, { key: signer, dsaEncoding: 'der' });
  return sequence(tbs, algorithm, bitString(signature, 0));
}

function name(commonName: string, organization: string): Uint8Array {
  const rdn = (type: string, value: string): Uint8Array => setOf([sequence(oid(type), tlv(0x0c, Buffer.from(value, 'utf8')))]);
  return sequence(rdn(OID.organization, organization), rdn(OID.commonName, commonName));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** A BIT STRING from whole bytes (`unused` low bits of the last byte not counted). */
function bitString(bits: Uint8Array | number, unused: number): Uint8Array {
  const body = typeof bits === 'number' ? Uint8Array.of(bits) : bits;
  return tlv(0x03, Uint8Array.of(unused), body);
}

function generalNames(): Uint8Array[] {
  return [
    ...LOOPBACK_NAMES.dns.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
    ...LOOPBACK_NAMES.ip.map((ip) => tlv(0x87, ipBytes(ip))),
  ];
}

/** GeneralSubtrees: the DNS name, and each loopback address with an all-ones mask (RFC 5280 §4.2.1.10). */
function permittedSubtrees(): Uint8Array[] {
  return [
    ...LOOPBACK_NAMES.dns.map((d) => sequence(tlv(0x82, Buffer.from(d, 'ascii')))),
    ...LOOPBACK_NAMES.ip.map((ip) => {
      const address = ipBytes(ip);
      return sequence(tlv(0x87, address, new Uint8Array(address.length).fill(0xff)));
    }),
  ];
}

function ipBytes(ip: string): Uint8Array {
  if (ip.includes(':')) {
    // Only the forms used here: "::1".
    const out = new Uint8Array(16);
    out[15] = Number.parseInt(ip.split(':').pop()!, 16);
    return out;
  }
  return Uint8Array.from(ip.split('.').map(Number));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Uint8Array {
  const iso = d.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

const spkiDer = (key: KeyObject): Uint8Array => new Uint8Array(key.export({ type: 'spki', format: 'der' }));

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Uint8Array): Uint8Array {
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }: the BIT STRING is the last element; for P-256 its
  // content is 0x00 followed by the 65-byte point, which ends the SPKI.
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
