/**
 * A thin typed wrapper over one loaded PKCS#11 library (pkcs11js), in the spirit of graphene-pk11:
 * trimmed strings, decoded flags, objects as plain records. Every Cryptoki failure becomes a KysoError.
 */
import pkcs11 from 'pkcs11js';
import { KysoError } from '../errors.js';
import { fromPkcs11 } from './pkcs11-errors.js';

export type SlotHandle = Buffer;
export type SessionHandle = Buffer;
export type ObjectHandle = Buffer;

export interface TokenFlags {
  loginRequired: boolean;
  /** The token has its own PIN pad or PIN window: log in with no PIN. */
  protectedAuthenticationPath: boolean;
  initialized: boolean;
  userPinInitialized: boolean;
  pinCountLow: boolean;
  pinFinalTry: boolean;
  pinLocked: boolean;
}

export interface RawTokenInfo {
  label: string;
  manufacturer: string;
  model: string;
  serial: string;
  flags: TokenFlags;
  minPinLength: number;
  maxPinLength: number;
}

export interface ModuleDescription {
  manufacturer: string;
  description: string;
  cryptokiVersion: string;
}

function decodeFlags(f: number): TokenFlags {
  return {
    loginRequired: (f & pkcs11.CKF_LOGIN_REQUIRED) !== 0,
    protectedAuthenticationPath: (f & pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
    initialized: (f & pkcs11.CKF_TOKEN_INITIALIZED) !== 0,
    userPinInitialized: (f & pkcs11.CKF_USER_PIN_INITIALIZED) !== 0,
    pinCountLow: (f & pkcs11.CKF_USER_PIN_COUNT_LOW) !== 0,
    pinFinalTry: (f & pkcs11.CKF_USER_PIN_FINAL_TRY) !== 0,
    pinLocked: (f & pkcs11.CKF_USER_PIN_LOCKED) !== 0,
  };
}

const trim = (s: string): string => s.replace(/[\s\0]+$/, '');

export class Pkcs11Module {
  private constructor(
    readonly path: string,
    private readonly lib: pkcs11.PKCS11,
  ) {}

  /** Loads and initialises the library. Throws MODULE_LOAD_FAILED with the reason; callers decide whether that is fatal. */
  static load(path: string): Pkcs11Module {
    const lib = new pkcs11.PKCS11();
    try {
      lib.load(path);
    } catch (cause) {
      throw new KysoError('MODULE_LOAD_FAILED', `${path}: ${(cause as Error).message}`, { cause });
    }
    try {
      lib.C_Initialize({ flags: pkcs11.CKF_OS_LOCKING_OK });
    } catch (cause) {
      if ((cause as { code?: number }).code !== pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        try { lib.close(); } catch { /* already failing */ }
        throw new KysoError('MODULE_LOAD_FAILED', `${path}: C_Initialize ${(cause as Error).message}`, { cause });
      }
    }
    return new Pkcs11Module(path, lib);
  }

  describe(): ModuleDescription {
    const info = this.call('C_GetInfo', () => this.lib.C_GetInfo());
    return {
      manufacturer: trim(info.manufacturerID),
      description: trim(info.libraryDescription),
      cryptokiVersion: `${info.cryptokiVersion.major}.${info.cryptokiVersion.minor}`,
    };
  }

  slotsWithToken(): SlotHandle[] {
    return this.call('C_GetSlotList', () => this.lib.C_GetSlotList(true));
  }

  tokenInfo(slot: SlotHandle): RawTokenInfo {
    const t = this.call('C_GetTokenInfo', () => this.lib.C_GetTokenInfo(slot));
    return {
      label: trim(t.label),
      manufacturer: trim(t.manufacturerID),
      model: trim(t.model),
      serial: trim(t.serialNumber),
      flags: decodeFlags(t.flags),
      minPinLength: t.minPinLen,
      maxPinLength: t.maxPinLen,
    };
  }

  mechanisms(slot: SlotHandle): Set<number> {
    return new Set(this.call('C_GetMechanismList', () => this.lib.C_GetMechanismList(slot)));
  }

  openSession(slot: SlotHandle): SessionHandle {
    return this.call('C_OpenSession', () => this.lib.C_OpenSession(slot, pkcs11.CKF_SERIAL_SESSION));
  }

  /** Whether the session is still open on the token's side (pulling a token out closes its sessions). */
  sessionAlive(session: SessionHandle): boolean {
    try {
      this.lib.C_GetSessionInfo(session);
      return true;
    } catch {
      return false;
    }
  }

  closeSession(session: SessionHandle): void {
    try { this.lib.C_CloseSession(session); } catch { /* token may be gone; nothing to undo */ }
  }

  /** `pin` undefined logs in through the protected authentication path. */
  login(session: SessionHandle, pin: string | undefined): void {
    try {
      this.lib.C_Login(session, pkcs11.CKU_USER, pin);
    } catch (err) {
      if ((err as { code?: number }).code === pkcs11.CKR_USER_ALREADY_LOGGED_IN) return;
      throw fromPkcs11(err, 'C_Login');
    }
  }

  logout(session: SessionHandle): void {
    try { this.lib.C_Logout(session); } catch { /* not logged in or token gone */ }
  }

  /**
   * The objects matching `template`, at most `max`: a search for one object ends at its first C_FindObjects (on a
   * USB token each call is a round trip); an open-ended one asks until the token answers with none.
   */
  findObjects(session: SessionHandle, template: pkcs11.Template, max = Infinity): ObjectHandle[] {
    return this.call('C_FindObjects', () => {
      this.lib.C_FindObjectsInit(session, template);
      try {
        const out: ObjectHandle[] = [];
        while (out.length < max) {
          const batch = this.lib.C_FindObjects(session, Math.min(64, max - out.length));
          if (batch.length === 0) break;
          out.push(...batch);
        }
        return out;
      } finally {
        this.lib.C_FindObjectsFinal(session);
      }
    });
  }

  /**
   * Reads attributes; those the token refuses come back undefined rather than failing the whole read. All in one
   * call first (on a USB token each call is a round trip); one by one only when the token refuses that call.
   */
  attributes(session: SessionHandle, object: ObjectHandle, types: readonly number[]): Map<number, Buffer | undefined> {
    const out = new Map<number, Buffer | undefined>();
    if (types.length > 1) {
      try {
        const attrs = this.lib.C_GetAttributeValue(session, object, types.map((type) => ({ type })));
        for (const type of types) {
          const value = attrs.find((a) => a.type === type)?.value;
          out.set(type, value instanceof Buffer ? value : undefined);
        }
        return out;
      } catch (err) {
        const mapped = fromPkcs11(err, 'C_GetAttributeValue');
        if (mapped.code === 'TOKEN_REMOVED') throw mapped;
      }
    }
    for (const type of types) {
      try {
        const [attr] = this.lib.C_GetAttributeValue(session, object, [{ type }]);
        out.set(type, attr?.value instanceof Buffer ? attr.value : undefined);
      } catch (err) {
        const mapped = fromPkcs11(err, 'C_GetAttributeValue');
        if (mapped.code === 'TOKEN_REMOVED') throw mapped;
        out.set(type, undefined);
      }
    }
    return out;
  }

  async sign(session: SessionHandle, mechanism: number, key: ObjectHandle, data: Buffer, maxLength: number): Promise<Buffer> {
    try {
      this.lib.C_SignInit(session, { mechanism }, key);
      return await this.lib.C_SignAsync(session, data, Buffer.alloc(maxLength));
    } catch (err) {
      throw fromPkcs11(err, 'C_Sign', 'SIGNING_FAILED');
    }
  }

  close(): void {
    try { this.lib.C_Finalize(); } catch { /* ignore */ }
    try { this.lib.close(); } catch { /* ignore */ }
  }

  private call<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw fromPkcs11(err, operation);
    }
  }
}
