/**
 * One entry point for "sign this file", dispatching on the bytes (PDF today; Office packages with core/ooxml).
 * `signDocument`, `assertSignable` and `timestampDocument` parse in a document worker (isolation/) under a
 * deadline and memory caps; the `…Here` versions are what the worker runs (and what tests of the engines call).
 */
import { KysoError } from './errors.js';
import { withJoinedBytes, type SignedBytes } from './signed-output.js';
import { lazy } from './lazy.js';
import { parseCertificate } from './cert/parse.js';
import { sniffDocumentType } from './document-type.js';
import type { PdfSignOptions, PdfSignResult } from './pdf/sign.js';
import type { OpenedPdf } from './pdf/open.js';
import type { Placement, SignatureAppearanceOptions } from './pdf/appearance/index.js';
import type { HashAlgorithm, SigningKey } from './signing-key.js';
import type { TimestampClient } from './tsa/api.js';
import { assertMaySign, checkCertificate, type CertificateCheck } from './revocation/check.js';
import { RevocationSource } from './revocation/source.js';
import { assertSignableIsolated, signDocumentIsolated, timestampDocumentIsolated, type IsolationGuard, type Signable } from './isolation/documents.js';

const openModule = lazy(() => import('./pdf/open.js'));
const signModule = lazy(() => import('./pdf/sign.js'));
const packageModule = lazy(() => import('./ooxml/package.js'));
const appearanceModule = lazy(() => import('./pdf/appearance/index.js'));
const dssModule = lazy(() => import('./pdf/dss.js'));
const documentTimestampModule = lazy(() => import('./pdf/document-timestamp.js'));
const ooxmlSignModule = lazy(() => import('./ooxml/sign.js'));

/** What signing a PDF without a visible signature loads on its first use: a warmed worker loads it ahead (isolation/jobs.ts). */
export async function loadPdfSigning(): Promise<void> {
  await Promise.all([openModule(), signModule()]);
}

/** PAdES baseline levels: B-B signature; B-T adds a signature timestamp; B-LT adds the DSS; B-LTA a document timestamp over it all. */
export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
export const PADES_LEVELS: readonly PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

export interface DocumentSignOptions {
  reason?: string;
  location?: string;
  contactInfo?: string;
  signingTime?: Date;
  onProgress?: PdfSignOptions['onProgress'];
  /** A visible signature (PDF only): where, and how it looks. Absent: an invisible signature. */
  visible?: { placement: Placement; appearance?: SignatureAppearanceOptions };
  /** PAdES level (PDF). Default: B-T when `timestamp` is given, B-B otherwise. */
  level?: PadesLevel;
  /** The TSA for B-T and above (see tsa/createTimestampClient). */
  timestamp?: TimestampClient;
  /**
   * Checks on the certificate before the token signs. online: validity, key usage and revocation (OCSP, then
   * CRL); offline: no network; off: none. Default online from B-T up (the network is needed anyway), offline at B-B.
   * Expired or revoked stop with CERTIFICATE_EXPIRED / CERTIFICATE_REVOKED; the rest are warnings in the result.
   */
  certificateCheck?: 'online' | 'offline' | 'off';
  /** Sees the check (warnings included) before the token signs; throw (e.g. USER_CANCELLED) to stop. */
  onCertificateCheck?: (check: CertificateCheck) => void | Promise<void>;
  /** PDF: the caller has hashed the original already (see PdfSignOptions.digestAfterOriginal). */
  digestAfterOriginal?: PdfSignOptions['digestAfterOriginal'];
}

/**
 * The signed document is `original` followed by `update` (a PDF: the input untouched, then the incremental
 * updates; Office: an empty `original` and the whole package). `bytes` joins them on first read: a copy, which
 * writers of large files avoid by writing the two pieces.
 */
export interface DocumentSignResult extends SignedBytes {
  format: 'pdf' | 'ooxml';
  readonly bytes: Uint8Array;
  /** The level reached (PAdES, or XAdES B-B/B-T for Office); every level asked for is reached or the call throws. */
  level?: PadesLevel;
  certificateCheck?: CertificateCheck;
  /** The signature timestamp (B-T and above). */
  timestamp?: { time: Date; tsa?: string; url?: string; tokenSize: number };
  /** The PDF signature itself (field, time, hash, byte range), before any DSS or document-timestamp update. */
  pdfSignature?: Pick<PdfSignResult, 'fieldName' | 'signingTime' | 'hash' | 'byteRange'>;
  /** The Office package signature: its part, claimed time and hash. */
  ooxmlSignature?: { part: string; signingTime: Date; hash: HashAlgorithm };
}

