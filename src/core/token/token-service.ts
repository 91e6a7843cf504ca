/**
 * The token layer's face: loads PKCS#11 modules, lists tokens and the certificates that have a private key,
 * logs in through a PIN callback, and hands out SigningKeys. It never stores a PIN and never retries one.
 */
import { createHash } from 'node:crypto';
import pkcs11 from 'pkcs11js';
import { KysoError, isKysoError } from '../errors.js';
import type { HashAlgorithm, KeyType, SigningKey } from '../signing-key.js';
import { canSignDocuments, parseCertificate, type CertificateInfo } from '../cert/parse.js';
import { buildChain } from '../cert/chain.js';
import { digestInfo, ecdsaRawToDer } from './signature-encoding.js';
import { nodeHash } from '../cms/algorithms.js';
import { assertRsaDigestSignatureVerifies, assertSignatureVerifies } from '../signature-check.js';
import { Pkcs11Module, type ObjectHandle, type RawTokenInfo, type SessionHandle, type SlotHandle, type TokenFlags } from './module.js';
import type { ModuleCandidate } from './discovery.js';

export type PinState = 'ok' | 'count-low' | 'final-try' | 'locked';

export interface TokenSummary {
  /** Stable within a run and across replugging: module path + serial + label. */
  readonly id: string;
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly modulePath: string;
  readonly vendor: string;
  readonly flags: TokenFlags;
  readonly pinState: PinState;
}

export interface TokenCertificate {
  /** Opaque, stable id: SHA-256 fingerprint of the certificate. */
  readonly id: string;
  readonly token: TokenSummary;
  readonly info: CertificateInfo;
  readonly der: Uint8Array;
  /** False when the token hides private keys until login; pairing is then confirmed at signing time. */
  readonly keyVisible: boolean;
}

export interface ModuleLoadReport {
  readonly path: string;
  readonly vendor: string;
  readonly displayName: string;
  readonly loaded: boolean;
  readonly error?: KysoError;
}

export interface PinRequest {
  readonly token: TokenSummary;
  readonly certificate: TokenCertificate;
  readonly pinState: PinState;
}

/** Asks a person for the PIN. Throws KysoError('USER_CANCELLED') to cancel. The PIN is used once and dropped. */
export type PinProvider = (request: PinRequest) => Promise<string>;

/** A signing key's public parts: what work can begin with before the token has signed in. */
export type PublicKey = Pick<SigningKey, 'certificate' | 'chain' | 'keyType' | 'keySize'>;

export interface SigningKeyOptions {
  /**
   * Called with the key's public parts once the PIN is typed, just before the token checks it (C_Login blocks this
   * thread): work that needs no signature yet (a document worker preparing the file) runs meanwhile. Not called
   * when no PIN is typed here (a PIN pad, a token already logged in or needing no login).
   */
  beforeLogin?: (key: PublicKey) => void;
}

interface LoadedModule {
  candidate: ModuleCandidate;
  module: Pkcs11Module;
}

interface SlotRef {
  loaded: LoadedModule;
  slot: SlotHandle;
  raw: RawTokenInfo;
  summary: TokenSummary;
}

/**
 * What was read from one token's objects, kept while its object handles stay the same: a warm agent signs without
 * re-reading and re-parsing every certificate on the token for each request.
 */
interface TokenObjects {
  /** The token's object handles when this was read; any object added or removed changes it. */
  stamp: string;
  /** The slot the token was read in. */
  ref: SlotRef;
  certificates: ReadonlyArray<{ info: CertificateInfo; der: Uint8Array; ckaId: Buffer | undefined; keyVisible: boolean }>;
  /** Every certificate on the token: the pool the signer's chain is built from. */
  pool: Uint8Array[];
  chains: Map<string, Uint8Array[]>;
}

/** A certificate read earlier, as on the token behind `ref` now (its PIN state is today's). */
function certificateOn(ref: SlotRef, c: TokenObjects['certificates'][number]): TokenCertificate {
  return { id: c.info.fingerprint, token: ref.summary, info: c.info, der: c.der, keyVisible: c.keyVisible };
}

