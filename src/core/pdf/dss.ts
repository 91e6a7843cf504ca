/**
 * PAdES B-LT (ETSI EN 319 142-1 §5.4): the document security store. An incremental update adds to the
 * catalog's /DSS the certificates, OCSP responses and CRLs a validator needs later to check each signature's
 * signer and its signature timestamp's TSA up to their roots, without going online — by then the responders
 * may be gone and the certificates expired. A DSS already in the file (earlier LTV signatures) is kept and
 * extended; a /VRI entry per signature (key: SHA-1 of its /Contents, upper-case hex) lists what is its.
 */
import { createHash } from 'node:crypto';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from '@libpdf/core';
import { KysoError } from '../errors.js';
import { parseSignedData } from '../cms/verify.js';
import { certificateDerFields } from '../cert/der-fields.js';
import { parseCertificate } from '../cert/parse.js';
import { RevocationSource } from '../revocation/source.js';
import { certificateSerialHex as certificateSerialHexOf, isSelfSigned } from '../revocation/x509-parts.js';
import { buildChain } from '../cert/chain.js';
import { checkOcspResponse } from '../revocation/ocsp.js';
import { checkCrlFor, parseCrl } from '../revocation/crl.js';
import { OID } from '../cms/algorithms.js';
import { openPdf, type OpenedPdf } from './open.js';
import { writeIncrementalUpdate, type UpdateObject } from './incremental-writer.js';
import { ObjectAllocator } from './signature-field.js';
import { serialize } from './serialize.js';
import { withJoinedBytes, type SignedBytes } from '../signed-output.js';
import { findSignatures } from './verify.js';

export interface DssContents {
  /** The indirect DSS dictionary, when there is one. */
  ref?: PdfRef;
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
  /** VRI keys present. */
  vri: string[];
}

function resolve(doc: OpenedPdf, o: PdfObject | undefined): PdfObject | undefined {
  return o instanceof PdfRef ? (doc.pdf.getObject(o) ?? undefined) : o;
}

function streamsOf(doc: OpenedPdf, dss: PdfDict, key: string): { ref?: PdfRef; data: Uint8Array }[] {
  const arr = resolve(doc, dss.get(key));
  if (!(arr instanceof PdfArray)) return [];
  const out: { ref?: PdfRef; data: Uint8Array }[] = [];
  for (const item of arr) {
    const s = resolve(doc, item);
    if (!(s instanceof PdfStream)) continue;
    try { out.push({ ...(item instanceof PdfRef ? { ref: item } : {}), data: s.getDecodedData() }); } catch { /* unreadable entry: ignore */ }
  }
  return out;
}

/** What the file's DSS holds (empty lists when it has none). */
export function readDss(doc: OpenedPdf): DssContents | undefined {
  const raw = doc.pdf.getCatalog().get('DSS');
  const dss = resolve(doc, raw);
  if (!(dss instanceof PdfDict)) return undefined;
  const vri = resolve(doc, dss.get('VRI'));
  return {
    ...(raw instanceof PdfRef ? { ref: raw } : {}),
    certs: streamsOf(doc, dss, 'Certs').map((s) => s.data),
    ocsps: streamsOf(doc, dss, 'OCSPs').map((s) => s.data),
    crls: streamsOf(doc, dss, 'CRLs').map((s) => s.data),
    vri: vri instanceof PdfDict ? [...vri].map(([k]) => k.value) : [],
  };
}

/** VRI key of a signature: SHA-1 of its /Contents string's bytes, upper-case hex. */
export const vriKey = (contents: Uint8Array): string => createHash('sha1').update(contents).digest('hex').toUpperCase();

interface Collected { certs: Uint8Array[]; ocsps: Uint8Array[]; crls: Uint8Array[] }