/** The format to treat a file as: its bytes, or when they are unrecognisable, what its name claims (so a broken .pdf is DOCUMENT_CORRUPT). */
export function documentFormat(bytes: Uint8Array, fileName?: string): 'pdf' | 'ooxml' | 'unknown' {
  const type = sniffDocumentType(bytes);
  if (type === 'pdf') return 'pdf';
  if (type === 'zip' || type === 'cfb') return 'ooxml';
  const ext = fileName ? /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() : undefined;
  if (ext === 'pdf') return 'pdf';
  if (ext && ['docx', 'xlsx', 'pptx', 'docm', 'xlsm', 'pptm'].includes(ext)) return 'ooxml';
  return 'unknown';
}

/**
 * Opens the document as signing will, so that a damaged, encrypted or unsupported file is refused before anyone
 * is asked to confirm or type a PIN. Returns the format, and a PDF as opened (signDocumentHere may sign it without
 * parsing the file again); throws DOCUMENT_CORRUPT, DOCUMENT_ENCRYPTED, DOCUMENT_SIGNING_FORBIDDEN (an encrypted
 * PDF whose permissions forbid signing) or UNSUPPORTED_FORMAT.
 */
export async function openSignableHere(bytes: Uint8Array, fileName?: string): Promise<{ format: 'pdf'; pdf: OpenedPdf } | { format: 'ooxml' }> {
  const type = documentFormat(bytes, fileName);
  if (type === 'pdf') {
    const { openPdf, assertMayUpdate } = await openModule();
    const pdf = await openPdf(bytes);
    assertMayUpdate(pdf);
    return { format: type, pdf };
  }
  if (type === 'ooxml') {
    const { openPackage } = await packageModule();
    openPackage(bytes);
    return { format: type };
  }
  throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT');
}

/**
 * `opened`: `bytes` as openSignableHere opened them and nothing has signed since (a signature changes the parsed
 * document): the PDF is not parsed a second time.
 */
export async function signDocumentHere(bytes: Uint8Array, key: SigningKey, options: DocumentSignOptions = {}, fileName?: string, opened?: OpenedPdf): Promise<DocumentSignResult> {
  const type = documentFormat(bytes, fileName);
  if (type === 'pdf') {
    const { visible, level: askedLevel, timestamp, certificateCheck, onCertificateCheck, ...pdfOptions } = options;
    const level = askedLevel ?? (timestamp ? 'B-T' : 'B-B');
    const rank = PADES_LEVELS.indexOf(level);
    if (rank < 0) throw new KysoError('BAD_REQUEST', `unknown level ${String(level)}`);
    if (rank >= 1 && !timestamp) throw new KysoError('BAD_REQUEST', `${level} needs a timestamp server (TSA)`);
    const source = new RevocationSource();
    const mode = certificateCheck ?? (rank >= 1 ? 'online' : 'offline');
    let check: CertificateCheck | undefined;
    if (mode !== 'off') {
      check = await checkCertificate(key.certificate, key.chain, { online: mode === 'online', source });
      assertMaySign(check);
      // B-LT needs the signer's revocation status later: when it cannot be had now, stop before the token signs.
      const unknown = check.problems.find((p) => p.code === 'revocation-unknown' || p.code === 'issuer-unknown');
      if (rank >= 2 && mode === 'online' && unknown) throw new KysoError('REVOCATION_UNAVAILABLE', `${unknown.en} ${unknown.detail ?? ''}`.trim());
      await onCertificateCheck?.(check);
    }
    const signOptions = { ...pdfOptions, ...(rank >= 1 ? { timestamp: timestamp! } : {}) };
    // The PDF engine loads where it runs (the document worker), not in every process that imports this module;
    // the appearance code pulls in pdf.js and fonts: load it only for visible signatures.
    const result = visible
      ? await (await appearanceModule()).signPdfVisible(opened ?? bytes, key, { ...signOptions, ...visible })
      : await (await signModule()).signPdf(opened ?? bytes, key, signOptions);
    let update = result.update;
    if (rank >= 2) {
      // Long-term levels re-open the signed file: joined once here (they wait on the network anyway).
      const { addValidationData } = await dssModule();
      let out = (await addValidationData(result.bytes, { fieldNames: [result.fieldName], source, extraCertificates: key.chain })).bytes;
      if (rank >= 3) {
        const { timestampPdf } = await documentTimestampModule();
        out = (await timestampPdf(out, timestamp!)).bytes;
      }
      update = out.subarray(result.original.length);
    }
    const ts = result.timestamp;
    return withJoinedBytes({
      format: 'pdf' as const,
      original: result.original,
      update,
      level,
      pdfSignature: { fieldName: result.fieldName, signingTime: result.signingTime, hash: result.hash, byteRange: result.byteRange },
      ...(check ? { certificateCheck: check } : {}),
      ...(ts ? { timestamp: { time: ts.info.genTime, tokenSize: ts.der.length, ...(ts.source ? { url: ts.source } : {}), ...tsaName(ts.tsaCertificate) } } : {}),
    });
  }
  if (type === 'ooxml') {
    if (options.visible) throw new KysoError('BAD_REQUEST', 'Office documents have no visible signature');
    // XAdES baseline levels: B-B, or B-T with a SignatureTimeStamp. Long-term data (B-LT/B-LTA) is PDF only for now.
    const level = options.level ?? (options.timestamp ? 'B-T' : 'B-B');
    if (level !== 'B-B' && level !== 'B-T') throw new KysoError('BAD_REQUEST', `${level} is not available for Office documents (B-B or B-T)`);
    if (level === 'B-T' && !options.timestamp) throw new KysoError('BAD_REQUEST', 'B-T needs a timestamp server (TSA)');
    // Same rule as PDF: an expired or revoked certificate never signs (offline unless asked otherwise).
    const mode = options.certificateCheck ?? 'offline';
    let check: CertificateCheck | undefined;
    if (mode !== 'off') {
      check = await checkCertificate(key.certificate, key.chain, { online: mode === 'online', source: new RevocationSource() });
      assertMaySign(check);
      await options.onCertificateCheck?.(check);
    }
    const { signOoxml } = await ooxmlSignModule();
    options.onProgress?.('sign');
    const r = await signOoxml(bytes, key, {
      ...(options.signingTime ? { signingTime: options.signingTime } : {}),
      ...(options.reason ? { comment: options.reason } : {}),
      ...(level === 'B-T' ? { timestamp: options.timestamp! } : {}),
    });
    const ts = r.timestamp;
    return withJoinedBytes({
      format: 'ooxml' as const,
      original: new Uint8Array(0),
      update: r.bytes,
      level,
      ooxmlSignature: { part: r.part, signingTime: r.signingTime, hash: r.hash },
      ...(check ? { certificateCheck: check } : {}),
      ...(ts ? { timestamp: { time: ts.info.genTime, tokenSize: ts.der.length, ...(ts.source ? { url: ts.source } : {}), ...tsaName(ts.tsaCertificate) } } : {}),
    });
  }
  throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT');
}