interface OpenSession {
  ref: SlotRef;
  session: SessionHandle;
  loggedIn: boolean;
}

function pinStateOf(flags: TokenFlags): PinState {
  if (flags.pinLocked) return 'locked';
  if (flags.pinFinalTry) return 'final-try';
  if (flags.pinCountLow) return 'count-low';
  return 'ok';
}

function slotRef(loaded: LoadedModule, slot: SlotHandle, raw: RawTokenInfo): SlotRef {
  return {
    loaded,
    slot,
    raw,
    summary: {
      id: `${loaded.candidate.path}#${raw.serial}#${raw.label}`,
      label: raw.label,
      serial: raw.serial,
      manufacturer: raw.manufacturer,
      model: raw.model,
      modulePath: loaded.candidate.path,
      vendor: loaded.candidate.vendor,
      flags: raw.flags,
      pinState: pinStateOf(raw.flags),
    },
  };
}

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '');

/**
 * One per process: PKCS#11 login state and C_Finalize are per application, so two services over the same
 * library would log each other in and out.
 */
/** The raw and hashing mechanisms for a key type; throws when the token offers neither. */
function usableMechanisms(keyType: KeyType, mechanisms: ReadonlySet<number>): { raw: number; hashing: Record<HashAlgorithm, number> } {
  const raw = keyType === 'RSA' ? pkcs11.CKM_RSA_PKCS : pkcs11.CKM_ECDSA;
  const hashing: Record<HashAlgorithm, number> = keyType === 'RSA'
    ? { 'SHA-256': pkcs11.CKM_SHA256_RSA_PKCS, 'SHA-384': pkcs11.CKM_SHA384_RSA_PKCS, 'SHA-512': pkcs11.CKM_SHA512_RSA_PKCS }
    : { 'SHA-256': pkcs11.CKM_ECDSA_SHA256, 'SHA-384': pkcs11.CKM_ECDSA_SHA384, 'SHA-512': pkcs11.CKM_ECDSA_SHA512 };
  if (!mechanisms.has(raw) && !Object.values(hashing).some((m) => mechanisms.has(m))) {
    throw new KysoError('MECHANISM_UNSUPPORTED', keyType === 'RSA' ? 'neither CKM_RSA_PKCS nor CKM_SHA*_RSA_PKCS' : 'neither CKM_ECDSA nor CKM_ECDSA_SHA*');
  }
  return { raw, hashing };
}

export class TokenService {
  private readonly modules: LoadedModule[] = [];
  private readonly reports: ModuleLoadReport[] = [];
  private readonly sessions = new Map<string, OpenSession>();
  /** Per token (TokenSummary.id): its objects as last read, and its mechanisms (fixed for a token). */
  private readonly objects = new Map<string, TokenObjects>();
  private readonly mechanismLists = new Map<string, ReadonlySet<number>>();

  private readonly avoid: ReadonlySet<number>;

  /**
   * Loads every candidate; a module that fails is reported, never fatal.
   * `avoidMechanisms` hides mechanisms a driver lists but handles badly (a per-vendor workaround).
   */
  constructor(candidates: readonly ModuleCandidate[], options: { avoidMechanisms?: readonly number[] } = {}) {
    this.avoid = new Set(options.avoidMechanisms ?? []);
    for (const candidate of candidates) {
      try {
        const module = Pkcs11Module.load(candidate.path);
        this.modules.push({ candidate, module });
        this.reports.push({ ...candidate, loaded: true });
      } catch (err) {
        this.reports.push({ ...candidate, loaded: false, error: isKysoError(err) ? err : new KysoError('MODULE_LOAD_FAILED', String(err)) });
      }
    }
  }

  moduleReports(): readonly ModuleLoadReport[] {
    return this.reports;
  }

  tokens(): TokenSummary[] {
    return this.slots().map((s) => s.summary);
  }

  /** Certificates with a private key (or, on tokens hiding keys until login, end-entity signing certificates). */
  certificates(): TokenCertificate[] {
    return this.certificatesOn(this.slots());
  }

