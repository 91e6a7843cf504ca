/**
 * The history report of a signed PDF for the official who receives it: for each signature, who signed (name and
 * identifiers), which revision, when (TSA time, or the signer's claimed time), the PAdES level, whether the
 * certificate chains to a trusted anchor, and what changed afterwards. Cryptographic integrity comes from
 * pdf/verify.ts (and cms/verify.ts below it); this module adds revisions and trust on top.
 */
import { PdfArray, PdfNumber, PdfString } from '@libpdf/core';
import { KysoError } from '../errors.js';
import { openPdf } from '../pdf/open.js';
import { findSignatures, verifyPdf, type PdfSignatureReport } from '../pdf/verify.js';
import { endEntities, readDss } from '../pdf/dss.js';
import { parseCrl, type ParsedCrl, RevocationSource } from '../revocation/index.js';
import type { SubjectFields } from '../cert/parse.js';
import { AnalysisCache, analyzeAfter, type RevisionHistory } from './revisions.js';
import { vietnamTime } from './vietnam-time.js';
import { embeddedRevocation } from './embedded-revocation.js';
import { checkChain, type ChainCheck, type TrustAnchor } from './trust.js';

export type PadesLevelReached = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export interface SignerIdentity {
  name?: string;
  /** CCCD, CMND, MST, … from the certificate's UID. */
  identifiers: Record<string, string>;
  organization?: string;
  organizationalUnit?: string;
  title?: string;
  email?: string;
  issuer?: string;
  fingerprint?: string;
}

export interface SignatureValidation {
  /** 1-based, in file order; also the revision number `--extract-revision` takes. */
  number: number;
  fieldName: string;
  kind: PdfSignatureReport['kind'];
  signer?: SignerIdentity;
  /** When it was signed: the TSA's time when a valid timestamp exists, otherwise what the signer's computer claimed. */
  time?: { at: Date; /** `at` in Asia/Ho_Chi_Minh, e.g. 2026-12-02 13:28:42 +07:00. */ local: string; source: 'tsa' | 'claimed'; tsa?: string };
  level?: PadesLevelReached;
  reason?: string;
  location?: string;
  /** The signed revision: bytes [0, end). */
  revisionEnd: number;
  intact: boolean;
  history: RevisionHistory;
  /** Chains checked (absent when trust was not asked for). */
  trust?: { signer?: ChainCheck; tsa?: ChainCheck; trusted: boolean };
  /** valid: intact, only allowed changes after, trusted (or trust not checked); untrusted: intact but a chain fails. */
  verdict: 'valid' | 'invalid' | 'modified' | 'untrusted';
  problems: string[];
  details: PdfSignatureReport;
}

export interface PdfValidation {
  signatures: SignatureValidation[];
  /** 0 all valid; 1 broken or modified (or no signature); 3 intact but not trusted. */
  exitCode: 0 | 1 | 3;
  dss?: { certs: number; ocsps: number; crls: number; vri: number };
}

export interface ValidateOptions {
  /** Anchors to chain to; undefined skips trust entirely. */
  anchors?: readonly TrustAnchor[];
  /** No network: revocation only from the file (default false). */
  offline?: boolean;
}

function identity(s: PdfSignatureReport['signer']): SignerIdentity | undefined {
  if (!s) return undefined;
  const pick = (f: SubjectFields): Partial<SignerIdentity> => ({
    ...(f.commonName ? { name: f.commonName } : {}),
    ...(f.organization ? { organization: f.organization } : {}),
    ...(f.organizationalUnit ? { organizationalUnit: f.organizationalUnit } : {}),
    ...(f.title ? { title: f.title } : {}),
    ...(f.email ? { email: f.email } : {}),
  });
  return { identifiers: s.identifiers, ...pick(s), ...(s.issuer.commonName ? { issuer: s.issuer.commonName } : {}), fingerprint: s.fingerprint };
}

const rangeKey = (r: readonly number[] | undefined): string => (r ?? []).join(',');

