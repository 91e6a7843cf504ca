/**
 * Checks every signature in a PDF: which bytes it covers, whether its CMS verifies over them, who signed,
 * the claimed time, and whether the file changed after it. Independent of signing: it trusts nothing we wrote.
 */
import { PdfArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfString, type PdfObject } from '@libpdf/core';
import { KysoError } from '../errors.js';
import { verifySignedData, type CmsSignerCheck } from '../cms/verify.js';
import { parseCertificate, type SubjectFields } from '../cert/parse.js';
import { openPdf, type OpenedPdf } from './open.js';
import { withoutLibraryWarnings } from './crypt/quiet.js';
import { assertWithinBudget } from './decode-budget.js';
import { decodeTextString, parsePdfDate } from './text-string.js';
import { digestByteRange } from './sign.js';
import { createHash } from 'node:crypto';
import { checkTimestampToken } from '../tsa/rfc3161.js';
import { timestampIntact, timestampReport, type TimestampReport } from '../tsa/report.js';

export type { TimestampReport };
import { ltvStatus, readDss, type DssContents, type LtvReport } from './dss.js';

export interface PdfSignatureReport {
  fieldName: string;
  subFilter: string;
  /** A signer's signature, or a document timestamp (SubFilter ETSI.RFC3161, PAdES B-LTA). */
  kind: 'signature' | 'document-timestamp';
  signer?: SubjectFields & { fingerprint: string; serialNumber: string; issuer: SubjectFields; notBefore: Date; notAfter: Date };
  /** /M of the signature dictionary: the time the signer's computer claimed. */
  claimedTime?: Date;
  reason?: string;
  location?: string;
  contactInfo?: string;
  byteRange?: readonly number[];
  /** The signature value verifies with the signer's key over the signed attributes. */
  cmsValid: boolean;
  /** The message-digest attribute equals the digest of the bytes the ByteRange names. */
  digestMatches: boolean;
  /** The ByteRange starts at 0 and leaves out exactly the /Contents string. */
  byteRangeSane: boolean;
  /** The signature covers the file up to its last byte. */
  coversWholeFile: boolean;
  /** Bytes appended after this signature's revision (later signatures or other changes). */
  bytesAfter: number;
  /** Intact: CMS valid, digest matches, ByteRange sane. */
  intact: boolean;
  pades: { signingCertificateV2: boolean; noSigningTimeAttribute: boolean; attributesDer: boolean; signingCertificateMatches: boolean };
  hasTimestamp: boolean;
  /** The signature timestamp (B-T), or the document timestamp's own token. */
  timestamp?: TimestampReport;
  /** What the DSS holds for this signature (present when the file has a DSS). */
  ltv?: LtvReport;
  problems: string[];
}

export interface PdfVerification {
  signatures: PdfSignatureReport[];
  /** True when there is at least one signature and every one is intact. */
  allIntact: boolean;
  /** The document security store (PAdES B-LT), when present. */
  dss?: { certs: number; ocsps: number; crls: number; vri: number };
}

const OID_SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

function resolve(doc: OpenedPdf, o: PdfObject | undefined): PdfObject | undefined {
  return o instanceof PdfRef ? (doc.pdf.getObject(o) ?? undefined) : o;
}

/** Resolves a signature dictionary (see crypt/quiet.ts for why quietly). */
function resolveSignatureValue(doc: OpenedPdf, o: PdfObject | undefined): PdfObject | undefined {
  return withoutLibraryWarnings(!!doc.encryption, () => resolve(doc, o));
}

export interface FoundSignature { fieldName: string; dict: PdfDict }

/**
 * A signature's /Contents is never encrypted (ISO 32000 §7.6.2), but the PDF library decrypts it with the rest
 * of an encrypted file's object. The clear bytes are the string the ByteRange leaves out — taken only when the
 * library's view of /Contents is what decrypting them gives (or them unchanged, where decryption failed), so a
 * ByteRange pointing elsewhere is still caught by the checks that compare the two.
 */
function withClearContents(doc: OpenedPdf, raw: PdfObject | undefined, dict: PdfDict): PdfDict {
  const crypt = doc.encryption?.crypt;
  const seen = dict.get('Contents');
  const range = dict.getArray('ByteRange');
  if (!crypt || !(raw instanceof PdfRef) || !(seen instanceof PdfString) || !range || range.length !== 4) return dict;
  const [, b, c] = [...range].map((n) => (n instanceof PdfNumber ? n.value : NaN));
  if (!Number.isInteger(b) || !Number.isInteger(c) || b! < 0 || c! > doc.bytes.length || c! - b! < 2) return dict;
  const text = Buffer.from(doc.bytes.subarray(b!, c!)).toString('latin1');
  if (!/^<[0-9A-Fa-f\s]*>$/.test(text)) return dict;
  const clear = new Uint8Array(Buffer.from(text.slice(1, -1).replace(/\s+/g, ''), 'hex'));
  const decrypted = crypt.decryptString(clear, raw.objectNumber, raw.generation);
  const same = (x: Uint8Array | undefined): boolean => !!x && Buffer.compare(Buffer.from(x), Buffer.from(seen.bytes)) === 0;
  if (!same(clear) && !same(decrypted)) return dict;
  const copy = new PdfDict([...dict].map(([k, v]) => [k, v] as [PdfName, PdfObject]));
  copy.set('Contents', new PdfString(clear, 'hex'));
  return copy;
}