  /**
   * The certificate `id` as certificates() last read it, if its token is still in its slot: one C_GetTokenInfo,
   * no listing of the slots and no search of the token's objects (on a USB token each is a round trip). What a
   * signature begins with; a certificate changed on the token since is caught when its signature is checked
   * (signature-check.ts).
   */
  certificate(certificateId: string): TokenCertificate | undefined {
    return this.lastRead(certificateId)?.cert;
  }

  private lastRead(certificateId: string): { ref: SlotRef; cert: TokenCertificate } | undefined {
    for (const objects of this.objects.values()) {
      const c = objects.certificates.find((x) => x.info.fingerprint === certificateId);
      if (!c) continue;
      const ref = this.reread(objects.ref);
      return ref && { ref, cert: certificateOn(ref, c) };
    }
    return undefined;
  }

  /** The slot of `ref` read again: today's flags (PIN state), or undefined when another token or none is there. */
  private reread(ref: SlotRef): SlotRef | undefined {
    let raw: RawTokenInfo;
    try { raw = ref.loaded.module.tokenInfo(ref.slot); } catch { return undefined; }
    return raw.flags.initialized && raw.serial === ref.raw.serial && raw.label === ref.raw.label ? slotRef(ref.loaded, ref.slot, raw) : undefined;
  }

  private certificatesOn(refs: readonly SlotRef[]): TokenCertificate[] {
    const out: TokenCertificate[] = [];
    const seen = new Set<string>();
    this.forgetAbsent(refs);
    for (const ref of refs) {
      for (const c of this.readCertificates(ref)) {
        if (seen.has(c.id)) continue; // same token reached through two modules
        seen.add(c.id);
        out.push(c);
      }
    }
    return out;
  }

  /**
   * Logs in (PIN from `pinProvider`, or the token's own PIN pad) and returns a key that signs on the token.
   * A wrong PIN throws PIN_INCORRECT with the token's new PIN state; it is never retried here.
   */
  async signingKey(certificateId: string, pinProvider: PinProvider, options: SigningKeyOptions = {}): Promise<SigningKey & { readonly certificateInfo: TokenCertificate }> {
    // The caller has listed the certificates (that read checks the token's objects): as read then, else read now.
    const { ref, cert } = this.lastRead(certificateId) ?? this.findNow(certificateId);
    const { module } = ref.loaded;
    // Check mechanisms before asking for a PIN: a PIN typed for a key we cannot use is a wasted try.
    const mechanisms = this.mechanismsOf(ref);
    usableMechanisms(cert.info.keyType, mechanisms);
    const { beforeLogin } = options;
    const open = await this.login(ref, cert, pinProvider, beforeLogin && ((session) => beforeLogin({
      certificate: cert.der, chain: this.chainOf(session, cert), keyType: cert.info.keyType, keySize: cert.info.keySize,
    })));
    const idBytes = this.certificateIdOnToken(open, cert);
    const [key] = module.findObjects(open.session, [
      { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY },
      { type: pkcs11.CKA_ID, value: idBytes },
    ], 1);
    if (!key) throw new KysoError('KEY_NOT_FOUND', `CKA_ID ${hex(idBytes)}`);
    return this.makeKey(open, cert, key, mechanisms, this.chainOf(open, cert));
  }

  private findNow(certificateId: string): { ref: SlotRef; cert: TokenCertificate } {
    const refs = this.slots();
    const cert = this.certificatesOn(refs).find((c) => c.id === certificateId);
    if (!cert) throw new KysoError('CERTIFICATE_NOT_FOUND', certificateId);
    const ref = refs.find((s) => s.summary.id === cert.token.id);
    if (!ref) throw new KysoError('TOKEN_REMOVED');
    return { ref, cert };
  }

  private mechanismsOf(ref: SlotRef): ReadonlySet<number> {
    let known = this.mechanismLists.get(ref.summary.id);
    if (!known) {
      known = new Set([...ref.loaded.module.mechanisms(ref.slot)].filter((m) => !this.avoid.has(m)));
      this.mechanismLists.set(ref.summary.id, known);
    }
    return known;
  }

