/**
 * The plugin's signing functions, served by Kyso's own method handlers: the same consent, certificate choice,
 * confirmation and PIN windows as the native API, parameters checked by the native schemas.
 *
 * signArrDataAdvanced (10) and signArrData (8) answer what pages parse with `JSON.parse(JSON.parse(x)[i])`: a
 * JSON array of JSON strings, one `{"code","data","serial","error"}` per item, in order, also when items fail.
 * Every item is checked first; the good ones are signed with one certificate, one confirmation listing them,
 * one PIN; a bad item gets its own failure and does not stop the others.
 */
import { createHash } from 'node:crypto';
import { KysoError, toKysoError } from '../../core/errors.js';
import { sniffDocumentType } from '../../core/document-type.js';
import { decodeBase64, signingSession, type PreparedSignature } from '../methods/common.js';
import { throwIfAborted } from '../abortable.js';
import { signRemoteBatch } from '../methods/remote-batch.js';
import { isRemote } from '../signing-certificate.js';
import { prepareDocxSign } from '../methods/docx-sign.js';
import { prepareHashSign } from '../methods/hash-sign.js';
import { preparePdfSign } from '../methods/pdf-sign.js';
import { METHODS, type MethodName, type ParamsOf } from '../protocol.js';
import { bySerial, pluginSerial, type CallContext } from './certificates.js';
import { assertPagesExist } from './pdf-pages.js';
import { mapPdfSigner, type MappedPdfOptions } from './pdf-signer-options.js';
import { itemArray, itemFailure, itemOk, type ItemResult } from './results.js';

const DEFAULT_NAMES = { pdf: 'tài liệu.pdf', office: 'tài liệu Office (document)', data: 'dữ liệu do trang web gửi (data sent by the site)' } as const;
const MAX_ITEMS = 50;

const validated = <M extends MethodName>(method: M, params: unknown): ParamsOf<M> => {
  const r = METHODS[method].params.safeParse(params);
  if (!r.success) throw new KysoError('BAD_REQUEST', r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; '));
  return r.data as ParamsOf<M>;
};

const arg = (args: readonly string[], i: number): string | undefined => {
  const v = args[i]?.trim();
  return v ? v : undefined;
};

/** What the plugin answers for a signed item: the data, base64. */
type Prepared = PreparedSignature<string>;

function answering<T>(p: PreparedSignature<T>, data: (r: T) => string): Prepared {
  return { ...p, sign: async (k, c, s) => data(await p.sign(k, c, s)) };
}

/** Options dropped on purpose, per call (every item's), for its log line. */
const ignoredByCall = new WeakMap<CallContext, Set<string>>();

/** PdfSigner options; the ones dropped on purpose go to the log (names only). */
function pdfOptions(call: CallContext, json: string | undefined): MappedPdfOptions {
  const mapped = mapPdfSigner(json === 'null' ? undefined : json);
  if (mapped.ignored.length) {
    const all = ignoredByCall.get(call) ?? new Set<string>();
    for (const name of mapped.ignored) all.add(name);
    ignoredByCall.set(call, all);
    call.note({ ignored: [...all].join(',') });
  }
  return mapped;
}

async function preparePdf(call: CallContext, document: string, mapped: MappedPdfOptions, fileName?: string): Promise<Prepared> {
  const params = validated('pdf.sign', { document, fileName: fileName ?? mapped.fileName ?? DEFAULT_NAMES.pdf, ...mapped.params });
  await assertPagesExist(document, mapped.params, call.parts.limits.maxDocumentBytes);
  return answering(await preparePdfSign(call.parts, call.ctx, params), (r) => r.document);
}

async function prepareOffice(call: CallContext, document: string, fileName: string): Promise<Prepared> {
  const params = validated('docx.sign', { document, fileName });
  return answering(await prepareDocxSign(call.parts, call.ctx, params), (r) => r.document);
}

/** A detached CMS SignedData over the data (SHA-256), as `openssl cms -verify -content DATA` checks it. */
function prepareCms(call: CallContext, data: string, fileName: string = DEFAULT_NAMES.data): Prepared {
  const bytes = decodeBase64(data, call.parts.limits.maxDocumentBytes, 'the data');
  const digest = createHash('sha256').update(bytes).digest('base64');
  const prepared = prepareHashSign(call.ctx, validated('hash.sign', { digest, algorithm: 'SHA-256', format: 'cms', fileName }));
  // The confirmation shows the size of the data the page sent, not of its digest.
  return answering({ ...prepared, document: { fileName, size: bytes.length } }, (r) => r.signature);
}

const DIGESTS: Readonly<Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA-1'>> = {
  SHA1: 'SHA-1', SHA256: 'SHA-256', SHA384: 'SHA-384', SHA512: 'SHA-512',
};

