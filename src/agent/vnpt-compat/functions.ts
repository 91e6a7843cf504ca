/**
 * The plugin's functions, by functionID, served by Kyso's own method handlers: every call goes through the
 * same consent, certificate choice, confirmation and PIN windows as the native API, with the parameters
 * validated by the native schemas. What each takes and answers is in docs/vnpt-compat.md.
 */
import { createHash } from 'node:crypto';
import { KysoError } from '../../core/errors.js';
import { sniffDocumentType } from '../../core/document-type.js';
import { KYSO_VERSION } from '../../core/version.js';
import { certificatesList } from '../methods/certificates-list.js';
import { askCertificate, availableCertificates, decodeBase64, ensureConsent, signPrepared, signingSession, throwIfAborted, toBase64, type PreparedSignature } from '../methods/common.js';
import type { AgentParts, RequestContext } from '../methods/context.js';
import { prepareDocxSign } from '../methods/docx-sign.js';
import { prepareHashSign } from '../methods/hash-sign.js';
import { preparePdfSign } from '../methods/pdf-sign.js';
import { METHODS, type MethodName, type ParamsOf } from '../protocol.js';
import { mapPdfSigner, type MappedPdfOptions } from './pdf-signer-options.js';
import { failure, notSupported, success, type PluginResult } from './results.js';

export interface CallContext {
  parts: AgentParts;
  ctx: RequestContext;
  /** Lines for the log (never arguments or document content). */
  note(fields: Record<string, string | number | boolean>): void;
}

/** A function answers a result object, or a bare string (checkPlugin, getVersion). */
export type PluginFunction = (call: CallContext, args: readonly string[]) => Promise<PluginResult | string>;

export const FUNCTION_NAMES: Readonly<Record<number, string>> = {
  0: 'GetCertInfo', 2: 'SignPDF', 3: 'SignOFFICE', 4: 'SignCMS', 6: 'setLicenseKey', 7: 'checkPlugin',
  8: 'signArrData', 9: 'signHash', 10: 'signArrData', 11: 'getVersion', 34: 'CheckToken', 45: 'GetAllCertificates', 47: 'GetAllCertificates',
};

const DEFAULT_NAMES = { pdf: 'tài liệu.pdf', office: 'tài liệu.docx', data: 'dữ liệu do trang web gửi (data sent by the site)' } as const;

/** Serial numbers as pages write them: any case, with or without separators and leading zeros. */
export const normalizeSerial = (s: string): string => s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+(?=.)/, '');

