/** The token layer against a real PKCS#11 token (SoftHSM), provisioned from the test PKI. */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pkcs11js from 'pkcs11js';
import type { PublicKey, TokenService } from '../../src/core/token/token-service.js';
import { TokenService as Service } from '../../src/core/token/token-service.js';
import { isKysoError } from '../../src/core/errors.js';
import { Pkcs11Module } from '../../src/core/token/module.js';
import type { HashAlgorithm } from '../../src/core/signing-key.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId, openTestTokens, provisionOwnTokens, testKey, type SignerName } from '../helpers/token.js';

let tokens: TokenService;
beforeAll(() => { tokens = openTestTokens(); });
afterAll(() => tokens.close());

describe('listing', () => {
  it('lists both tokens with their flags', () => {
    const labels = tokens.tokens().map((t) => t.label).sort();
    expect(labels).toEqual([fixtures().softhsm.emptyTokenLabel, fixtures().softhsm.tokenLabel].sort());
    const t = tokens.tokens().find((x) => x.label === fixtures().softhsm.tokenLabel)!;
    expect(t.flags.loginRequired).toBe(true);
    expect(t.serial).toMatch(/\S/);
    expect(t.pinState).toBe('ok');
  });

  it('pairs each certificate with its key by CKA_ID although labels differ, and skips CA certificates', () => {
    const certs = tokens.certificates();
    const byId = new Map(certs.map((c) => [c.id, c]));
    for (const name of ['rsa', 'ec256', 'ec384'] as const) {
      const c = byId.get(certificateId(name));
      expect(c, name).toBeDefined();
      expect(c!.keyVisible || !c!.info.isCa).toBe(true);
      expect(c!.info.subject.commonName).toBe(fixtures().pki.signers[name].cn);
      expect(c!.token.label).toBe(fixtures().softhsm.tokenLabel);
    }
    expect(certs).toHaveLength(3); // root and sub CA certificates are on the token but have no key
  });

  it('parses Vietnamese subject fields and identifiers', () => {
    const rsa = tokens.certificates().find((c) => c.id === certificateId('rsa'))!;
    expect(rsa.info.subject).toMatchObject({
      commonName: 'NGUYỄN THỊ ÁNH TUYẾT',
      organization: 'Sở Tư pháp Thành phố Hà Nội',
      organizationalUnit: 'Phòng Hành chính',
      title: 'Chuyên viên',
      email: 'tuyet.nguyen@example.vn',
      identifiers: { CCCD: '001190012345' },
    });
    expect(rsa.info.issuer.commonName).toBe('Kyso Test Sub CA — Ký số');
    expect(rsa.info.keyUsage).toEqual(expect.arrayContaining(['digitalSignature', 'nonRepudiation']));
    expect([rsa.info.keyType, rsa.info.keySize]).toEqual(['RSA', 2048]);
    const ec = tokens.certificates().find((c) => c.id === certificateId('ec256'))!;
    expect(ec.info.subject.identifiers).toEqual({ MST: '0101234567' });
    expect([ec.info.keyType, ec.info.keySize]).toEqual(['EC', 256]);
    const ec384 = tokens.certificates().find((c) => c.id === certificateId('ec384'))!;
    expect(ec384.info.subject.identifiers).toEqual({ CMND: '012345678' });
    expect(ec384.info.keySize).toBe(384);
  });
});