/**
 * A `hash` item: `data` is the digest the portal computed, `sigOptions.DigestAlgorithm` names it (default
 * SHA-256). The answer is a detached CMS over that digest, or with `detached: false` the bare signature value.
 * SHA-1 is refused: a SHA-1 signature can be forged by collision, and Kyso's signing layer does not make one.
 */
function prepareHashItem(call: CallContext, data: string, options: Record<string, unknown>): Prepared {
  const named = typeof options.DigestAlgorithm === 'string' ? options.DigestAlgorithm.toUpperCase().replace(/[^A-Z0-9]/g, '') : 'SHA256';
  const algorithm = DIGESTS[named];
  if (!algorithm) throw new KysoError('BAD_REQUEST', `DigestAlgorithm: SHA256, SHA384 or SHA512, got ${named.slice(0, 20)}`);
  if (algorithm === 'SHA-1') throw new KysoError('BAD_REQUEST', 'DigestAlgorithm SHA1 is refused: SHA-1 signatures are forgeable; compute a SHA256 digest');
  const format = options.detached === false || options.detached === 'false' ? 'raw' : 'cms';
  return answering(prepareHashSign(call.ctx, validated('hash.sign', { digest: data, algorithm, format })), (r) => r.signature);
}

/** One signature in its own session: the answer object, or the failure in the same shape. */
async function signOne(call: CallContext, prepare: () => Promise<Prepared> | Prepared, serial?: string): Promise<string> {
  try {
    const prepared = await prepare();
    const certificateId = serial ? (await bySerial(call, serial)).id : undefined;
    const out = await signingSession(call.parts, call.ctx, { certificateId, documents: [prepared.document] }, async (key, certificate, signal) => ({
      data: await prepared.sign(key, certificate, signal), serial: pluginSerial(certificate),
    }), prepared.beforeConfirm);
    call.ctx.progress('done');
    return JSON.stringify(itemOk(out.data, out.serial));
  } catch (err) {
    call.note({ code: toKysoError(err).code });
    return JSON.stringify(itemFailure(err));
  }
}

interface BatchItem { data: string; type: string; sigOptions: string | undefined }

const OFFICE_TYPES = new Set(['docx', 'xlsx', 'pptx']);

