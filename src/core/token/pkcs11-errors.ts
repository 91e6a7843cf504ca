/**
 * Maps Cryptoki return values to Kyso's stable error codes, so callers never see a raw CKR number.
 */
import pkcs11 from 'pkcs11js';
import { KysoError, type ErrorCode } from '../errors.js';

const CKR_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(pkcs11)) {
  if (name.startsWith('CKR_') && typeof value === 'number' && !CKR_NAMES.has(value)) CKR_NAMES.set(value, name);
}

const BY_CKR: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [pkcs11.CKR_PIN_INCORRECT, 'PIN_INCORRECT'],
  [pkcs11.CKR_PIN_INVALID, 'PIN_INCORRECT'],
  [pkcs11.CKR_PIN_LEN_RANGE, 'PIN_LEN_RANGE'],
  [pkcs11.CKR_PIN_LOCKED, 'PIN_LOCKED'],
  [pkcs11.CKR_DEVICE_REMOVED, 'TOKEN_REMOVED'],
  [pkcs11.CKR_TOKEN_NOT_PRESENT, 'TOKEN_REMOVED'],
  [pkcs11.CKR_TOKEN_NOT_RECOGNIZED, 'TOKEN_REMOVED'],
  [pkcs11.CKR_SESSION_HANDLE_INVALID, 'TOKEN_REMOVED'],
  [pkcs11.CKR_SESSION_CLOSED, 'TOKEN_REMOVED'],
  [pkcs11.CKR_SLOT_ID_INVALID, 'TOKEN_REMOVED'],
  [pkcs11.CKR_FUNCTION_CANCELED, 'USER_CANCELLED'],
  [pkcs11.CKR_MECHANISM_INVALID, 'MECHANISM_UNSUPPORTED'],
  [pkcs11.CKR_MECHANISM_PARAM_INVALID, 'MECHANISM_UNSUPPORTED'],
  [pkcs11.CKR_KEY_TYPE_INCONSISTENT, 'MECHANISM_UNSUPPORTED'],
  [pkcs11.CKR_KEY_FUNCTION_NOT_PERMITTED, 'SIGNING_FAILED'],
  [pkcs11.CKR_USER_NOT_LOGGED_IN, 'PIN_REQUIRED'],
]);

export function ckrName(code: number): string {
  return CKR_NAMES.get(code) ?? `CKR_0x${code.toString(16).padStart(8, '0')}`;
}

/** The CKR value carried by a pkcs11js error, if any. */
export function ckrOf(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'number') {
    return (err as { code: number }).code;
  }
  return undefined;
}

/** Wraps any error thrown by a PKCS#11 call; `fallback` is used for return values with no specific meaning. */
export function fromPkcs11(err: unknown, operation: string, fallback: ErrorCode = 'TOKEN_ERROR'): KysoError {
  if (err instanceof KysoError) return err;
  const ckr = ckrOf(err);
  if (ckr === undefined) return new KysoError(fallback, `${operation}: ${String((err as Error)?.message ?? err)}`, { cause: err });
  return new KysoError(BY_CKR.get(ckr) ?? fallback, `${operation}: ${ckrName(ckr)}`, { cause: err });
}