export async function validatePdf(bytes: Uint8Array, options: ValidateOptions = {}): Promise<PdfValidation> {
  const doc = await openPdf(bytes);
  const verification = await verifyPdf(doc);
  const contentsByRange = new Map<string, Uint8Array>();
  for (const f of findSignatures(doc)) {
    const br = f.dict.get('ByteRange');
    const c = f.dict.get('Contents');
    if (br instanceof PdfArray && c instanceof PdfString) {
      contentsByRange.set([...br].map((n) => (n instanceof PdfNumber ? n.value : NaN)).join(','), c.bytes);
    }
  }
  let dss: ReturnType<typeof readDss>;
  try { dss = readDss(doc); } catch { dss = undefined; }
  const crls = (dss?.crls ?? []).flatMap((c): ParsedCrl[] => { try { return [parseCrl(c)]; } catch { return []; } });
  const material = { ocsps: dss?.ocsps ?? [], crls };
  const source = options.offline ? undefined : new RevocationSource({ at: new Date() });
  const cache = new AnalysisCache(bytes);
  const ends = verification.signatures.map((s) => (s.byteRange ? s.byteRange[2]! + s.byteRange[3]! : 0));

  const signatures: SignatureValidation[] = [];
  for (const [i, s] of verification.signatures.entries()) {
    const end = ends[i]!;
    const problems = [...s.problems];
    const history = await analyzeAfter(bytes, end, cache).catch((e: unknown): RevisionHistory => ({
      // What cannot be analysed cannot be called an allowed change: a damaged update is a disallowed one.
      signedEnd: end, updates: [], trailingBytes: 0, verdict: 'disallowed-changes', changedPages: [],
      problems: [`the updates after this signature cannot be read: ${e instanceof Error ? e.message : String(e)}`],
    }));
    problems.push(...history.problems);
    const tsOk = !!s.timestamp && s.timestamp.imprintMatches && s.timestamp.signatureValid;
    const time = s.kind === 'document-timestamp'
      ? (s.timestamp ? { at: s.timestamp.time, source: 'tsa' as const, ...(s.timestamp.tsa ? { tsa: s.timestamp.tsa } : {}) } : undefined)
      : tsOk ? { at: s.timestamp!.time, source: 'tsa' as const, ...(s.timestamp!.tsa ? { tsa: s.timestamp!.tsa } : {}) }
        : s.claimedTime ? { at: s.claimedTime, source: 'claimed' as const } : undefined;

    let level: PadesLevelReached | undefined;
    if (s.kind === 'signature') {
      level = s.hasTimestamp && tsOk ? 'B-T' : 'B-B';
      if (level === 'B-T' && s.ltv?.complete) {
        level = 'B-LT';
        const archived = verification.signatures.some((o, j) => o.kind === 'document-timestamp' && o.intact && ends[j]! > end);
        if (archived) level = 'B-LTA';
      }
    }

    let trust: SignatureValidation['trust'];
    if (options.anchors) {
      const contents = contentsByRange.get(rangeKey(s.byteRange));
      const entities = contents ? endEntities(contents) : [];
      const pool = (p: Uint8Array[]): Uint8Array[] => [...p, ...(dss?.certs ?? [])];
      // Revocation answers the file carries: the DSS, plus what this signature's CMS embeds (Adobe-style).
      const embedded = contents ? embeddedRevocation(contents) : { ocsps: [], crls: [] };
      const own = {
        ocsps: [...material.ocsps, ...embedded.ocsps],
        crls: [...material.crls, ...embedded.crls.flatMap((c): ParsedCrl[] => { try { return [parseCrl(c)]; } catch { return []; } })],
      };
      const opts = { anchors: options.anchors, material: own, online: !options.offline, ...(source ? { source } : {}) };
      let signer: ChainCheck | undefined;
      let tsa: ChainCheck | undefined;
      // A document timestamp's only end entity is its TSA; a signature's are the signer, then its timestamp's TSA.
      const [first, second] = entities;
      if (s.kind === 'document-timestamp') {
        if (first) tsa = await checkChain(first.cert, pool(first.pool), { ...opts, at: time?.at ?? new Date(), atIsTrusted: !!time });
      } else {
        // No time at all (no /M, no signing-time, no timestamp): the certificate must be valid now.
        if (first) signer = await checkChain(first.cert, pool(first.pool), { ...opts, at: time?.at ?? new Date(), atIsTrusted: time?.source === 'tsa' });
        if (second && s.timestamp) tsa = await checkChain(second.cert, pool(second.pool), { ...opts, at: s.timestamp.time, atIsTrusted: true });
      }
      const checks = [signer, tsa].filter((c): c is ChainCheck => !!c);
      const trusted = checks.length > 0 && checks.every((c) => c.trusted) && (s.kind === 'document-timestamp' || !!signer);
      trust = { ...(signer ? { signer } : {}), ...(tsa ? { tsa } : {}), trusted };
    }

    const verdict: SignatureValidation['verdict'] = !s.intact ? 'invalid'
      : history.verdict === 'disallowed-changes' ? 'modified'
        : trust && !trust.trusted ? 'untrusted' : 'valid';
    signatures.push({
      number: i + 1,
      fieldName: s.fieldName,
      kind: s.kind,
      ...(s.signer ? { signer: identity(s.signer)! } : {}),
      ...(time ? { time: { ...time, local: vietnamTime(time.at) } } : {}),
      ...(level ? { level } : {}),
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.location ? { location: s.location } : {}),
      revisionEnd: end,
      intact: s.intact,
      history,
      ...(trust ? { trust } : {}),
      verdict,
      problems,
      details: s,
    });
  }
  const exitCode = signatures.length === 0 || signatures.some((s) => s.verdict === 'invalid' || s.verdict === 'modified') ? 1
    : signatures.some((s) => s.verdict === 'untrusted') ? 3 : 0;
  return { signatures, exitCode, ...(verification.dss ? { dss: verification.dss } : {}) };
}

/** The bytes of the revision signature `number` (1-based) covers: what the signer saw and signed. */
export async function extractRevision(bytes: Uint8Array, number: number): Promise<Uint8Array> {
  const v = await verifyPdf(bytes);
  const s = v.signatures[number - 1];
  if (!s?.byteRange) throw new KysoError('BAD_REQUEST', `no signature #${number}`);
  return bytes.subarray(0, s.byteRange[2]! + s.byteRange[3]!);
}