describe('signing a digest', () => {
  const cases: [SignerName, HashAlgorithm][] = [
    ['rsa', 'SHA-256'], ['rsa', 'SHA-384'], ['rsa', 'SHA-512'], ['ec256', 'SHA-256'], ['ec384', 'SHA-384'], ['ec384', 'SHA-256'],
  ];
  it.each(cases)('%s with %s verifies with the certificate public key (node:crypto)', async (signer, hash) => {
    const key = await testKey(tokens, signer);
    const data = Buffer.from(`Văn bản số 123/QĐ-UBND ${signer} ${hash}`);
    const digest = createHash(hash.replace('-', '').toLowerCase()).update(data).digest();
    const sig = await key.signDigest(digest, hash);
    const pub = new X509Certificate(Buffer.from(key.certificate)).publicKey;
    expect(verify(hash.replace('-', '').toLowerCase(), data, pub, sig)).toBe(true);
  });

  it('embeds the chain found on the token (sub CA then root)', async () => {
    const key = await testKey(tokens, 'rsa');
    const chain = key.chain.map((c) => new X509Certificate(Buffer.from(c)).subject);
    expect(chain).toHaveLength(2);
    expect(chain[0]).toContain('Sub CA');
    expect(chain[1]).toContain('Root CA');
  });

  it('rejects a digest of the wrong length instead of signing garbage', async () => {
    const key = await testKey(tokens, 'rsa');
    await expect(key.signDigest(new Uint8Array(20), 'SHA-256')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('PIN handling', () => {
  // PKCS#11 login state belongs to the process, not to one session: close the shared service first.
  beforeAll(() => tokens.close());
  afterAll(() => { tokens = openTestTokens(); });
  it('asks once, reports PIN_INCORRECT with the token PIN state, and never retries', async () => {
    const fresh = openTestTokens();
    try {
      let asked = 0;
      const err = await fresh.signingKey(certificateId('rsa'), async () => { asked++; return '999999'; }).catch((e: unknown) => e);
      expect(isKysoError(err, 'PIN_INCORRECT'), String(err)).toBe(true);
      expect(asked).toBe(1);
      // The right PIN still works afterwards (SoftHSM resets the counter on success).
      const key = await fresh.signingKey(certificateId('rsa'), async () => fixtures().softhsm.pin);
      expect(key.keyType).toBe('RSA');
    } finally {
      fresh.close();
    }
  });

  it('cancelling the PIN prompt is USER_CANCELLED and leaves no session logged in', async () => {
    const fresh = openTestTokens();
    try {
      const { KysoError } = await import('../../src/core/errors.js');
      await expect(fresh.signingKey(certificateId('ec256'), async () => { throw new KysoError('USER_CANCELLED'); }))
        .rejects.toMatchObject({ code: 'USER_CANCELLED' });
      let asked = 0;
      await fresh.signingKey(certificateId('ec256'), async () => { asked++; return fixtures().softhsm.pin; });
      expect(asked).toBe(1);
    } finally {
      fresh.close();
    }
  });

  it('beforeLogin gets the public key once the PIN is typed and before the token checks it; a cancelled PIN never reaches it', async () => {
    const fresh = openTestTokens();
    try {
      const seen: string[] = [];
      let early: PublicKey | undefined;
      const key = await fresh.signingKey(certificateId('ec384'), async () => { seen.push('pin'); return fixtures().softhsm.pin; }, {
        beforeLogin: (k) => { seen.push('beforeLogin'); early = k; },
      });
      expect(seen).toEqual(['pin', 'beforeLogin']);
      expect(early).toEqual({ certificate: key.certificate, chain: key.chain, keyType: 'EC', keySize: 384 });
      fresh.logoutAll();
      const { KysoError } = await import('../../src/core/errors.js');
      let called = false;
      await expect(fresh.signingKey(certificateId('ec384'), async () => { throw new KysoError('USER_CANCELLED'); }, { beforeLogin: () => { called = true; } }))
        .rejects.toMatchObject({ code: 'USER_CANCELLED' });
      expect(called).toBe(false);
    } finally {
      fresh.close();
    }
  });

  it('an unknown certificate id is CERTIFICATE_NOT_FOUND', async () => {
    const fresh = openTestTokens();
    await expect(fresh.signingKey('00'.repeat(32), async () => '')).rejects.toMatchObject({ code: 'CERTIFICATE_NOT_FOUND' });
    fresh.close();
  });
});

describe('reading objects', () => {
  /**
   * `fn` with a session on the test token, through a second handle on the library (the process shares one state:
   * not finalized here, the others still use it), and that handle's pkcs11js object, whose calls a test counts.
   */
  const onTestToken = (fn: (module: Pkcs11Module, lib: pkcs11js.PKCS11, session: Buffer) => void): void => {
    const module = Pkcs11Module.load(fixtures().softhsm.module);
    const slot = module.slotsWithToken().find((s) => module.tokenInfo(s).label === fixtures().softhsm.tokenLabel)!;
    const session = module.openSession(slot);
    try {
      fn(module, (module as unknown as { lib: pkcs11js.PKCS11 }).lib, session);
    } finally {
      module.closeSession(session);
    }
  };

  it("a certificate's attributes in one call; one by one only when the token refuses the call", () => {
    onTestToken((module, lib, session) => {
      const calls = vi.spyOn(lib, 'C_GetAttributeValue');
      const [cert] = module.findObjects(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE }]);
      const read = module.attributes(session, cert!, [pkcs11js.CKA_VALUE, pkcs11js.CKA_ID, pkcs11js.CKA_CERTIFICATE_TYPE]);
      expect(calls).toHaveBeenCalledTimes(1);
      expect(new X509Certificate(read.get(pkcs11js.CKA_VALUE)!).subject).toMatch(/CN=/);
      expect(read.get(pkcs11js.CKA_ID)!.length).toBeGreaterThan(0);
      // A public RSA key has no CKA_VALUE: SoftHSM refuses the whole call (CKR_ATTRIBUTE_TYPE_INVALID), the ID still comes.
      calls.mockClear();
      const [publicKey] = module.findObjects(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA }]);
      const partial = module.attributes(session, publicKey!, [pkcs11js.CKA_VALUE, pkcs11js.CKA_ID]);
      expect(partial.get(pkcs11js.CKA_VALUE)).toBeUndefined();
      expect(partial.get(pkcs11js.CKA_ID)?.toString('hex')).toBe('01');
      expect(calls).toHaveBeenCalledTimes(3);
    });
  });

  it('a search for one object ends at its first C_FindObjects; an open-ended one asks until the token has none left', () => {
    onTestToken((module, lib, session) => {
      const calls = vi.spyOn(lib, 'C_FindObjects');
      const certificates = [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE }];
      const all = module.findObjects(session, certificates);
      expect(all.length).toBeGreaterThan(1);
      expect(calls).toHaveBeenCalledTimes(2); // the handles, then none
      calls.mockClear();
      const first = module.findObjects(session, certificates, 1);
      expect(first).toHaveLength(1);
      expect(all).toContainEqual(first[0]);
      expect(calls).toHaveBeenCalledTimes(1);
      calls.mockClear();
      expect(module.findObjects(session, [{ type: pkcs11js.CKA_LABEL, value: 'no such object' }], 1)).toEqual([]);
      expect(calls).toHaveBeenCalledTimes(1);
    });
  });
});