function tsaName(cert: Uint8Array | undefined): { tsa?: string } {
  if (!cert) return {};
  const cn = parseCertificate(cert).subject.commonName;
  return cn ? { tsa: cn } : {};
}

export interface DocumentTimestampRequest {
  timestamp: TimestampClient;
  /** First add the DSS (validation data) for the signatures already in the file: B-LT → B-LTA, or renewing an archive. */
  addValidationData?: boolean;
}

export interface DocumentTimestampOutput extends SignedBytes {
  readonly bytes: Uint8Array;
  time: Date;
  tsa?: string;
}

/** A document timestamp alone (PDF): `kyso timestamp`, and archive renewal with `addValidationData`. */
export async function timestampDocumentHere(bytes: Uint8Array, request: DocumentTimestampRequest): Promise<DocumentTimestampOutput> {
  if (documentFormat(bytes) !== 'pdf') throw new KysoError(bytes.length === 0 ? 'DOCUMENT_CORRUPT' : 'UNSUPPORTED_FORMAT', 'document timestamps are for PDF');
  let out = bytes;
  if (request.addValidationData) {
    const { addValidationData } = await dssModule();
    out = (await addValidationData(out)).bytes;
  }
  const { timestampPdf } = await documentTimestampModule();
  const r = await timestampPdf(out, request.timestamp);
  const update = out === bytes ? r.update : r.bytes.subarray(bytes.length);
  return withJoinedBytes({ original: bytes, update, time: r.token.info.genTime, ...tsaName(r.token.tsaCertificate) });
}

/**
 * Opens the document as signing will (in a document worker), so that a damaged, encrypted, unsupported or
 * hostile file is refused before anyone is asked to confirm or type a PIN. `keep`: a PDF stays open in its worker
 * and signDocument with `guard.kept` signs it without parsing it again; the caller releases `kept` when it is
 * done, signed or not.
 */
export function assertSignable(bytes: Uint8Array, fileName?: string, guard?: IsolationGuard, keep = false): Promise<Signable> {
  return assertSignableIsolated(bytes, fileName, guard, keep);
}

/** Signs with the document parsed in a worker; `key` signs the digest here, on this thread. */
export function signDocument(bytes: Uint8Array, key: SigningKey, options: DocumentSignOptions = {}, fileName?: string, guard?: IsolationGuard): Promise<DocumentSignResult> {
  return signDocumentIsolated(bytes, key, options, fileName, guard);
}

/** A document timestamp with the PDF parsed in a worker. */
export function timestampDocument(bytes: Uint8Array, request: DocumentTimestampRequest, guard?: IsolationGuard): Promise<DocumentTimestampOutput> {
  return timestampDocumentIsolated(bytes, request, guard);
}
