/**
 * The history report of a signed Office document, shaped like validate-pdf's: per package signature who signed,
 * when (the XAdES timestamp's TSA time, else the signed claimed time, in Asia/Ho_Chi_Minh), the XAdES level, the
 * signer's and the TSA's chains to a trust anchor, and what changed after signing (parts whose digest fails,
 * parts Office signs that the signature does not cover). Integrity comes from ooxml/verify.ts.
 */
import { verifyOoxml, type OoxmlSignatureReport } from '../ooxml/verify.js';
import { endEntities } from '../pdf/dss.js';
import { RevocationSource } from '../revocation/index.js';
import { checkChain, type ChainCheck } from './trust.js';
import type { SignatureValidation, ValidateOptions } from './validate-pdf.js';
import { vietnamTime } from './vietnam-time.js';

export interface OoxmlSignatureValidation {
  /** 1-based, in the package's signature order. */
  number: number;
  /** The signature part, e.g. /_xmlsignatures/sig1.xml. */
  part: string;
  time?: SignatureValidation['time'];
  /** XAdES B-B, or B-T with a valid SignatureTimeStamp. */
  level?: 'B-B' | 'B-T';
  trust?: { signer?: ChainCheck; tsa?: ChainCheck; trusted: boolean };
  /** invalid: the signature value (or its timestamp) is broken; modified: a signed part changed, or something Office signs is not covered. */
  verdict: SignatureValidation['verdict'];
  details: OoxmlSignatureReport;
}

export interface OoxmlValidation {
  signatures: OoxmlSignatureValidation[];
  /** 0 all valid; 1 broken or modified (or no signature); 3 intact but not trusted. */
  exitCode: 0 | 1 | 3;
}

/** Same rules as PDF's verdicts: broken before modified before untrusted. */
export function ooxmlVerdict(s: OoxmlSignatureReport, trusted: boolean | undefined): SignatureValidation['verdict'] {
  const changed = s.changedParts.length > 0 || s.uncoveredParts.length > 0;
  if (!s.valid && (!s.signatureValueValid || !changed)) return 'invalid';
  if (changed || !s.coversAllParts) return 'modified';
  return trusted === false ? 'untrusted' : 'valid';
}

export async function validateOoxml(bytes: Uint8Array, options: ValidateOptions = {}): Promise<OoxmlValidation> {
  const { signatures: reports } = await verifyOoxml(bytes);
  const source = options.offline ? undefined : new RevocationSource({ at: new Date() });
  const signatures: OoxmlSignatureValidation[] = [];
  for (const [i, s] of reports.entries()) {
    const tsOk = !!s.timestamp && s.timestamp.imprintMatches && s.timestamp.signatureValid;
    const time = tsOk
      ? { at: s.timestamp!.time, source: 'tsa' as const, ...(s.timestamp!.tsa ? { tsa: s.timestamp!.tsa } : {}) }
      : s.signingTime ? { at: s.signingTime, source: 'claimed' as const } : undefined;
    let trust: OoxmlSignatureValidation['trust'];
    if (options.anchors) {
      // Office packages carry no DSS: revocation is online only (XAdES-LT values are not read yet).
      const opts = { anchors: options.anchors, material: { ocsps: [], crls: [] }, online: !options.offline, ...(source ? { source } : {}) };
      const signer = s.certificate
        ? await checkChain(s.certificate, s.certificates ?? [], { ...opts, at: time?.at ?? new Date(), atIsTrusted: tsOk })
        : undefined;
      // The TSA of the XAdES SignatureTimeStamp, from the certificates its token carries, as for a PDF's.
      const [stamp] = s.timestampToken && s.timestamp ? endEntities(s.timestampToken) : [];
      const tsa = stamp && s.timestamp ? await checkChain(stamp.cert, stamp.pool, { ...opts, at: s.timestamp.time, atIsTrusted: true }) : undefined;
      const checks = [signer, tsa].filter((c): c is ChainCheck => !!c);
      trust = { ...(signer ? { signer } : {}), ...(tsa ? { tsa } : {}), trusted: !!signer && checks.every((c) => c.trusted) };
    }
    signatures.push({
      number: i + 1,
      part: s.part,
      ...(time ? { time: { ...time, local: vietnamTime(time.at) } } : {}),
      ...(s.signatureValueValid ? { level: tsOk ? 'B-T' as const : 'B-B' as const } : {}),
      ...(trust ? { trust } : {}),
      verdict: ooxmlVerdict(s, trust?.trusted),
      details: s,
    });
  }
  const exitCode = signatures.length === 0 || signatures.some((s) => s.verdict === 'invalid' || s.verdict === 'modified') ? 1
    : signatures.some((s) => s.verdict === 'untrusted') ? 3 : 0;
  return { signatures, exitCode };
}
