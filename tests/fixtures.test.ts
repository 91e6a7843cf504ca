/**
 * Checks the fixtures built by tests/setup/global.ts: the PKI (Vietnamese UTF8String names,
 * chains, key usage), the NSS trust db and the SoftHSM token contents.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate as AsnCertificate } from '@peculiar/asn1-x509';
import { fixtures, softhsmEnv, type SignerFixture } from './helpers/fixtures.js';

const EXPECTED = {
  rsa: { cn: 'NGUYỄN THỊ ÁNH TUYẾT', keyType: 'RSA', alg: 'RSASSA-PKCS1-v1_5', curve: undefined, uid: 'CCCD:001190012345' },
  ec256: { cn: 'TRẦN VĂN ĐỨC', keyType: 'EC', alg: 'ECDSA', curve: 'P-256', uid: 'MST:0101234567' },
  ec384: { cn: 'LÊ HOÀNG PHƯƠNG', keyType: 'EC', alg: 'ECDSA', curve: 'P-384', uid: 'CMND:012345678' },
} as const;
type SignerName = keyof typeof EXPECTED;
const NAMES = Object.keys(EXPECTED) as SignerName[];

// @peculiar/x509 resolves its algorithms through tsyringe, which throws on import unless a
// Reflect metadata polyfill (reflect-metadata, @abraham/reflection, core-js) is loaded, and the
// project installs none. This minimal shim covers what tsyringe's @injectable uses; it is
// installed only if no polyfill is present, and the module is imported after it.
const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const own = (t: object) => store.get(t) ?? store.set(t, new Map()).get(t)!;
  R.defineMetadata = (k: unknown, v: unknown, t: object) => void own(t).set(k, v);
  R.getOwnMetadata = (k: unknown, t: object) => store.get(t)?.get(k);
  R.getMetadata = (k: unknown, t: object) => {
    for (let o: object | null = t; o; o = Object.getPrototypeOf(o)) if (store.get(o)?.has(k)) return store.get(o)!.get(k);
    return undefined;
  };
  R.metadata = (k: unknown, v: unknown) => (t: object) => void own(t).set(k, v);
}
const {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate,
} = await import('@peculiar/x509');

const fx = fixtures();
const work = mkdtempSync(path.join(tmpdir(), 'kyso-fixtures-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const loadCert = (file: string) => new X509Certificate(readFileSync(file, 'utf8'));

/** ASN.1 string choice used for each CN in the subject (utf8String, printableString, ...). */
function cnEncodings(file: string): string[] {
  const asn = AsnConvert.parse(loadCert(file).rawData, AsnCertificate);
  return asn.tbsCertificate.subject
    .flatMap((rdn) => [...rdn])
    .filter((atv) => atv.type === '2.5.4.3') // id-at-commonName
    .map((atv) => Object.entries(atv.value).find(([, v]) => v !== undefined)?.[0] ?? 'none');
}