describe('modules', () => {
  beforeAll(() => tokens.close());
  afterAll(() => { tokens = openTestTokens(); });
  it('a module that fails to load is reported, never fatal', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-mod-'));
    const bogus = path.join(dir, 'vnptca_p11_v8.so');
    writeFileSync(bogus, 'not a shared library');
    process.env.SOFTHSM2_CONF = fixtures().softhsm.conf;
    const svc = new Service([
      { path: bogus, vendor: 'vnpt-ca', displayName: 'VNPT-CA' },
      { path: path.join(dir, 'missing.so'), vendor: 'viettel-ca', displayName: 'Viettel-CA' },
      { path: fixtures().softhsm.module, vendor: 'softhsm', displayName: 'SoftHSM' },
    ]);
    try {
      const reports = svc.moduleReports();
      expect(reports.map((r) => r.loaded)).toEqual([false, false, true]);
      expect(reports[0]!.error?.code).toBe('MODULE_LOAD_FAILED');
      expect(svc.certificates()).toHaveLength(3);
    } finally {
      svc.close();
    }
  });
});

describe('mechanisms', () => {
  beforeAll(() => tokens.close());
  afterAll(() => { tokens = openTestTokens(); });

  // SoftHSM 2.6 offers CKM_SHA256_RSA_PKCS but no CKM_ECDSA_SHA256, so only RSA can take this path here.
  it.each(['rsa'] as const)('%s: without the raw mechanism, signs data with the token hashing mechanism', async (signer) => {
    const pkcs11 = (await import('pkcs11js')).default;
    process.env.SOFTHSM2_CONF = fixtures().softhsm.conf;
    const svc = new Service([{ path: fixtures().softhsm.module, vendor: 'softhsm', displayName: 'SoftHSM' }], { avoidMechanisms: [pkcs11.CKM_RSA_PKCS, pkcs11.CKM_ECDSA] });
    try {
      const key = await svc.signingKey(certificateId(signer), async () => fixtures().softhsm.pin);
      const data = Buffer.from('Thuộc tính đã ký (signed attributes)');
      const sig = await key.signData(data, 'SHA-256');
      expect(verify('sha256', data, new X509Certificate(Buffer.from(key.certificate)).publicKey, sig)).toBe(true);
      await expect(key.signDigest(createHash('sha256').update(data).digest(), 'SHA-256')).rejects.toMatchObject({ code: 'MECHANISM_UNSUPPORTED' });
    } finally {
      svc.close();
    }
  });

  it('a token with no usable mechanism for the key is MECHANISM_UNSUPPORTED, before any PIN is asked', async () => {
    const pkcs11 = (await import('pkcs11js')).default;
    process.env.SOFTHSM2_CONF = fixtures().softhsm.conf;
    const svc = new Service([{ path: fixtures().softhsm.module, vendor: 'softhsm', displayName: 'SoftHSM' }], { avoidMechanisms: [pkcs11.CKM_ECDSA] });
    try {
      let asked = 0;
      await expect(svc.signingKey(certificateId('ec256'), async () => { asked++; return fixtures().softhsm.pin; })).rejects.toMatchObject({ code: 'MECHANISM_UNSUPPORTED' });
      expect(asked).toBe(0);
    } finally {
      svc.close();
    }
  });
});

