/**
 * What the plugin's pages read back, in the shapes and numbers the page library and the portals expect
 * (docs/vnpt-compat.md cites where each comes from):
 * - a signed item: `{"code":0,"data":…,"serial":…,"error":""}`, `code` first; failures use the plugin's
 *   positive item codes (1 bad input … 11 the user cancelled), which portals turn into their own messages;
 * - a certificate check: the bare status number as text ("0" valid, "2" expired, "4" revoked, …);
 * - setLicenseKey: `{"code":1,…}` with `code` first (one portal splits the text on ':' and reads the '1').
 * Kyso's stable error code goes into the error text's end, for developers; the page reads only the number.
 */
import { toKysoError, type ErrorCode } from '../../core/errors.js';
import { PUBLIC_DETAIL_CODES } from '../protocol-constants.js';
import { SignaturePageMissing } from './pdf-pages.js';

/** The plugin's item codes, as portals map them to messages. */
const ITEM_CODE = {
  ok: 0,
  badInput: 1,
  noCertificate: 2,
  signingFailed: 3,
  noPrivateKey: 4,
  unknown: 5,
  /** "Ký pdf: trang đặt chữ ký không tồn tại": a page the PdfSigner names is not in the document. */
  pageMissing: 7,
  cancelled: 11,
} as const;

const ITEM_CODES: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: ITEM_CODE.badInput,
  DOCUMENT_ENCRYPTED: ITEM_CODE.badInput,
  DOCUMENT_SIGNING_FORBIDDEN: ITEM_CODE.badInput,
  DOCUMENT_CORRUPT: ITEM_CODE.badInput,
  UNSUPPORTED_FORMAT: ITEM_CODE.badInput,
  FILE_NOT_FOUND: ITEM_CODE.badInput,
  TOO_LARGE: ITEM_CODE.badInput,
  DOCUMENT_TOO_COMPLEX: ITEM_CODE.badInput,
  NO_TOKEN: ITEM_CODE.noCertificate,
  TOKEN_REMOVED: ITEM_CODE.noCertificate,
  MODULE_NOT_FOUND: ITEM_CODE.noCertificate,
  MODULE_LOAD_FAILED: ITEM_CODE.noCertificate,
  NO_CERTIFICATE: ITEM_CODE.noCertificate,
  CERTIFICATE_NOT_FOUND: ITEM_CODE.noCertificate,
  CERTIFICATE_AMBIGUOUS: ITEM_CODE.noCertificate,
  CERTIFICATE_EXPIRED: ITEM_CODE.noCertificate,
  CERTIFICATE_NOT_YET_VALID: ITEM_CODE.noCertificate,
  CERTIFICATE_REVOKED: ITEM_CODE.noCertificate,
  KEY_NOT_FOUND: ITEM_CODE.noPrivateKey,
  TOKEN_ERROR: ITEM_CODE.signingFailed,
  MECHANISM_UNSUPPORTED: ITEM_CODE.signingFailed,
  SIGNING_FAILED: ITEM_CODE.signingFailed,
  SIGNATURE_TOO_LARGE: ITEM_CODE.signingFailed,
  PIN_INCORRECT: ITEM_CODE.signingFailed,
  PIN_LOCKED: ITEM_CODE.signingFailed,
  PIN_LEN_RANGE: ITEM_CODE.signingFailed,
  PIN_REQUIRED: ITEM_CODE.signingFailed,
  TSA_UNREACHABLE: ITEM_CODE.signingFailed,
  TSA_REJECTED: ITEM_CODE.signingFailed,
  TSA_BAD_RESPONSE: ITEM_CODE.signingFailed,
  TSA_AUTH_REQUIRED: ITEM_CODE.signingFailed,
  REVOCATION_UNAVAILABLE: ITEM_CODE.signingFailed,
  // Remote signing: a service that cannot be reached, refuses the account or is not answered in time failed the
  // signature; declining on the phone is the user's own "no".
  REMOTE_UNREACHABLE: ITEM_CODE.signingFailed,
  REMOTE_AUTH_FAILED: ITEM_CODE.signingFailed,
  REMOTE_TIMEOUT: ITEM_CODE.signingFailed,
  REMOTE_REJECTED: ITEM_CODE.cancelled,
  USER_CANCELLED: ITEM_CODE.cancelled,
  ORIGIN_DENIED: ITEM_CODE.cancelled,
};

/** Certificate status numbers of ValidateCertificate, CheckValidTime, CheckOCSP and CheckCRL. */
export const CERT_STATUS = {
  valid: 0,
  unknownError: 1,
  expired: 2,
  notYetValid: 3,
  revoked: 4,
  noSigningUsage: 5,
  revocationFailed: 6,
  untrustedIssuer: 7,
  noCertificate: 8,
  noIssuer: 9,
  noOcspUrl: 10,
} as const;
export type CertStatusCode = (typeof CERT_STATUS)[keyof typeof CERT_STATUS];

export interface ItemResult {
  code: number;
  data: string;
  serial: string;
  error: string;
}

export const itemOk = (data: string, serial: string): ItemResult => ({ code: ITEM_CODE.ok, data, serial, error: '' });

/** "<Vietnamese> / <English>[: detail] [KYSO_CODE]"; details only where the native API shows them. */
export function errorText(err: unknown): string {
  const e = toKysoError(err);
  const detail = e.detail && PUBLIC_DETAIL_CODES.has(e.code) ? `: ${e.detail.slice(0, 300)}` : '';
  return `${e.messageVi} / ${e.messageEn}${detail} [${e.code}]`;
}

export function itemFailure(err: unknown): ItemResult {
  const e = toKysoError(err);
  const code = e instanceof SignaturePageMissing ? ITEM_CODE.pageMissing : ITEM_CODES[e.code] ?? ITEM_CODE.unknown;
  return { code, data: '', serial: '', error: errorText(e) };
}

/** The reply of signArrData/signArrDataAdvanced: a JSON array of JSON strings, one per item. */
export const itemArray = (items: readonly ItemResult[]): string => JSON.stringify(items.map((i) => JSON.stringify(i)));

/** setLicenseKey's answer: `code` first and 1 (pages test `code === 1`, or split on ':' and read the '1'). */
export const LICENSE_ACCEPTED = JSON.stringify({ code: 1, data: '', error: '' });