const validated = <M extends MethodName>(method: M, params: unknown): ParamsOf<M> => {
  const r = METHODS[method].params.safeParse(params);
  if (!r.success) throw new KysoError('BAD_REQUEST', r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; '));
  return r.data as ParamsOf<M>;
};

const arg = (args: readonly string[], i: number): string | undefined => {
  const v = args[i]?.trim();
  return v ? v : undefined;
};

interface CertificateRef { id: string; serial: string; der: string }

/** The certificate a page names by serial (after consent), or undefined when it names none. */
async function bySerial(call: CallContext, serial: string | undefined): Promise<CertificateRef | undefined> {
  if (!serial) return undefined;
  const want = normalizeSerial(serial);
  const { certificates } = await certificatesList(call.parts, call.ctx);
  const c = certificates.find((x) => normalizeSerial(x.serialNumber) === want);
  if (!c) throw new KysoError('CERTIFICATE_NOT_FOUND', 'no certificate with that serial number on the tokens plugged in');
  return { id: c.id, serial: c.serialNumber, der: c.certificate };
}

/** The user picks a certificate in Kyso's window (after consent): GetCertInfo without a serial. */
async function chosen(call: CallContext): Promise<CertificateRef> {
  const { parts, ctx } = call;
  await ensureConsent(parts, ctx);
  return parts.queue.run({
    signal: ctx.signal,
    run: async (signal) => {
      const c = await askCertificate(parts, ctx, availableCertificates(parts), signal);
      throwIfAborted(signal);
      return { id: c.id, serial: c.info.serialNumber, der: toBase64(c.der) };
    },
  });
}

/** What the plugin answers for one signed item: the data, and the serial of the certificate that signed it. */
interface Signed { data: string; serial: string }

/** The same prepared signature, keeping only what the plugin answers. */
function answering<T>(p: PreparedSignature<T>, data: (r: T) => string): PreparedSignature<Signed> {
  return { ...p, sign: async (k, c, s) => ({ data: data(await p.sign(k, c, s)), serial: c.info.serialNumber }) };
}

/** PdfSigner options, parsed once per call; the ones dropped on purpose go to the log. */
function pdfOptions(call: CallContext, json: string | undefined): MappedPdfOptions {
  const mapped = mapPdfSigner(json);
  if (mapped.ignored.length) call.note({ ignored: mapped.ignored.join(',') });
  return mapped;
}

async function preparePdf(call: CallContext, document: string, mapped: MappedPdfOptions, fileName?: string): Promise<PreparedSignature<Signed>> {
  const params = validated('pdf.sign', { document, fileName: fileName ?? mapped.fileName ?? DEFAULT_NAMES.pdf, ...mapped.params });
  return answering(await preparePdfSign(call.parts, call.ctx, params), (r) => r.document);
}

interface OfficeOptions { FileName?: string; Reason?: string; SignatureComments?: string; CertificateSerial?: string }

function officeOptions(json: string | undefined): OfficeOptions {
  if (!json) return {};
  try {
    const o = JSON.parse(json) as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
    const pick = (k: keyof OfficeOptions): string | undefined => (typeof (o as Record<string, unknown>)[k] === 'string' ? (o as Record<string, string>)[k] : undefined);
    return Object.fromEntries((['FileName', 'Reason', 'SignatureComments', 'CertificateSerial'] as const).map((k) => [k, pick(k)]).filter(([, v]) => v)) as OfficeOptions;
  } catch {
    throw new KysoError('BAD_REQUEST', 'Office signing options are not a JSON object');
  }
}

async function prepareOffice(call: CallContext, document: string, o: OfficeOptions, fileName?: string): Promise<PreparedSignature<Signed>> {
  const reason = o.Reason ?? o.SignatureComments;
  const params = validated('docx.sign', { document, fileName: fileName ?? o.FileName ?? DEFAULT_NAMES.office, ...(reason ? { reason } : {}) });
  return answering(await prepareDocxSign(call.parts, call.ctx, params), (r) => r.document);
}

/** A detached CMS SignedData over the data (SHA-256), as `openssl cms -verify -content DATA` checks it. */
function prepareCms(call: CallContext, data: string, fileName: string = DEFAULT_NAMES.data): PreparedSignature<Signed> {
  const bytes = decodeBase64(data, call.parts.limits.maxDocumentBytes, 'the data');
  const digest = createHash('sha256').update(bytes).digest('base64');
  const prepared = prepareHashSign(call.ctx, validated('hash.sign', { digest, algorithm: 'SHA-256', format: 'cms', fileName }));
  // The confirmation shows the size of the data the page sent, not of its digest.
  return answering({ ...prepared, document: { fileName, size: bytes.length } }, (r) => r.signature);
}

const HASH_BY_LENGTH: Readonly<Record<number, 'SHA-256' | 'SHA-384' | 'SHA-512'>> = { 32: 'SHA-256', 48: 'SHA-384', 64: 'SHA-512' };

/** The bare signature value over a digest the page computed (PKCS#1 v1.5 for RSA, DER ECDSA for EC); `cms` as 3rd arg for a CMS. */
function prepareHash(call: CallContext, args: readonly string[]): PreparedSignature<Signed> {
  const digest = arg(args, 0) ?? '';
  const algorithm = HASH_BY_LENGTH[Buffer.from(digest, 'base64').length];
  if (!algorithm) throw new KysoError('BAD_REQUEST', 'signHash takes a SHA-256, SHA-384 or SHA-512 digest, base64');
  const format = arg(args, 2)?.toLowerCase() === 'cms' ? 'cms' : 'raw';
  return answering(prepareHashSign(call.ctx, validated('hash.sign', { digest, algorithm, format })), (r) => r.signature);
}

/** One item, checked before anyone is asked; then the certificate named by serial (or chosen), confirmation and PIN. */
async function signOne(call: CallContext, prepared: PreparedSignature<Signed>, serial: string | undefined): Promise<PluginResult> {
  const id = (await bySerial(call, serial))?.id;
  const r = await signPrepared(call.parts, call.ctx, id, prepared);
  return success(r.data, r.serial);
}

interface BatchItem { data: string; kind: 'pdf' | 'office' | 'data'; fileName: string }

const EXTENSION = { pdf: 'pdf', office: 'docx', data: 'bin' } as const;

function batchItems(json: string | undefined): BatchItem[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json ?? '');
  } catch {
    throw new KysoError('BAD_REQUEST', 'signArrData takes a JSON array of base64 items');
  }
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 50) throw new KysoError('BAD_REQUEST', 'signArrData takes a JSON array of 1 to 50 items');
  return raw.map((item, i) => {
    const o = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const data = typeof item === 'string' ? item : (o.data ?? o.Data ?? o.Base64);
    if (typeof data !== 'string') throw new KysoError('BAD_REQUEST', `signArrData item ${i + 1}: no base64 data`);
    const type = sniffDocumentType(new Uint8Array(Buffer.from(data.slice(0, 1024), 'base64')));
    const kind = type === 'pdf' ? 'pdf' : type === 'zip' ? 'office' : 'data';
    const named = o.fileName ?? o.FileName;
    return { data, kind, fileName: typeof named === 'string' && named.trim() ? named.trim().slice(0, 255) : `tài liệu ${i + 1}.${EXTENSION[kind]}` };
  });
}