describe('token pulled out and plugged in again', () => {
  it('a certificate read before signs in a new session: the old one died with the token', async () => {
    const id = certificateId('ec256');
    expect(tokens.certificates().some((c) => c.id === id)).toBe(true); // sessions open, objects read
    // What pulling the token out does to an application's sessions, done through a second handle on the library.
    const other = new pkcs11js.PKCS11();
    other.load(fixtures().softhsm.module);
    try { other.C_Initialize(); } catch { /* CKR_CRYPTOKI_ALREADY_INITIALIZED: the process shares one state */ }
    for (const slot of other.C_GetSlotList(true)) other.C_CloseAllSessions(slot);
    expect(tokens.certificate(id)?.id).toBe(id);
    const key = await tokens.signingKey(id, async () => fixtures().softhsm.pin);
    try {
      const data = new TextEncoder().encode('cắm lại token');
      const signature = await key.signData(data, 'SHA-256');
      expect(verify('sha256', data, { key: new X509Certificate(key.certificate).publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
    } finally {
      tokens.logoutAll();
    }
  });
});

describe('token pulled out', () => {
  beforeAll(() => tokens.close());
  afterAll(() => { process.env.SOFTHSM2_CONF = fixtures().softhsm.conf; tokens = openTestTokens(); });

  it('signing after the token disappears is TOKEN_REMOVED, and listing shows no token', async () => {
    // A token of its own, so removing it does not disturb the shared fixtures.
    const { dir, conf } = provisionOwnTokens('kyso-pull-');
    process.env.SOFTHSM2_CONF = conf;
    const svc = new Service([{ path: fixtures().softhsm.module, vendor: 'softhsm', displayName: 'SoftHSM' }]);
    try {
      const key = await svc.signingKey(certificateId('rsa'), async () => fixtures().softhsm.pin);
      rmSync(path.join(dir, 'tokens'), { recursive: true, force: true });
      expect(svc.certificate(certificateId('rsa')), 'read before, but its token is gone').toBeUndefined();
      await expect(key.signDigest(createHash('sha256').update('x').digest(), 'SHA-256')).rejects.toMatchObject({ code: 'TOKEN_REMOVED' });
      expect(svc.certificates()).toEqual([]);
    } finally {
      svc.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
