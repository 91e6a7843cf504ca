/**
 * The plugin's functions, by functionID, as the page library (`vnpt-plugin.js`) numbers them; each answers
 * the text the library hands to the page (docs/vnpt-compat.md has one row per function, with what it sends,
 * what Kyso answers and what it deliberately does not do).
 */
import { KysoError, toKysoError } from '../../core/errors.js';
import { ensureConsent, toBase64 } from '../methods/common.js';
import { certificateCheck } from './cert-checks.js';
import { bySerial, chosenCertificate, pluginCertificate, tokenCertificates, type CallContext } from './certificates.js';
import { CERT_STATUS, errorText, itemArray, itemFailure, LICENSE_ACCEPTED } from './results.js';
import { signArrData, signArrDataAdvanced, signCms, signHash, signOffice, signPdf } from './signing.js';

/** A function answers the payload text of its reply frame. */
type PluginFunction = (call: CallContext, args: readonly string[]) => Promise<string>;

/**
 * The plugin version pages are told. Portals gate on it (one refuses anything but '1.0.4.3'); it is the version
 * of the plugin whose protocol Kyso serves, not Kyso's own (that one is in the native API's agent.info).
 */
const PLUGIN_PROTOCOL_VERSION = '1.0.4.3';

export const FUNCTION_NAMES: Readonly<Record<number, string>> = {
  0: 'GetCertInfo', 1: 'SignXML', 2: 'SignPDF', 3: 'SignOFFICE', 4: 'SignCMS', 5: 'chooseFile', 6: 'setLicenseKey', 7: 'checkPlugin',
  8: 'signArrData', 9: 'signHash', 10: 'signArrDataAdvanced', 11: 'getVersion', 12: 'SignPDFMultiplePages', 13: 'checkPluginAdvanced',
  14: 'ValidateCertificate', 15: 'ValidateCertificateBase64', 16: 'CheckValidTime', 17: 'CheckValidTimeBase64', 18: 'CheckOCSP',
  19: 'CheckOCSPBase64', 20: 'ShowCertificateViewer', 21: 'CheckCRL', 22: 'CheckCRLBase64', 23: 'SetLanguage', 24: 'Scan',
  25: 'OpenDocument', 26: 'BatchScan', 27: 'HandleFile', 28: 'DeleteFile', 29: 'SetIgnoreListFiles', 30: 'GetAllFiles',
  31: 'GetFilePreview', 32: 'UploadFile', 33: 'GetDataScanned', 34: 'CheckToken', 35: 'SetGetCertFromUsbToken', 36: 'SetGetCertByPkcs11',
  // 39 is GetComputerInfo in the library marked 1.0.0.8, ViewValidFile in the current one.
  37: 'SetShowCertListDialog', 38: 'ConvertOfficeToPdf', 39: 'GetComputerInfo', 40: 'ClearPinCache', 42: 'VerifyPdf', 43: 'VerifyPdfAdvanced',
  44: 'OpenDwgFile', 45: 'GetAllCertificates', 46: 'AddIssuerCert', 47: 'GetAllCertificatesBase64', 50: 'SignArrDataSmartCA', 51: 'GetCertsSmartCA',
  2019: 'OpenDocumentLSN', 2020: 'CheckThread',
};

/** A plugin function Kyso does not serve: a failure object, `code` first, that pages testing `code != 0` take as an error. */
const NOT_SUPPORTED_CODE = -100;
function notSupported(functionID: number): string {
  return JSON.stringify({
    code: NOT_SUPPORTED_CODE, data: '',
    error: `Kyso không hỗ trợ chức năng ${FUNCTION_NAMES[functionID] ?? functionID} của VNPT-CA Plugin / Kyso does not support plugin function ${FUNCTION_NAMES[functionID] ?? functionID} [NOT_SUPPORTED]`,
  });
}

/** A setting the page may send and Kyso accepts without it changing anything a person is asked. */
const accepted: PluginFunction = async () => LICENSE_ACCEPTED;

/** GetCertInfo: `[onlyFromToken, serial?]`; the bare certificate object, or "" when nothing was chosen. */
async function getCertInfo(call: CallContext, args: readonly string[]): Promise<string> {
  try {
    const serial = args[1]?.trim();
    const c = serial ? await bySerial(call, serial) : await chosenCertificate(call);
    return JSON.stringify(pluginCertificate(c));
  } catch (err) {
    call.note({ code: toKysoError(err).code });
    return '';
  }
}