  /** The signer's chain from the token's certificates, built once per token state. */
  private chainOf(open: OpenSession, cert: TokenCertificate): Uint8Array[] {
    const objects = this.objects.get(open.ref.summary.id);
    if (!objects) return buildChain(cert.der, this.caCertificates(open));
    let chain = objects.chains.get(cert.id);
    if (!chain) {
      chain = buildChain(cert.der, objects.pool);
      objects.chains.set(cert.id, chain);
    }
    return chain;
  }

  /** Drops what was read from tokens no longer plugged in. */
  private forgetAbsent(refs: readonly SlotRef[]): void {
    const present = new Set(refs.map((r) => r.summary.id));
    for (const id of this.objects.keys()) if (!present.has(id)) this.objects.delete(id);
    for (const id of this.mechanismLists.keys()) if (!present.has(id)) this.mechanismLists.delete(id);
  }

  /**
   * Ends every login; the next signature asks for the PIN again. The sessions stay open (logged out), so the
   * tokens' object handles stay valid and what was read from them stays known (close() closes them).
   */
  logoutAll(): void {
    for (const s of this.sessions.values()) {
      if (s.loggedIn) s.ref.loaded.module.logout(s.session);
      s.loggedIn = false;
    }
  }

  close(): void {
    this.logoutAll();
    for (const [id, s] of this.sessions) {
      s.ref.loaded.module.closeSession(s.session);
      this.sessions.delete(id);
    }
    for (const m of this.modules) m.module.close();
    this.modules.length = 0;
  }

  /** Whether the token behind a slot reference is still inserted (same serial and label). */
  private stillPresent(ref: SlotRef): boolean {
    try {
      return ref.loaded.module.slotsWithToken().some((slot) => {
        try {
          const t = ref.loaded.module.tokenInfo(slot);
          return t.serial === ref.raw.serial && t.label === ref.raw.label;
        } catch { return false; }
      });
    } catch {
      return false;
    }
  }

  private slots(): SlotRef[] {
    const out: SlotRef[] = [];
    for (const loaded of this.modules) {
      let slots: SlotHandle[];
      try {
        slots = loaded.module.slotsWithToken();
      } catch {
        continue; // a misbehaving driver must not hide the others' tokens
      }
      for (const slot of slots) {
        let raw: RawTokenInfo;
        try { raw = loaded.module.tokenInfo(slot); } catch { continue; }
        if (raw.flags.initialized) out.push(slotRef(loaded, slot, raw));
      }
    }
    return out;
  }

  private session(ref: SlotRef): OpenSession {
    const existing = this.sessions.get(ref.summary.id);
    if (existing && ref.loaded.module.sessionAlive(existing.session)) return existing;
    // A session kept from before the token was pulled out and plugged in again: a new one, the token read anew.
    if (existing) this.dropSession(ref);
    const s: OpenSession = { ref, session: ref.loaded.module.openSession(ref.slot), loggedIn: false };
    this.sessions.set(ref.summary.id, s);
    return s;
  }

  private dropSession(ref: SlotRef): void {
    this.objects.delete(ref.summary.id);
    const s = this.sessions.get(ref.summary.id);
    if (!s) return;
    ref.loaded.module.closeSession(s.session);
    this.sessions.delete(ref.summary.id);
  }

  private readCertificates(ref: SlotRef, retry = true): TokenCertificate[] {
    const { module } = ref.loaded;
    let open: OpenSession;
    try { open = this.session(ref); } catch { return []; }
    try {
      // One search for every handle tells whether anything changed since the last read.
      const stamp = module.findObjects(open.session, []).map(hex).join(',');
      let objects = this.objects.get(ref.summary.id);
      if (objects?.stamp !== stamp) {
        objects = { stamp, ref, ...this.readObjects(open), chains: new Map() };
        this.objects.set(ref.summary.id, objects);
      }
      objects.ref = ref;
      return objects.certificates.map((c) => certificateOn(ref, c));
    } catch (err) {
      if (!isKysoError(err, 'TOKEN_REMOVED')) return [];
      // The slot lists the token, so a session kept from before it was pulled out and plugged in again: once more.
      this.dropSession(ref);
      return retry ? this.readCertificates(ref, false) : [];
    }
  }