/** Signature fields with a value, walking /Kids; fully qualified names. */
export function findSignatures(doc: OpenedPdf): FoundSignature[] {
  const out: FoundSignature[] = [];
  const acro = resolve(doc, doc.pdf.getCatalog().get('AcroForm'));
  const seen = new Set<PdfDict>();
  const walk = (arr: PdfObject | undefined, prefix: string, inheritedFt: string | undefined, depth: number): void => {
    const a = resolve(doc, arr);
    if (!(a instanceof PdfArray) || depth > 32) return;
    for (const item of a) {
      const f = resolve(doc, item);
      if (!(f instanceof PdfDict) || seen.has(f)) continue;
      seen.add(f);
      const t = f.getString('T');
      const name = t ? (prefix ? `${prefix}.${decodeTextString(t.bytes)}` : decodeTextString(t.bytes)) : prefix;
      const ft = f.getName('FT')?.value ?? inheritedFt;
      const v = resolveSignatureValue(doc, f.get('V'));
      if (ft === 'Sig' && v instanceof PdfDict) out.push({ fieldName: name, dict: withClearContents(doc, f.get('V'), v) });
      walk(f.get('Kids'), name, ft, depth + 1);
    }
  };
  if (acro instanceof PdfDict) walk(acro.get('Fields'), '', undefined, 0);
  // Some signers (poppler with a form written inline in the catalog) attach the field only to the page.
  for (const page of doc.pdf.getPages()) {
    const annots = resolve(doc, page.dict.get('Annots'));
    if (!(annots instanceof PdfArray)) continue;
    for (const item of annots) {
      const w = resolve(doc, item);
      if (!(w instanceof PdfDict) || seen.has(w) || w.getName('FT')?.value !== 'Sig') continue;
      seen.add(w);
      const v = resolveSignatureValue(doc, w.get('V'));
      const t = w.getString('T');
      if (v instanceof PdfDict) out.push({ fieldName: t ? decodeTextString(t.bytes) : '', dict: withClearContents(doc, w.get('V'), v) });
    }
  }
  return out;
}

function text(dict: PdfDict, key: string): string | undefined {
  const s = dict.get(key);
  return s instanceof PdfString ? decodeTextString(s.bytes).normalize('NFC') : undefined;
}

/** A document timestamp: its /Contents is a TimeStampToken whose imprint is the digest of the ByteRange. */
function checkDocumentTimestamp(bytes: Uint8Array, range: [number, number, number, number], contents: Uint8Array, report: PdfSignatureReport): void {
  const check = checkTimestampToken(contents, { digestWith: (h) => digestByteRange(bytes, range, h) });
  report.problems.push(...check.problems);
  report.cmsValid = check.signatureValid;
  report.digestMatches = check.imprintMatches;
  const ts = timestampReport(check);
  if (ts) { report.timestamp = ts; report.claimedTime = ts.time; }
  if (check.token?.tsaCertificate) report.signer = signerFields(check.token.tsaCertificate);
  report.intact = report.cmsValid && report.digestMatches && report.byteRangeSane;
}

function signerFields(cert: Uint8Array): PdfSignatureReport['signer'] {
  const info = parseCertificate(cert);
  return { ...info.subject, fingerprint: info.fingerprint, serialNumber: info.serialNumber, issuer: info.issuer, notBefore: info.notBefore, notAfter: info.notAfter };
}

