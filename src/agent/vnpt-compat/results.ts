/**
 * The JSON payloads of the plugin protocol: `{"code":0,"data":…,"error":"","type":null,"serial":null}` on
 * success, a negative `code` with a Vietnamese and English message on failure. `type` carries Kyso's stable error
 * code (the plugin sent null there), for portal developers who want more than the number.
 */
import { toKysoError, type ErrorCode } from '../../core/errors.js';
import { PUBLIC_DETAIL_CODES } from '../protocol.js';

export interface PluginResult {
  code: number;
  data: string;
  error: string;
  type: string | null;
  serial: string | null;
}

/** Negative codes by kind of failure, documented in docs/vnpt-compat.md; one number per Kyso code. */
export const PLUGIN_ERROR_CODES: Readonly<Record<ErrorCode, number>> = {
  INTERNAL: -1,
  BAD_REQUEST: -2,
  USER_CANCELLED: -3,
  ORIGIN_DENIED: -4,
  NO_TOKEN: -5,
  TOKEN_REMOVED: -5,
  MODULE_NOT_FOUND: -5,
  MODULE_LOAD_FAILED: -5,
  TOKEN_ERROR: -6,
  MECHANISM_UNSUPPORTED: -6,
  KEY_NOT_FOUND: -6,
  SIGNING_FAILED: -6,
  NO_CERTIFICATE: -7,
  CERTIFICATE_NOT_FOUND: -7,
  CERTIFICATE_AMBIGUOUS: -7,
  PIN_INCORRECT: -8,
  PIN_LOCKED: -9,
  PIN_LEN_RANGE: -8,
  PIN_REQUIRED: -8,
  CERTIFICATE_EXPIRED: -10,
  CERTIFICATE_NOT_YET_VALID: -10,
  CERTIFICATE_REVOKED: -11,
  DOCUMENT_ENCRYPTED: -12,
  DOCUMENT_CORRUPT: -13,
  DOCUMENT_TOO_COMPLEX: -13,
  UNSUPPORTED_FORMAT: -14,
  FILE_NOT_FOUND: -14,
  KEYWORD_NOT_FOUND: -15,
  SIGNATURE_TOO_LARGE: -6,
  TOO_LARGE: -16,
  BUSY: -17,
  TIMEOUT: -18,
  TSA_UNREACHABLE: -19,
  TSA_REJECTED: -19,
  TSA_BAD_RESPONSE: -19,
  TSA_AUTH_REQUIRED: -19,
  REVOCATION_UNAVAILABLE: -20,
};

/** A function the plugin had and Kyso does not serve. */
export const NOT_SUPPORTED_CODE = -100;

export function success(data: string, serial: string | null = null): PluginResult {
  return { code: 0, data, error: '', type: null, serial };
}

/** "<Vietnamese> / <English>[: detail]", without '*' (the frame separator); details only where the native API shows them. */
export function failure(err: unknown): PluginResult {
  const e = toKysoError(err);
  const detail = e.detail && PUBLIC_DETAIL_CODES.has(e.code) ? `: ${e.detail.slice(0, 300)}` : '';
  return { code: PLUGIN_ERROR_CODES[e.code], data: '', error: `${e.messageVi} / ${e.messageEn}${detail}`.replaceAll('*', '×'), type: e.code, serial: null };
}

export function notSupported(functionID: number): PluginResult {
  return {
    code: NOT_SUPPORTED_CODE, data: '', type: 'NOT_SUPPORTED', serial: null,
    error: `Kyso không hỗ trợ chức năng ${functionID} của VNPT-CA Plugin / Kyso does not support plugin function ${functionID}`,
  };
}