  private readObjects(open: OpenSession): Pick<TokenObjects, 'certificates' | 'pool'> {
    const { module } = open.ref.loaded;
    const keyIds = new Set<string>();
    for (const cls of [pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY]) {
      for (const h of module.findObjects(open.session, [{ type: pkcs11.CKA_CLASS, value: cls }])) {
        const id = module.attributes(open.session, h, [pkcs11.CKA_ID]).get(pkcs11.CKA_ID);
        if (id && id.length > 0) keyIds.add(hex(id));
      }
    }
    const certificates: Array<TokenObjects['certificates'][number]> = [];
    const pool: Uint8Array[] = [];
    for (const h of module.findObjects(open.session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_CERTIFICATE }])) {
      const attrs = module.attributes(open.session, h, [pkcs11.CKA_VALUE, pkcs11.CKA_ID, pkcs11.CKA_CERTIFICATE_TYPE]);
      const value = attrs.get(pkcs11.CKA_VALUE);
      if (!value) continue;
      const der = new Uint8Array(value);
      pool.push(der);
      const type = attrs.get(pkcs11.CKA_CERTIFICATE_TYPE);
      if (type && type.length > 0 && type.readUIntLE(0, Math.min(type.length, 6)) !== pkcs11.CKC_X_509) continue;
      let info: CertificateInfo;
      try { info = parseCertificate(der); } catch { continue; }
      const ckaId = attrs.get(pkcs11.CKA_ID);
      const keyVisible = keyIds.has(hex(ckaId));
      // Keys are matched by CKA_ID; when no key is visible yet (private until login), offer end-entity signing certs.
      if (!keyVisible && (keyIds.size > 0 || !canSignDocuments(info))) continue;
      certificates.push({ info, der, ckaId, keyVisible });
    }
    return { certificates, pool };
  }

  private caCertificates(open: OpenSession): Uint8Array[] {
    const { module } = open.ref.loaded;
    return module
      .findObjects(open.session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_CERTIFICATE }])
      .map((h) => module.attributes(open.session, h, [pkcs11.CKA_VALUE]).get(pkcs11.CKA_VALUE))
      .filter((v): v is Buffer => v !== undefined)
      .map((v) => new Uint8Array(v));
  }

  private certificateIdOnToken(open: OpenSession, cert: TokenCertificate): Buffer {
    const known = this.objects.get(open.ref.summary.id)?.certificates.find((c) => c.info.fingerprint === cert.id)?.ckaId;
    if (known && known.length > 0) return known;
    const { module } = open.ref.loaded;
    for (const h of module.findObjects(open.session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_CERTIFICATE }])) {
      const attrs = module.attributes(open.session, h, [pkcs11.CKA_VALUE, pkcs11.CKA_ID]);
      const der = attrs.get(pkcs11.CKA_VALUE);
      if (der && Buffer.compare(der, Buffer.from(cert.der)) === 0) {
        const id = attrs.get(pkcs11.CKA_ID);
        if (id && id.length > 0) return id;
      }
    }
    throw new KysoError('KEY_NOT_FOUND', 'certificate has no CKA_ID');
  }

  private async login(ref: SlotRef, cert: TokenCertificate, pinProvider: PinProvider, beforeLogin?: (open: OpenSession) => void): Promise<OpenSession> {
    const open = this.session(ref);
    if (open.loggedIn || !ref.raw.flags.loginRequired) return open;
    const state = pinStateOf(ref.raw.flags);
    if (state === 'locked') throw new KysoError('PIN_LOCKED', ref.summary.label);
    try {
      if (ref.raw.flags.protectedAuthenticationPath) {
        ref.loaded.module.login(open.session, undefined);
      } else {
        const pin = await pinProvider({ token: ref.summary, certificate: cert, pinState: state });
        if (!pin) throw new KysoError('PIN_REQUIRED');
        beforeLogin?.(open);
        ref.loaded.module.login(open.session, pin);
      }
    } catch (err) {
      const e = isKysoError(err) ? err : new KysoError('TOKEN_ERROR', String(err), { cause: err });
      if (e.code === 'PIN_INCORRECT' || e.code === 'PIN_LOCKED') {
        // Report how many tries the token says are left; never try again on the user's behalf.
        let after: PinState = state;
        try { after = pinStateOf(ref.loaded.module.tokenInfo(ref.slot).flags); } catch { /* keep previous */ }
        throw new KysoError(after === 'locked' ? 'PIN_LOCKED' : 'PIN_INCORRECT', `pinState=${after}`, { cause: e });
      }
      if (e.code === 'TOKEN_REMOVED') this.dropSession(ref);
      throw e;
    }
    open.loggedIn = true;
    return open;
  }

  private makeKey(
    open: OpenSession,
    cert: TokenCertificate,
    key: ObjectHandle,
    mechanisms: ReadonlySet<number>,
    chain: Uint8Array[],
  ): SigningKey & { readonly certificateInfo: TokenCertificate } {
    const keyType: KeyType = cert.info.keyType;
    const keySize = cert.info.keySize;
    const { raw, hashing } = usableMechanisms(keyType, mechanisms);
    const maxLength = keyType === 'RSA' ? Math.ceil(keySize / 8) : 2 * Math.ceil(keySize / 8);
    const service = this;
    const run = async (mechanism: number, data: Buffer): Promise<Uint8Array> => {
      try {
        const sig = await open.ref.loaded.module.sign(open.session, mechanism, key, data, maxLength);
        return keyType === 'RSA' ? new Uint8Array(sig) : ecdsaRawToDer(sig);
      } catch (err) {
        // Drivers report a pulled-out token in many ways (DEVICE_REMOVED, SESSION_HANDLE_INVALID,
        // OBJECT_HANDLE_INVALID…): ask the slot whether the token is still there.
        const removed = isKysoError(err, 'TOKEN_REMOVED') || !service.stillPresent(open.ref);
        if (removed || isKysoError(err, 'PIN_REQUIRED')) service.dropSession(open.ref);
        if (removed && !isKysoError(err, 'TOKEN_REMOVED')) throw new KysoError('TOKEN_REMOVED', (err as KysoError).detail, { cause: err });
        throw err;
      }
    };
    // CKM_RSA_PKCS signs a DigestInfo we build; CKM_SHA256_RSA_PKCS hashes itself. Never mix the two.
    const signRaw = async (digest: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> => {
      if (!mechanisms.has(raw)) throw new KysoError('MECHANISM_UNSUPPORTED', `${keyType === 'RSA' ? 'CKM_RSA_PKCS' : 'CKM_ECDSA'} (needed to sign a precomputed digest)`);
      return run(raw, keyType === 'RSA' ? digestInfo(digest, hash) : Buffer.from(digest));
    };
    // Every signature is checked with the certificate before use (signature-check.ts): over the data when there is
    // data, else (a bare digest) RSA only.
    const signDigest = async (digest: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> => {
      const signature = await signRaw(digest, hash);
      if (keyType === 'RSA') assertRsaDigestSignatureVerifies(cert.der, digest, hash, signature, 'the token');
      return signature;
    };
    return {
      certificate: cert.der,
      chain,
      keyType,
      keySize,
      certificateInfo: cert,
      signDigest,
      // What the engines call (CMS signed attributes, XML SignedInfo).
      async signData(data: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
        let signature: Uint8Array;
        if (mechanisms.has(raw)) signature = await signRaw(createHash(nodeHash(hash)).update(data).digest(), hash);
        else if (!mechanisms.has(hashing[hash])) throw new KysoError('MECHANISM_UNSUPPORTED', `no ${hash} signing mechanism`);
        else signature = await run(hashing[hash], Buffer.from(data));
        assertSignatureVerifies(cert.der, keyType, data, hash, signature, 'the token');
        return signature;
      },
    };
  }
}