/** GetAllCertificates(Base64): a JSON array of JSON strings, one certificate object each; "" without consent. */
async function allCertificates(call: CallContext): Promise<string> {
  try {
    const list = await tokenCertificates(call);
    return JSON.stringify(list.map((c) => JSON.stringify(pluginCertificate(c))));
  } catch (err) {
    const e = toKysoError(err);
    call.note({ code: e.code });
    return e.code === 'NO_TOKEN' ? '[]' : '';
  }
}

/** CheckToken: "1" when a token is plugged in, "0" otherwise (asks nothing, names nothing). */
async function checkToken(call: CallContext): Promise<string> {
  return call.parts.tokens.tokens().length > 0 ? '1' : '0';
}

/**
 * chooseFile: a file the user picks in Kyso's window (the page learns only its name and content):
 * `{"path": name, "base64": …}`, or "" when the user closes the window.
 */
async function chooseFile(call: CallContext): Promise<string> {
  const { parts, ctx } = call;
  if (!parts.prompter.chooseFile) return '';
  try {
    // Only a site the user allowed may open a Kyso window beyond the consent question itself.
    await ensureConsent(parts, ctx);
    const file = await parts.prompter.chooseFile({ origin: ctx.origin, maxBytes: parts.limits.maxDocumentBytes }, { signal: ctx.signal });
    ctx.note({ fileName: file.name, size: file.bytes.length });
    return JSON.stringify({ path: file.name, base64: toBase64(file.bytes) });
  } catch (err) {
    const e = toKysoError(err);
    call.note({ code: e.code });
    if (e.code === 'USER_CANCELLED') return '';
    return JSON.stringify({ code: -1, error: errorText(e) });
  }
}

const FUNCTIONS: Readonly<Record<number, PluginFunction>> = {
  0: getCertInfo,
  1: async () => JSON.stringify({ code: 1, data: '', serial: '', error: errorText(new KysoError('BAD_REQUEST', 'Kyso does not make XML signatures (XMLDSig)')) }),
  2: signPdf,
  3: signOffice,
  4: signCms,
  5: chooseFile,
  // Kyso needs no licence: any key is "accepted" and grants nothing.
  6: accepted,
  7: async () => '1',
  8: signArrData,
  9: signHash,
  10: signArrDataAdvanced,
  11: async () => PLUGIN_PROTOCOL_VERSION,
  12: signPdf,
  // Proving to be VNPT's plugin takes VNPT's signing key: the library turns this into "-1", not VNPT's.
  13: async () => '-1',
  14: certificateCheck('validate', false),
  15: certificateCheck('validate', true),
  16: certificateCheck('time', false),
  17: certificateCheck('time', true),
  18: certificateCheck('ocsp', false),
  19: certificateCheck('ocsp', true),
  // Kyso has no certificate viewer for pages to open: "1", the plugin's "could not" status.
  20: async () => '1',
  21: certificateCheck('crl', false),
  22: certificateCheck('crl', true),
  23: accepted,
  34: checkToken,
  35: accepted,
  36: accepted,
  37: accepted,
  // Nothing about the computer leaves Kyso, and no file is opened for a page: an empty answer either way.
  39: async () => JSON.stringify({ code: 1, data: '', error: '' }),
  40: accepted,
  45: allCertificates,
  47: allCertificates,
};

const ITEM_ARRAY_FUNCTIONS = new Set([8, 10]);
const ITEM_FUNCTIONS = new Set([2, 3, 4, 9, 12]);
const EMPTY_ON_FAILURE = new Set([0, 5, 45, 47]);
const STATUS_FUNCTIONS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22]);

/**
 * A call that did not finish (timeout, the page gone, too many waiting) answered in the shape its function
 * answers failures in, so that the page's own parsing (`JSON.parse(JSON.parse(x)[0])`, `data === ""`,
 * `Number(data)`) still reads a failure instead of throwing.
 */
export function failureReply(functionID: number, err: unknown): string {
  if (ITEM_ARRAY_FUNCTIONS.has(functionID)) return itemArray([itemFailure(err)]);
  if (ITEM_FUNCTIONS.has(functionID)) return JSON.stringify(itemFailure(err));
  if (EMPTY_ON_FAILURE.has(functionID)) return '';
  if (STATUS_FUNCTIONS.has(functionID)) return String(CERT_STATUS.unknownError);
  return JSON.stringify({ code: -1, data: '', error: errorText(err) });
}

/** Runs one call; a failure becomes an answer, never an exception. */
export async function callFunction(call: CallContext, functionID: number, args: readonly string[]): Promise<string> {
  const fn = Object.hasOwn(FUNCTIONS, functionID) ? FUNCTIONS[functionID] : undefined;
  if (!fn) return notSupported(functionID);
  try {
    return await fn(call, args);
  } catch (err) {
    call.note({ code: toKysoError(err).code });
    return failureReply(functionID, err);
  }
}