/** Checks one batch item as its single-document call would. */
function prepareItem(call: CallContext, item: BatchItem, pdf: MappedPdfOptions): Promise<PreparedSignature<Signed>> | PreparedSignature<Signed> {
  if (item.kind === 'pdf') return preparePdf(call, item.data, pdf, item.fileName);
  if (item.kind === 'office') return prepareOffice(call, item.data, {}, item.fileName);
  return prepareCms(call, item.data, item.fileName);
}

/**
 * Several items, one certificate, one confirmation listing them all, one PIN: PDFs get PAdES (with the PdfSigner
 * options), Office files a package signature, anything else a detached CMS. Every item is checked before the user
 * is asked anything; a failure while signing stops the batch, and the items signed before it are still returned.
 */
async function signBatch(call: CallContext, args: readonly string[]): Promise<PluginResult> {
  const items = batchItems(args[0]);
  const pdf = pdfOptions(call, arg(args, 1));
  const prepared: Array<PreparedSignature<Signed>> = [];
  for (const [i, item] of items.entries()) {
    try {
      prepared.push(await prepareItem(call, item, pdf));
    } catch (err) {
      // Nothing signed, nobody asked: say which item is wrong.
      const f = failure(err);
      return { ...f, error: `${f.error} [mục / item ${i + 1}: ${item.fileName.replaceAll('*', '×')}]` };
    }
  }
  const certificateId = (await bySerial(call, arg(args, 2)))?.id;
  const out: Array<{ code: number; data: string; error: string }> = [];
  let first: PluginResult | undefined;
  const used = await signingSession(call.parts, call.ctx, { certificateId, documents: prepared.map((p) => p.document) }, async (key, certificate, signal) => {
    for (const p of prepared) {
      if (first) {
        out.push({ code: first.code, data: '', error: first.error });
        continue;
      }
      try {
        out.push({ code: 0, data: (await p.sign(key, certificate, signal)).data, error: '' });
      } catch (err) {
        first = failure(err);
        out.push({ code: first.code, data: '', error: first.error });
      }
    }
    return certificate.info.serialNumber;
  }, async (certificate, signal) => {
    for (const p of prepared) await p.beforeConfirm?.(certificate, signal);
  });
  call.ctx.progress('done');
  const data = JSON.stringify(out);
  return first ? { ...(first as PluginResult), data } : success(data, used);
}

interface CertificateSummary { serial: string; subjectCN: string; issuerCN: string; organization: string; email: string; notBefore: string; notAfter: string; base64: string }

export const FUNCTIONS: Readonly<Record<number, PluginFunction>> = {
  0: async (call, args) => {
    const c = (await bySerial(call, arg(args, 0))) ?? (await chosen(call));
    return success(c.der, c.serial);
  },
  2: async (call, args) => {
    const mapped = pdfOptions(call, arg(args, 1));
    return signOne(call, await preparePdf(call, args[0] ?? '', mapped), arg(args, 2) ?? mapped.certificateSerial);
  },
  3: async (call, args) => {
    const o = officeOptions(arg(args, 1));
    return signOne(call, await prepareOffice(call, args[0] ?? '', o), arg(args, 2) ?? o.CertificateSerial);
  },
  4: async (call, args) => signOne(call, prepareCms(call, args[0] ?? ''), arg(args, 1)),
  // The plugin's licence check: Kyso needs none, and says yes.
  6: async () => success(''),
  7: async () => '1',
  8: signBatch,
  9: async (call, args) => signOne(call, prepareHash(call, args), arg(args, 1)),
  10: signBatch,
  11: async () => KYSO_VERSION,
  34: async (call, args) => {
    const serial = arg(args, 0);
    if (serial) return success('1', (await bySerial(call, serial))!.serial);
    if (call.parts.tokens.tokens().length === 0) throw new KysoError('NO_TOKEN');
    return success('1');
  },
  45: allCertificates,
  47: allCertificates,
};

async function allCertificates(call: CallContext): Promise<PluginResult> {
  const { certificates } = await certificatesList(call.parts, call.ctx);
  const list: CertificateSummary[] = certificates.map((c) => ({
    serial: c.serialNumber,
    subjectCN: c.subject.commonName ?? '',
    issuerCN: c.issuer.commonName ?? '',
    organization: c.subject.organization ?? '',
    email: c.subject.email ?? '',
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    base64: c.certificate,
  }));
  return success(JSON.stringify(list));
}

/** Runs one call; errors become the plugin's negative results, never exceptions. */
export async function callFunction(call: CallContext, functionID: number, args: readonly string[]): Promise<PluginResult | string> {
  const fn = Object.hasOwn(FUNCTIONS, functionID) ? FUNCTIONS[functionID] : undefined;
  if (!fn) return notSupported(functionID);
  try {
    return await fn(call, args);
  } catch (err) {
    return failure(err);
  }
}