/** The certificates whose validity the signature rests on: its signer and, if timestamped, the TSA. */
export function endEntities(contents: Uint8Array): { cert: Uint8Array; pool: Uint8Array[] }[] {
  const out: { cert: Uint8Array; pool: Uint8Array[] }[] = [];
  const visit = (der: Uint8Array, depth: number): void => {
    let parsed: ReturnType<typeof parseSignedData>;
    try { parsed = parseSignedData(der); } catch { return; }
    const si = parsed.signerInfos[0];
    if (!si) return;
    const signer = parsed.certificates.find((c) => {
      try {
        const f = certificateDerFields(c);
        return !!si.sidIssuer && !!si.sidSerial && Buffer.compare(Buffer.from(f.issuer), Buffer.from(si.sidIssuer)) === 0
          && Buffer.compare(Buffer.from(f.serial), Buffer.from(si.sidSerial)) === 0;
      } catch { return false; }
    });
    if (signer) out.push({ cert: signer, pool: parsed.certificates });
    // The unsigned attribute's values are the tokens' ContentInfo TLVs themselves.
    if (depth === 0) for (const ts of si.unsigned.get(OID.signatureTimeStampToken) ?? []) visit(ts, 1);
  };
  visit(contents, 0);
  return out;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const addUnique = (list: Uint8Array[], item: Uint8Array): void => { if (!list.some((x) => same(x, item))) list.push(item); };

export interface AddDssOptions {
  /** Signature fields to gather validation data for (default: every signature and document timestamp). */
  fieldNames?: readonly string[];
  /** Shares answers already fetched (the pre-signing check). */
  source?: RevocationSource;
  /** Extra certificates to build chains from (e.g. the token's CA certificates). */
  extraCertificates?: readonly Uint8Array[];
  /** Fail with REVOCATION_UNAVAILABLE when a certificate's status cannot be had (default true: B-LT promised). */
  requireComplete?: boolean;
}

/** The file is `original` followed by `update`; `bytes` joins them on first read. */
export interface AddDssResult extends SignedBytes {
  readonly bytes: Uint8Array;
  /** What this update added (not counting what the DSS already held). */
  added: { certs: number; ocsps: number; crls: number; bytes: number };
  /** Certificates whose revocation status could not be had, with why. */
  missing: string[];
}

export async function addValidationData(input: Uint8Array | OpenedPdf, options: AddDssOptions = {}): Promise<AddDssResult> {
  const doc = input instanceof Uint8Array ? await openPdf(input) : input;
  const source = options.source ?? new RevocationSource();
  const existing = readDss(doc);
  const wanted = findSignatures(doc).filter((s) => !options.fieldNames || options.fieldNames.includes(s.fieldName));
  if (wanted.length === 0) throw new KysoError('BAD_REQUEST', 'no signature to add validation data for');

  const all: Collected = { certs: [], ocsps: [], crls: [] };
  const perSignature: { key: string; data: Collected }[] = [];
  const missing: string[] = [];
  for (const sig of wanted) {
    const contents = sig.dict.get('Contents');
    if (!(contents instanceof PdfString)) continue;
    const data: Collected = { certs: [], ocsps: [], crls: [] };
    for (const { cert, pool } of endEntities(contents.bytes)) {
      const chain = await source.chain(cert, [...pool, ...(options.extraCertificates ?? []), ...(existing?.certs ?? [])]);
      const path = [cert, ...chain];
      for (const c of path) addUnique(data.certs, c);
      for (let i = 0; i < path.length; i++) {
        const subject = path[i]!;
        const issuer = path[i + 1];
        if (isSelfSigned(subject)) break; // the trust anchor: nothing to revoke it
        const name = parseCertificate(subject).subject.commonName ?? 'certificate';
        if (!issuer) { missing.push(`${name}: issuer certificate not found`); break; }
        const status = await source.status(subject, issuer);
        if (status.ocsp) {
          addUnique(data.ocsps, status.ocsp.der);
          for (const c of status.ocsp.certificates) addUnique(data.certs, c);
        } else if (status.crl) {
          addUnique(data.crls, status.crl.der);
        } else {
          missing.push(`${name}: ${status.problems.join('; ') || 'no revocation data'}`);
        }
      }
    }
    for (const k of ['certs', 'ocsps', 'crls'] as const) for (const x of data[k]) addUnique(all[k], x);
    perSignature.push({ key: vriKey(contents.bytes), data });
  }
  if (missing.length && (options.requireComplete ?? true)) throw new KysoError('REVOCATION_UNAVAILABLE', missing.join(' | '));

  // New streams only for what the DSS does not hold yet; VRI entries point at old or new ones alike.
  const alloc = new ObjectAllocator(doc);
  const objects: UpdateObject[] = [];
  const refs = new Map<string, PdfRef>();
  const fingerprint = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  const existingRaw = resolve(doc, doc.pdf.getCatalog().get('DSS'));
  const oldDss = existingRaw instanceof PdfDict ? existingRaw : undefined;
  const arrays: Record<'Certs' | 'OCSPs' | 'CRLs', PdfObject[]> = { Certs: [], OCSPs: [], CRLs: [] };
  for (const key of ['Certs', 'OCSPs', 'CRLs'] as const) {
    for (const s of oldDss ? streamsOf(doc, oldDss, key) : []) {
      if (s.ref) { refs.set(fingerprint(s.data), s.ref); arrays[key].push(s.ref); }
    }
  }
  const added = { certs: 0, ocsps: 0, crls: 0, bytes: 0 };
  const refFor = (key: 'Certs' | 'OCSPs' | 'CRLs', data: Uint8Array): PdfRef => {
    const f = fingerprint(data);
    let ref = refs.get(f);
    if (!ref) {
      ref = alloc.allocate();
      const body = serialize(new PdfStream([['Filter', PdfName.of('FlateDecode')]], data));
      objects.push({ ref, body });
      refs.set(f, ref);
      arrays[key].push(ref);
      added[key === 'Certs' ? 'certs' : key === 'OCSPs' ? 'ocsps' : 'crls']++;
      added.bytes += body.length;
    }
    return ref;
  };
  for (const c of all.certs) refFor('Certs', c);
  for (const o of all.ocsps) refFor('OCSPs', o);
  for (const c of all.crls) refFor('CRLs', c);

  const oldVri = oldDss ? resolve(doc, oldDss.get('VRI')) : undefined;
  const vri = new PdfDict(oldVri instanceof PdfDict ? [...oldVri].map(([k, v]) => [k, v] as [PdfName, PdfObject]) : []);
  for (const { key, data } of perSignature) {
    const entry: [string, PdfObject][] = [];
    if (data.certs.length) entry.push(['Cert', new PdfArray(data.certs.map((c) => refFor('Certs', c)))]);
    if (data.ocsps.length) entry.push(['OCSP', new PdfArray(data.ocsps.map((o) => refFor('OCSPs', o)))]);
    if (data.crls.length) entry.push(['CRL', new PdfArray(data.crls.map((c) => refFor('CRLs', c)))]);
    vri.set(key, new PdfDict(entry));
  }
  const dss = new PdfDict([['Type', PdfName.of('DSS')]]);
  for (const key of ['Certs', 'OCSPs', 'CRLs'] as const) if (arrays[key].length) dss.set(key, new PdfArray(arrays[key]));
  dss.set('VRI', vri);

  // Rewrite the DSS object in place when it is indirect; otherwise a new object and a catalog that points at it.
  const catalogRef = doc.trailer.getRef('Root')!;
  if (existing?.ref) {
    objects.push({ ref: existing.ref, body: serialize(dss) });
  } else {
    const dssRef = alloc.allocate();
    objects.push({ ref: dssRef, body: serialize(dss) });
    const catalog = doc.pdf.getCatalog();
    const newCatalog = new PdfDict([...catalog].map(([k, v]) => [k, v] as [PdfName, PdfObject]));
    newCatalog.set('DSS', dssRef);
    objects.push({ ref: catalogRef, body: serialize(newCatalog) });
  }
  const written = writeIncrementalUpdate(doc, objects, alloc.size);
  return withJoinedBytes({ original: written.original, update: written.update, added, missing });
}

export interface LtvCertificateStatus {
  /** Subject CN (or "certificate"). */
  name: string;
  status: 'good' | 'revoked' | 'missing';
  via?: 'ocsp' | 'crl';
}

export interface LtvReport {
  /** The DSS has a /VRI entry for this signature. */
  vri: boolean;
  /** Every certificate of the signer's and the TSA's chains up to a self-signed root is in the DSS or the CMS, with an OCSP response or CRL for each below the root. */
  complete: boolean;
  certificates: LtvCertificateStatus[];
}

/**
 * Whether the DSS lets a validator check this signature offline: chains from the CMS and DSS certificates,
 * and for each non-root certificate an OCSP response (signed by its issuer or a delegated responder) or a CRL
 * (signed by its issuer) about it. Answers are judged on origin, not on being current: they are archives.
 */
export function ltvStatus(contents: Uint8Array, dss: DssContents): LtvReport {
  const certificates: LtvCertificateStatus[] = [];
  let complete = true;
  const crls = dss.crls.flatMap((c) => { try { return [parseCrl(c)]; } catch { return []; } });
  for (const { cert, pool } of endEntities(contents)) {
    const path = [cert, ...buildChain(cert, [...pool, ...dss.certs])];
    if (!isSelfSigned(path[path.length - 1]!)) complete = false;
    for (let i = 0; i + 1 < path.length; i++) {
      const subject = path[i]!;
      const issuer = path[i + 1]!;
      const name = parseCertificate(subject).subject.commonName ?? 'certificate';
      let found: LtvCertificateStatus | undefined;
      for (const o of dss.ocsps) {
        try {
          const r = checkOcspResponse(o, subject, issuer, { anyTime: true });
          if (r.status !== 'unknown') { found = { name, status: r.status, via: 'ocsp' }; break; }
        } catch { /* about another certificate */ }
      }
      if (!found) {
        for (const crl of crls) {
          try {
            checkCrlFor(crl, subject, issuer, 'any-time');
            found = { name, status: crl.revoked.has(certificateSerialHexOf(subject)) ? 'revoked' : 'good', via: 'crl' };
            break;
          } catch { /* another issuer's CRL */ }
        }
      }
      found ??= { name, status: 'missing' };
      if (found.status !== 'good') complete = false;
      certificates.push(found);
    }
  }
  return { vri: dss.vri.includes(vriKey(contents)), complete, certificates };
}