/** Items as the library sends them: JSON strings `{"data","type","sigOptions"}` (objects and bare base64 accepted too). */
function batchItems(json: string | undefined, sharedType?: string, sharedOptions?: string): Array<BatchItem | Error> {
  let raw: unknown;
  try {
    raw = JSON.parse(json ?? '');
  } catch {
    throw new KysoError('BAD_REQUEST', 'the items are not a JSON array');
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new KysoError('BAD_REQUEST', 'the items are not a non-empty JSON array');
  if (raw.length > MAX_ITEMS) throw new KysoError('BAD_REQUEST', `at most ${MAX_ITEMS} items per call`);
  return raw.map((entry, i): BatchItem | Error => {
    let item: unknown = entry;
    if (typeof entry === 'string' && entry.trim().startsWith('{')) {
      try { item = JSON.parse(entry); } catch { return new KysoError('BAD_REQUEST', `item ${i + 1} is not JSON`); }
    }
    if (typeof item === 'string') return { data: item, type: sharedType ?? '', sigOptions: sharedOptions };
    if (typeof item !== 'object' || item === null) return new KysoError('BAD_REQUEST', `item ${i + 1}: no data`);
    const o = item as Record<string, unknown>;
    if (typeof o.data !== 'string' || !o.data) return new KysoError('BAD_REQUEST', `item ${i + 1}: no base64 data`);
    const options = typeof o.sigOptions === 'string' ? o.sigOptions : o.sigOptions && typeof o.sigOptions === 'object' ? JSON.stringify(o.sigOptions) : sharedOptions;
    return { data: o.data, type: typeof o.type === 'string' ? o.type : (sharedType ?? ''), sigOptions: options };
  });
}

function objectOptions(json: string | undefined): Record<string, unknown> {
  if (!json || json === 'null') return {};
  try {
    const o = JSON.parse(json) as unknown;
    return typeof o === 'object' && o !== null && !Array.isArray(o) ? o as Record<string, unknown> : {};
  } catch {
    throw new KysoError('BAD_REQUEST', 'sigOptions is not JSON');
  }
}

/** Checks one item as its single-document call would. */
async function prepareItem(call: CallContext, item: BatchItem, index: number): Promise<Prepared> {
  let type = item.type.trim().toLowerCase().replace(/^\./, '');
  if (!type) {
    const sniffed = sniffDocumentType(new Uint8Array(Buffer.from(item.data.slice(0, 1024), 'base64')));
    type = sniffed === 'pdf' ? 'pdf' : sniffed === 'zip' ? 'docx' : 'cmsdetached';
  }
  const n = index + 1;
  if (type === 'pdf') {
    const options = pdfOptions(call, item.sigOptions);
    return preparePdf(call, item.data, options, options.fileName ?? `tài liệu ${n}.pdf`);
  }
  if (OFFICE_TYPES.has(type)) return prepareOffice(call, item.data, `tài liệu ${n}.${type}`);
  if (type === 'cmsdetached' || type === 'cms' || type === 'txt') return prepareCms(call, item.data, `dữ liệu ${n} (data)`);
  if (type === 'hash') return prepareHashItem(call, item.data, objectOptions(item.sigOptions));
  if (type === 'xml') throw new KysoError('BAD_REQUEST', 'Kyso does not make XML signatures (XMLDSig)');
  throw new KysoError('BAD_REQUEST', `unknown item type ${type.slice(0, 20)}: pdf, docx, xlsx, pptx, cmsdetached, txt or hash`);
}

/** Several items: every one checked, the good ones signed with one certificate, one confirmation, one PIN. */
async function signItems(call: CallContext, items: Array<BatchItem | Error>, serial: string | undefined): Promise<string> {
  const results: Array<ItemResult | undefined> = items.map((i) => (i instanceof Error ? itemFailure(i) : undefined));
  const prepared: Array<{ index: number; p: Prepared }> = [];
  for (const [index, item] of items.entries()) {
    if (item instanceof Error) continue;
    try {
      prepared.push({ index, p: await prepareItem(call, item, index) });
    } catch (err) {
      results[index] = itemFailure(err);
    }
  }
  if (prepared.length > 0) {
    try {
      const certificateId = serial ? (await bySerial(call, serial)).id : undefined;
      await signingSession(call.parts, call.ctx, { certificateId, documents: prepared.map((x) => x.p.document) }, async (key, certificate, signal) => {
        if (isRemote(certificate)) {
          // One phone approval for the items it can cover: they run up to their digest side by side (remote-batch.ts).
          const { outcomes } = await signRemoteBatch(prepared.length, key, signal, (i, k, s) => prepared[i]!.p.sign(k, certificate, s));
          throwIfAborted(signal);
          outcomes.forEach((o, i) => { results[prepared[i]!.index] = o.ok ? itemOk(o.value, pluginSerial(certificate)) : itemFailure(o.error); });
          return;
        }
        for (const { index, p } of prepared) {
          try {
            results[index] = itemOk(await p.sign(key, certificate, signal), pluginSerial(certificate));
          } catch (err) {
            if (signal.aborted) throw err;
            results[index] = itemFailure(err);
          }
        }
      }, async (certificate, signal) => {
        for (const { p } of prepared) await p.beforeConfirm?.(certificate, signal);
      });
      call.ctx.progress('done');
    } catch (err) {
      // Nothing signed (the user declined, the PIN, the token): every item not yet answered says why.
      const failure = itemFailure(err);
      for (const { index } of prepared) results[index] ??= failure;
    }
  }
  const failed = results.filter((r) => r && r.code !== 0).length;
  call.note({ items: items.length, failed });
  if (failed === items.length) call.note({ code: 'ALL_ITEMS_FAILED' });
  return itemArray(results.map((r) => r ?? itemFailure(new KysoError('INTERNAL'))));
}

/** The whole call cannot be read: one failed item, so `JSON.parse(JSON.parse(x)[0])` still finds the reason. */
const unreadable = (err: unknown): string => itemArray([itemFailure(err)]);

export async function signArrDataAdvanced(call: CallContext, args: readonly string[]): Promise<string> {
  let items: Array<BatchItem | Error>;
  try { items = batchItems(args[0]); } catch (err) { return unreadable(err); }
  // args[2] (clear the PIN cache) and args[3] (show the certificate list) change nothing: Kyso asks for the
  // PIN in its own window and shows the certificate list unless the page named a serial.
  return signItems(call, items, arg(args, 1));
}

export async function signArrData(call: CallContext, args: readonly string[]): Promise<string> {
  let items: Array<BatchItem | Error>;
  try { items = batchItems(args[0], arg(args, 1) ?? '', arg(args, 4)); } catch (err) { return unreadable(err); }
  return signItems(call, items, arg(args, 2));
}

/** SignPDF (2) and SignPDFMultiplePages (12): `[pdf, PdfSigner JSON?]`; `CertificateSerial` names the certificate. */
export async function signPdf(call: CallContext, args: readonly string[]): Promise<string> {
  let mapped: MappedPdfOptions;
  try { mapped = pdfOptions(call, arg(args, 1)); } catch (err) { return JSON.stringify(itemFailure(err)); }
  return signOne(call, () => preparePdf(call, args[0] ?? '', mapped), mapped.certificateSerial);
}

export const signOffice = (call: CallContext, args: readonly string[]): Promise<string> =>
  signOne(call, () => prepareOffice(call, args[0] ?? '', DEFAULT_NAMES.office));

export const signCms = (call: CallContext, args: readonly string[]): Promise<string> =>
  signOne(call, () => prepareCms(call, args[0] ?? ''));

const HASH_BY_LENGTH: Readonly<Record<number, 'SHA-256' | 'SHA-384' | 'SHA-512'>> = { 32: 'SHA-256', 48: 'SHA-384', 64: 'SHA-512' };

/** signHash: the bare signature value over a digest the page computed (PKCS#1 v1.5 for RSA, DER ECDSA for EC). */
export const signHash = (call: CallContext, args: readonly string[]): Promise<string> =>
  signOne(call, () => {
    const digest = arg(args, 0) ?? '';
    const algorithm = HASH_BY_LENGTH[Buffer.from(digest, 'base64').length];
    if (!algorithm) throw new KysoError('BAD_REQUEST', 'signHash takes a SHA-256, SHA-384 or SHA-512 digest, base64');
    return answering(prepareHashSign(call.ctx, validated('hash.sign', { digest, algorithm, format: 'raw' })), (r) => r.signature);
  });