function checkOne(doc: OpenedPdf, found: FoundSignature): PdfSignatureReport {
  const { dict, fieldName } = found;
  const bytes = doc.bytes;
  const problems: string[] = [];
  const subFilter = dict.getName('SubFilter')?.value ?? '';
  const report: PdfSignatureReport = {
    fieldName,
    subFilter,
    kind: subFilter === 'ETSI.RFC3161' || dict.getName('Type')?.value === 'DocTimeStamp' ? 'document-timestamp' : 'signature',
    cmsValid: false,
    digestMatches: false,
    byteRangeSane: false,
    coversWholeFile: false,
    bytesAfter: 0,
    intact: false,
    pades: { signingCertificateV2: false, noSigningTimeAttribute: false, attributesDer: false, signingCertificateMatches: false },
    hasTimestamp: false,
    problems,
  };
  const m = text(dict, 'M');
  if (m) { const d = parsePdfDate(m); if (d) report.claimedTime = d; }
  for (const k of ['reason', 'location', 'contactInfo'] as const) {
    const v = text(dict, k === 'contactInfo' ? 'ContactInfo' : k[0]!.toUpperCase() + k.slice(1));
    if (v !== undefined) report[k] = v;
  }

  const br = dict.getArray('ByteRange');
  const range = br ? [...br].map((n) => (n.type === 'number' ? (n as unknown as { value: number }).value : NaN)) : [];
  if (range.length !== 4 || range.some((n) => !Number.isInteger(n) || n < 0)) {
    problems.push('ByteRange missing or malformed');
    return report;
  }
  report.byteRange = range;
  const [a, b, c, d] = range as [number, number, number, number];
  const end = c + d;
  report.byteRangeSane = a === 0 && b < c && end <= bytes.length && bytes[b] === 0x3c /* < */ && bytes[c - 1] === 0x3e /* > */;
  if (!report.byteRangeSane) problems.push('ByteRange does not exclude exactly the /Contents string');
  report.coversWholeFile = end === bytes.length;
  report.bytesAfter = Math.max(0, bytes.length - end);
  if (end > bytes.length) { problems.push('ByteRange points past the end of the file'); return report; }

  const contents = dict.get('Contents');
  if (!(contents instanceof PdfString)) { problems.push('/Contents missing'); return report; }
  // The hex in the gap must be exactly what the dictionary says (no bytes smuggled between the ranges).
  const gapHex = Buffer.from(bytes.subarray(b + 1, c - 1)).toString('latin1').replace(/\s+/g, '');
  if (report.byteRangeSane && Buffer.compare(Buffer.from(gapHex.length % 2 ? `${gapHex}0` : gapHex, 'hex'), Buffer.from(contents.bytes)) !== 0) {
    report.byteRangeSane = false;
    problems.push('/Contents differs from the bytes excluded by ByteRange');
  }

  if (report.kind === 'document-timestamp') {
    checkDocumentTimestamp(bytes, [a, b, c, d], contents.bytes, report);
    return report;
  }

  let cms: CmsSignerCheck;
  try {
    cms = verifySignedData(contents.bytes, (hashName) => digestByteRange(bytes, [a, b, c, d], hashName));
  } catch (e) {
    problems.push(`CMS unreadable: ${(e as Error).message}`);
    return report;
  }
  problems.push(...cms.problems);
  report.cmsValid = cms.signatureValid;
  report.digestMatches = cms.messageDigestMatches;
  report.pades = {
    signingCertificateV2: cms.hasSigningCertificateV2,
    noSigningTimeAttribute: !cms.hasSigningTime,
    attributesDer: cms.attributesDer,
    signingCertificateMatches: cms.signingCertificateMatches,
  };
  const token = cms.unsignedAttributes.get(OID_SIGNATURE_TIMESTAMP)?.[0];
  report.hasTimestamp = token !== undefined;
  let timestampOk = true;
  if (token) {
    const check = checkTimestampToken(token, { digestWith: (h) => createHash(h).update(cms.signatureValue).digest() });
    problems.push(...check.problems);
    const ts = timestampReport(check);
    if (ts) report.timestamp = ts;
    timestampOk = timestampIntact(check);
  }
  if (cms.signerCertificate) {
    try {
      report.signer = signerFields(cms.signerCertificate);
    } catch { problems.push('signer certificate unreadable'); }
  }
  if (!report.claimedTime && cms.signingTime) report.claimedTime = cms.signingTime;
  report.intact = report.cmsValid && report.digestMatches && report.byteRangeSane && timestampOk;
  return report;
}

export async function verifyPdf(input: Uint8Array | OpenedPdf): Promise<PdfVerification> {
  const doc = input instanceof Uint8Array ? await openPdf(input) : input;
  let found: FoundSignature[];
  try {
    found = findSignatures(doc);
  } catch (cause) {
    assertWithinBudget();
    throw new KysoError('DOCUMENT_CORRUPT', 'form fields unreadable', { cause });
  }
  const checked = found.map((f) => ({ found: f, report: checkOne(doc, f) }));
  let dss: DssContents | undefined;
  try { dss = readDss(doc); } catch { /* an unreadable DSS is as good as none */ }
  if (dss) {
    for (const { found: f, report } of checked) {
      const contents = f.dict.get('Contents');
      if (report.kind !== 'signature' || !(contents instanceof PdfString)) continue;
      try { report.ltv = ltvStatus(contents.bytes, dss); } catch { /* CMS unreadable: already a problem */ }
    }
  }
  assertWithinBudget();
  const end = (r: PdfSignatureReport): number => (r.byteRange?.[2] ?? 0) + (r.byteRange?.[3] ?? 0);
  const signatures = checked.map((c) => c.report).sort((x, y) => end(x) - end(y));
  return {
    signatures,
    allIntact: signatures.length > 0 && signatures.every((s) => s.intact),
    ...(dss ? { dss: { certs: dss.certs.length, ocsps: dss.ocsps.length, crls: dss.crls.length, vri: dss.vri.length } } : {}),
  };
}