function pkcs11(args: string[], login = true): string {
  const { module, tokenLabel, pin } = fx.softhsm;
  return execFileSync('pkcs11-tool', ['--module', module, '--token-label', tokenLabel, ...(login ? ['--login', '--pin', pin] : []), ...args], {
    env: softhsmEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface P11Object { kind: string; label?: string; id?: string }
/** Parses `pkcs11-tool --list-objects` output into objects. */
function parseObjects(out: string): P11Object[] {
  const objs: P11Object[] = [];
  for (const line of out.split('\n')) {
    const head = /^(Private Key|Public Key|Certificate|Data) Object/.exec(line);
    if (head) objs.push({ kind: head[1]! });
    const attr = /^\s+(label|ID):\s+(.*)$/.exec(line);
    const cur = objs.at(-1);
    if (attr && cur) cur[attr[1] === 'ID' ? 'id' : 'label'] = attr[2]!.trim();
  }
  return objs;
}

describe('manifest', () => {
  it('uses absolute paths that exist', () => {
    const { pki, softhsm } = fx;
    const files = [pki.rootCa, pki.subCa, pki.presignerP12, softhsm.conf, softhsm.module,
      ...NAMES.flatMap((n) => [pki.signers[n].cert, pki.signers[n].key])];
    for (const f of files) {
      expect(path.isAbsolute(f), f).toBe(true);
      expect(existsSync(f), f).toBe(true);
    }
    expect(pki.nssdb).toMatch(/^sql:\//);
    expect(existsSync(path.join(pki.nssdb.slice(4), 'cert9.db'))).toBe(true);
    expect(path.isAbsolute(fx.corpus.dir)).toBe(true);
    for (const e of fx.corpus.entries) expect(path.isAbsolute(e.file) && existsSync(e.file), e.file).toBe(true);
  });

  it('points SoftHSM at the cache token dir', () => {
    const conf = readFileSync(fx.softhsm.conf, 'utf8');
    expect(conf).toContain(`directories.tokendir = ${path.join(path.dirname(fx.softhsm.conf), 'tokens')}`);
    expect(conf).toContain('objectstore.backend = file');
    expect(process.env.SOFTHSM2_CONF ?? fx.softhsm.conf).toBe(fx.softhsm.conf);
  });
});

describe('PKI', () => {
  it.each(NAMES)('%s: CN has Vietnamese diacritics, NFC, UTF8String', (name) => {
    const s: SignerFixture = fx.pki.signers[name];
    const cert = loadCert(s.cert);
    expect(s.cn).toBe(EXPECTED[name].cn);
    expect(s.cn).toBe(s.cn.normalize('NFC'));
    expect(s.cn).toMatch(/[^\x00-\x7f]/);
    expect(cert.subjectName.getField('CN')).toEqual([EXPECTED[name].cn]);
    expect(cert.subjectName.getField('0.9.2342.19200300.100.1.1')).toEqual([EXPECTED[name].uid]);
    expect(cnEncodings(s.cert)).toEqual(['utf8String']);
    expect(cert.issuerName.getField('CN')).toEqual(['Kyso Test Sub CA — Ký số']);
  });

  it('CA names are UTF8String too', () => {
    expect(cnEncodings(fx.pki.subCa)).toEqual(['utf8String']);
    expect(loadCert(fx.pki.subCa).subjectName.getField('O')).toEqual(['Công ty Kiểm thử Kyso']);
    expect(loadCert(fx.pki.rootCa).subjectName.getField('CN')).toEqual(['Kyso Test Root CA']);
  });

  it.each(NAMES)('%s: key type, key file matches certificate, extensions, validity', async (name) => {
    const s = fx.pki.signers[name];
    const cert = loadCert(s.cert);
    expect(s.keyType).toBe(EXPECTED[name].keyType);
    const alg = cert.publicKey.algorithm as { name: string; namedCurve?: string };
    expect(alg.name).toBe(EXPECTED[name].alg);
    expect(alg.namedCurve).toBe(EXPECTED[name].curve);

    const keyPem = readFileSync(s.key, 'utf8');
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/); // PKCS#8
    const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    expect(Buffer.from(spki).equals(Buffer.from(cert.publicKey.rawData))).toBe(true);

    const ku = cert.getExtension(KeyUsagesExtension)!;
    expect(ku.critical).toBe(true);
    expect(ku.usages).toBe(KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation);
    expect(cert.getExtension(ExtendedKeyUsageExtension)!.usages).toContain(ExtendedKeyUsage.emailProtection);
    expect(cert.getExtension('2.5.29.14')).toBeTruthy(); // SKI
    expect(cert.getExtension('2.5.29.35')).toBeTruthy(); // AKI

    const now = Date.now();
    expect(cert.notBefore.getTime()).toBeLessThan(now - 12 * 3600_000);
    expect(cert.notAfter.getTime()).toBeGreaterThan(now + 365 * 86400_000);
  });

  it('CAs are critical CA:true and self-consistent', async () => {
    for (const f of [fx.pki.rootCa, fx.pki.subCa]) {
      const bc = loadCert(f).getExtension(BasicConstraintsExtension)!;
      expect(bc.critical).toBe(true);
      expect(bc.ca).toBe(true);
    }
    expect(await loadCert(fx.pki.rootCa).isSelfSigned()).toBe(true);
  });

  it('every signer and the pre-signer chain to the root (openssl verify)', () => {
    const presigner = path.join(work, 'presigner.pem');
    writeFileSync(
      presigner,
      execFileSync('openssl', ['pkcs12', '-in', fx.pki.presignerP12, '-passin', 'pass:kyso', '-nokeys', '-clcerts'], { encoding: 'utf8' }),
    );
    expect(loadCert(presigner).subjectName.getField('CN')).toEqual(['PHẠM MINH KHÔI']);
    for (const leaf of [...NAMES.map((n) => fx.pki.signers[n].cert), presigner]) {
      const out = execFileSync('openssl', ['verify', '-CAfile', fx.pki.rootCa, '-untrusted', fx.pki.subCa, leaf], { encoding: 'utf8' });
      expect(out.trim()).toBe(`${leaf}: OK`);
    }
  });

  it('pre-signer PKCS#12 carries key, leaf and the chain', () => {
    const out = execFileSync('openssl', ['pkcs12', '-in', fx.pki.presignerP12, '-passin', 'pass:kyso', '-nodes'], { encoding: 'utf8' });
    expect(out.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
    expect(out).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('NSS db trusts the root CA', () => {
    const out = execFileSync('certutil', ['-L', '-d', fx.pki.nssdb], { encoding: 'utf8' });
    expect(out).toMatch(/Kyso Test Root CA\s+CT,C,C/);
    expect(out).toContain('Kyso Test Sub CA');
  });
});

describe('SoftHSM token', () => {
  it('lists the 3 key/cert pairs paired by CKA_ID, with differing labels', () => {
    const objs = parseObjects(pkcs11(['--list-objects']));
    for (const name of NAMES) {
      const { id } = fx.pki.signers[name];
      const byId = objs.filter((o) => o.id === id);
      const key = byId.filter((o) => o.kind === 'Private Key');
      const cert = byId.filter((o) => o.kind === 'Certificate');
      expect(key, `${name} private key`).toHaveLength(1);
      expect(cert, `${name} certificate`).toHaveLength(1);
      expect(key[0]!.label).not.toBe(cert[0]!.label);
      expect(cert[0]!.label!.normalize('NFC')).toContain(EXPECTED[name].cn);
    }
    expect(objs.filter((o) => o.kind === 'Private Key')).toHaveLength(3);
    // Root and Sub CA certificates: on the token, no matching key.
    const keyIds = new Set(objs.filter((o) => o.kind === 'Private Key').map((o) => o.id));
    const caCerts = objs.filter((o) => o.kind === 'Certificate' && !keyIds.has(o.id));
    expect(caCerts.map((o) => o.label).sort()).toEqual(['Kyso Test Root CA', 'Kyso Test Sub CA — Ký số']);
  });

  it('private keys are hidden before login (CKA_PRIVATE)', () => {
    const objs = parseObjects(pkcs11(['--list-objects'], false));
    expect(objs.filter((o) => o.kind === 'Private Key')).toHaveLength(0);
    expect(objs.filter((o) => o.kind === 'Certificate')).toHaveLength(5);
  });

  it.each(NAMES)('%s: key signs on the token and verifies with the certificate', (name) => {
    const s = fx.pki.signers[name];
    const data = Buffer.from(`Kyso ký số ${name}`);
    const input = path.join(work, `${name}.in`);
    const sigFile = path.join(work, `${name}.sig`);
    const pub = createPublicKey(readFileSync(s.cert, 'utf8'));
    if (s.keyType === 'RSA') {
      writeFileSync(input, data);
      pkcs11(['--sign', '-m', 'SHA256-RSA-PKCS', '--id', s.id, '-i', input, '-o', sigFile]);
      expect(verify('sha256', data, pub, readFileSync(sigFile))).toBe(true);
    } else {
      const hash = name === 'ec384' ? 'sha384' : 'sha256';
      writeFileSync(input, createHash(hash).update(data).digest());
      pkcs11(['--sign', '-m', 'ECDSA', '--id', s.id, '--signature-format', 'openssl', '-i', input, '-o', sigFile]);
      expect(verify(hash, data, { key: pub, dsaEncoding: 'der' }, readFileSync(sigFile))).toBe(true);
    }
  });

  it('the empty token exists and has no objects', () => {
    const { module, emptyTokenLabel, pin } = fx.softhsm;
    const slots = execFileSync('pkcs11-tool', ['--module', module, '--list-token-slots'], { env: softhsmEnv(), encoding: 'utf8' });
    expect(slots).toContain(`token label        : ${fx.softhsm.tokenLabel}`);
    expect(slots).toContain(`token label        : ${emptyTokenLabel}`);
    const out = execFileSync(
      'pkcs11-tool',
      ['--module', module, '--token-label', emptyTokenLabel, '--login', '--pin', pin, '--list-objects'],
      { env: softhsmEnv(), encoding: 'utf8' },
    );
    expect(parseObjects(out)).toEqual([]);
  });
});
