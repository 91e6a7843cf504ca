/**
 * Lists and checks the signatures of an Office Open XML package: for each, who signed and when, whether the
 * signature verifies (SignedInfo with the signer's key, every reference, every Manifest reference including the
 * RelationshipTransform), and whether it covers everything Office signs in the package as it is now.
 *
 * Only what a signature references is trusted: the Manifest, SignatureTime and XAdES properties are read from
 * Objects that SignedInfo references and that verified. Certificate trust (chain, revocation) is not judged here.
 */
import { createHash, createPublicKey, verify as verifySignature, X509Certificate } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { KysoError, isKysoError } from '../errors.js';
import { parseCertificate, type SubjectFields } from '../cert/parse.js';
import { DIGEST_BY_URI, NS, REL_TYPE, RELATIONSHIP_TRANSFORM, SIGNATURE_BY_URI, isSignedRelationshipType } from './constants.js';
import { C14N_ALGORITHMS, canonicalizeDocument, canonicalizeElement, c14nOptionsFor } from './c14n.js';
import { openPackage, relsPartOf, type OpcPackage } from './package.js';
import { relationshipTransform } from './relationship-transform.js';
import { checkTimestampToken } from '../tsa/rfc3161.js';
import { timestampIntact, timestampReport, type TimestampReport } from '../tsa/report.js';
import { childElements, descendants, elementChildren, firstChild, parseXml, textOf } from './xml.js';

export type OoxmlSigner = SubjectFields & { fingerprint: string; serialNumber: string; issuer: SubjectFields; notBefore: Date; notAfter: Date };

export interface OoxmlSignatureReport {
  /** The signature part, e.g. `/_xmlsignatures/sig1.xml`. */
  part: string;
  signer?: OoxmlSigner;
  /** DER certificate of the signer. */
  certificate?: Uint8Array;
  /** Every certificate KeyInfo carries (the signer's chain, for trust checks). */
  certificates?: Uint8Array[];
  /** Claimed signing time (XAdES SigningTime, else the package SignatureTime), signed. */
  signingTime?: Date;
  /** SignatureComments ("purpose for signing"), when signed. */
  comment?: string;
  signatureMethod?: string;
  /** The signature value, every SignedInfo reference and every Manifest reference verify. */
  valid: boolean;
  /** Every relationship Office signs, and every part those reach, is covered by this signature. */
  coversAllParts: boolean;
  /** Why the signature is not valid or does not cover the package. */
  problems: string[];
  /** The XAdES SignatureTimeStamp (XAdES-T): when a TSA attests the signature value existed. */
  timestamp?: TimestampReport;
  /** The RFC 3161 token of that timestamp (DER ContentInfo), so its TSA's chain can be checked. */
  timestampToken?: Uint8Array;
  /** The signature value verifies over SignedInfo with the signer's certificate (references aside). */
  signatureValueValid: boolean;
  /** Referenced parts that fail their digest, are missing or changed content type: changed after signing. */
  changedParts: string[];
  /** What Office signs that this signature does not cover (relationships and parts): added or left unsigned. */
  uncoveredParts: string[];
  /** Worth knowing, without making the signature invalid (e.g. a LibreOffice-style digest Office may reject). */
  notes: string[];
  /** Relationship parts whose digest matched only as libxmlsec 1.2 (LibreOffice ≤ 7.x) computes it. */
  legacyRelationshipParts: string[];
}

export interface OoxmlVerification {
  signatures: OoxmlSignatureReport[];
  /** At least one signature, and every one valid and covering the package. */
  allValid: boolean;
}

const b64 = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'base64');

function digestWith(uri: string, data: Uint8Array): Buffer {
  const alg = DIGEST_BY_URI[uri];
  if (!alg) throw new KysoError('UNSUPPORTED_FORMAT', `digest method ${uri}`);
  return createHash(alg).update(data).digest();
}

function idMap(doc: Document): Map<string, Element[]> {
  const map = new Map<string, Element[]>();
  const walk = (e: Element): void => {
    const id = e.getAttribute('Id') ?? e.getAttribute('ID') ?? e.getAttribute('id');
    if (id) map.set(id, [...(map.get(id) ?? []), e]);
    for (const c of elementChildren(e)) walk(c);
  };
  walk(doc.documentElement!);
  return map;
}

function c14nOf(transform: Element): { algorithm: string; prefixes?: string[] } {
  const algorithm = transform.getAttribute('Algorithm') ?? '';
  const inc = firstChild(transform, 'http://www.w3.org/2001/10/xml-exc-c14n#', 'InclusiveNamespaces');
  const prefixes = inc?.getAttribute('PrefixList')?.split(/\s+/).filter(Boolean);
  return prefixes ? { algorithm, prefixes } : { algorithm };
}

interface ReferenceCheck { uri: string; ok: boolean; problem?: string }

/** The Transform elements of a Reference (none when it has no Transforms). */
function transformsOf(ref: Element): Element[] {
  const t = firstChild(ref, NS.dsig, 'Transforms');
  return t ? childElements(t, NS.dsig, 'Transform') : [];
}

/** A same-document reference (`#id`): the element's subtree through its C14N transform (default inclusive C14N). */
function checkLocalReference(ref: Element, ids: Map<string, Element[]>): ReferenceCheck & { target?: Element } {
  const uri = ref.getAttribute('URI') ?? '';
  const targets = ids.get(uri.slice(1)) ?? [];
  if (targets.length !== 1) return { uri, ok: false, problem: targets.length ? `${uri}: Id is not unique` : `${uri}: not found` };
  const target = targets[0]!;
  let c14n = c14nOptionsFor('http://www.w3.org/TR/2001/REC-xml-c14n-20010315');
  for (const t of transformsOf(ref)) {
    const { algorithm, prefixes } = c14nOf(t);
    if (!(C14N_ALGORITHMS as readonly string[]).includes(algorithm)) return { uri, ok: false, problem: `${uri}: unsupported transform ${algorithm}` };
    c14n = c14nOptionsFor(algorithm, prefixes);
  }
  // A same-document URI dereferences to a node-set without comments, whatever the C14N variant.
  return { ...compareDigest(ref, uri, canonicalizeElement(target, { ...c14n, comments: false })), target };
}

function compareDigest(ref: Element, uri: string, bytes: Uint8Array): ReferenceCheck {
  const method = firstChild(ref, NS.dsig, 'DigestMethod')?.getAttribute('Algorithm') ?? '';
  if (!DIGEST_BY_URI[method]) return { uri, ok: false, problem: `${uri}: unsupported digest method ${method}` };
  const ok = digestWith(method, bytes).equals(b64(textOf(firstChild(ref, NS.dsig, 'DigestValue'))));
  return ok ? { uri, ok } : { uri, ok, problem: `${uri}: digest does not match (changed after signing)` };
}

/** The ContentType query parameter, percent-decoded ('+' stays '+': it is part of `…+xml`). */
function contentTypeParam(query: string): string | null {
  for (const kv of query.split('&')) {
    const eq = kv.indexOf('=');
    if (eq > 0 && kv.slice(0, eq) === 'ContentType') {
      try { return decodeURIComponent(kv.slice(eq + 1)); } catch { return kv.slice(eq + 1); }
    }
  }
  return null;
}

type PartCheck = ReferenceCheck & { part?: string; sourceIds?: string[]; sourceTypes?: string[]; legacy?: boolean };

/** A package part reference; a part that cannot be read or parsed is a failed reference, not an exception. */
function checkPartReference(ref: Element, pkg: OpcPackage): PartCheck {
  try {
    return checkPartReferenceUnsafe(ref, pkg);
  } catch (e) {
    const uri = ref.getAttribute('URI') ?? '';
    return { uri, ok: false, problem: `${uri}: ${isKysoError(e) ? e.detail ?? e.message : e instanceof Error ? e.message : String(e)}` };
  }
}

/** A package part reference (`/word/document.xml?ContentType=…`), through the relationship transform when present. */
function checkPartReferenceUnsafe(ref: Element, pkg: OpcPackage): PartCheck {
  const uri = ref.getAttribute('URI') ?? '';
  const q = uri.indexOf('?');
  let name: string;
  try {
    name = decodeURIComponent(q >= 0 ? uri.slice(0, q) : uri);
  } catch {
    return { uri, ok: false, problem: `${uri}: malformed URI` };
  }
  const part = pkg.canonicalName(name.startsWith('/') ? name : `/${name}`);
  if (!part) return { uri, ok: false, problem: `${uri}: part missing from the package` };
  const problems: string[] = [];
  const declared = q >= 0 ? contentTypeParam(uri.slice(q + 1)) : null;
  const actual = pkg.contentType(part);
  if (declared !== null && actual !== undefined && declared.toLowerCase() !== actual.toLowerCase()) {
    problems.push(`${uri}: content type is now ${actual}`);
  }
  let bytes: Uint8Array = pkg.read(part);
  let sourceIds: string[] | undefined;
  let sourceTypes: string[] | undefined;
  let xmlPending = false;
  for (const t of transformsOf(ref)) {
    const algorithm = t.getAttribute('Algorithm') ?? '';
    if (algorithm === RELATIONSHIP_TRANSFORM) {
      sourceIds = childElements(t, NS.mdssi, 'RelationshipReference').map((r) => r.getAttribute('SourceId') ?? '');
      sourceTypes = childElements(t, NS.mdssi, 'RelationshipsGroupReference').map((r) => r.getAttribute('SourceType') ?? '');
      xmlPending = true;
    } else if ((C14N_ALGORITHMS as readonly string[]).includes(algorithm)) {
      // After the relationship transform the output is already canonical; otherwise canonicalise the part.
      if (!xmlPending) {
        const { prefixes } = c14nOf(t);
        bytes = canonicalizeDocument(parseXml(bytes, part), c14nOptionsFor(algorithm, prefixes));
      }
    } else {
      return { uri, ok: false, part, problem: `${uri}: unsupported transform ${algorithm}` };
    }
  }
  let legacy = false;
  let r: ReferenceCheck;
  if (sourceIds || sourceTypes) {
    const selection = { sourceIds: sourceIds ?? [], sourceTypes: sourceTypes ?? [] };
    r = compareDigest(ref, uri, relationshipTransform(bytes, selection, part));
    if (!r.ok && compareDigest(ref, uri, relationshipTransform(bytes, selection, part, true)).ok) {
      r = { uri, ok: true };
      legacy = true;
    }
  } else {
    r = compareDigest(ref, uri, bytes);
  }
  const problem = [r.problem, ...problems].filter(Boolean).join('; ');
  return { uri, ok: r.ok && problems.length === 0, part, ...(problem ? { problem } : {}), ...(sourceIds ? { sourceIds } : {}), ...(sourceTypes ? { sourceTypes } : {}), ...(legacy ? { legacy } : {}) };
}

function pickSigner(certs: Uint8Array[], certDigest: { method: string; value: Buffer } | undefined): Uint8Array | undefined {
  if (certDigest && DIGEST_BY_URI[certDigest.method]) {
    const match = certs.find((c) => digestWith(certDigest.method, c).equals(certDigest.value));
    if (match) return match;
  }
  return certDigest ? undefined : certs[0];
}

function parseTime(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s.trim());
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** What Office signs in this package: relationships (by relationships part) and the parts they reach. */
function requiredCoverage(pkg: OpcPackage): { relationships: Map<string, { id: string; type: string }[]>; parts: Set<string> } {
  const relationships = new Map<string, { id: string; type: string }[]>();
  const parts = new Set<string>();
  for (const relsPart of pkg.relationshipParts()) {
    for (const rel of pkg.relationships(relsPart)) {
      if (!rel.external && !isSignedRelationshipType(rel.type)) continue;
      relationships.set(relsPart.toLowerCase(), [...(relationships.get(relsPart.toLowerCase()) ?? []), { id: rel.id, type: rel.type }]);
      if (!rel.external && rel.targetPart && pkg.has(rel.targetPart) && !/\/_rels\/[^/]*\.rels$/i.test(rel.targetPart)) parts.add(rel.targetPart.toLowerCase());
    }
  }
  return { relationships, parts };
}

function verifyOne(pkg: OpcPackage, part: string): OoxmlSignatureReport {
  const problems: string[] = [];
  const notes: string[] = [];
  const report: OoxmlSignatureReport = { part, valid: false, coversAllParts: false, problems, notes, legacyRelationshipParts: [], signatureValueValid: false, changedParts: [], uncoveredParts: [] };
  let doc: Document;
  try {
    doc = parseXml(pkg.read(part), part);
  } catch (e) {
    problems.push(`signature part unreadable: ${isKysoError(e) ? e.detail ?? e.message : String(e)}`);
    return report;
  }
  const sig = doc.documentElement!;
  if (sig.namespaceURI !== NS.dsig || sig.localName !== 'Signature') {
    problems.push('not an XML signature');
    return report;
  }
  const signedInfo = firstChild(sig, NS.dsig, 'SignedInfo');
  if (!signedInfo) {
    problems.push('no SignedInfo');
    return report;
  }
  const ids = idMap(doc);

  // Certificates and the signing certificate the XAdES properties name (trusted only once they verify).
  const certs = descendants(firstChild(sig, NS.dsig, 'KeyInfo') ?? sig, NS.dsig, 'X509Certificate')
    .filter((c) => c.parentNode && (c.parentNode as Element).localName === 'X509Data')
    .map((c) => new Uint8Array(b64(textOf(c))));

  // SignedInfo references.
  let allRefsOk = true;
  const verifiedTargets: Element[] = [];
  const partRefs: PartCheck[] = [];
  const infoRefs = childElements(signedInfo, NS.dsig, 'Reference');
  if (!infoRefs.length) problems.push('SignedInfo references nothing');
  for (const ref of infoRefs) {
    const uri = ref.getAttribute('URI') ?? '';
    const r = uri.startsWith('#') ? checkLocalReference(ref, ids) : checkPartReference(ref, pkg);
    if (!r.ok) { allRefsOk = false; problems.push(r.problem ?? `${uri}: does not verify`); }
    if ('target' in r && r.target && r.ok) verifiedTargets.push(r.target);
    if (!uri.startsWith('#')) partRefs.push(r);
  }

  // Manifests inside verified Objects.
  const manifests = verifiedTargets.flatMap((t) => (t.localName === 'Manifest' && t.namespaceURI === NS.dsig ? [t] : descendants(t, NS.dsig, 'Manifest')));
  if (!manifests.length) { allRefsOk = false; problems.push('no signed Manifest of package parts'); }
  for (const m of manifests) {
    for (const ref of childElements(m, NS.dsig, 'Reference')) {
      const r = checkPartReference(ref, pkg);
      partRefs.push(r);
      if (!r.ok) { allRefsOk = false; problems.push(r.problem ?? `${r.uri}: does not verify`); }
    }
  }

  const legacyParts = partRefs.filter((r) => r.ok && r.legacy).map((r) => r.part!);
  report.legacyRelationshipParts = legacyParts;
  if (legacyParts.length) {
    notes.push(`relationships digested as LibreOffice (libxmlsec 1.2) computes them, not as the standard says: Microsoft Office may report this signature invalid (${legacyParts.join(', ')})`);
  }

  // Signed properties: time, comment, signing certificate.
  const inSigned = (list: Element[]): Element[] => list.filter((e) => verifiedTargets.some((t) => t === e || isAncestor(t, e)));
  const xadesTime = inSigned([...descendants(sig, NS.xades, 'SigningTime'), ...descendants(sig, NS.xades141, 'SigningTime')])[0];
  const mdssiTime = inSigned(descendants(sig, NS.mdssi, 'SignatureTime'))[0];
  const signingTime = parseTime(xadesTime ? textOf(xadesTime) : textOf(firstChild(mdssiTime ?? sig, NS.mdssi, 'Value')) || undefined);
  if (signingTime) report.signingTime = signingTime;
  const comment = inSigned(descendants(sig, NS.msdigsig, 'SignatureComments'))[0];
  if (comment && textOf(comment)) report.comment = textOf(comment);
  const certDigestEl = inSigned(descendants(sig, NS.xades, 'CertDigest'))[0];
  const certDigest = certDigestEl
    ? { method: firstChild(certDigestEl, NS.dsig, 'DigestMethod')?.getAttribute('Algorithm') ?? '', value: b64(textOf(firstChild(certDigestEl, NS.dsig, 'DigestValue'))) }
    : undefined;
  const signerCert = pickSigner(certs, certDigest);
  if (!certs.length) problems.push('no signer certificate in KeyInfo');
  else if (!signerCert) problems.push('no certificate in KeyInfo matches the signed XAdES SigningCertificate');

  // The signature value over the canonical SignedInfo.
  let signatureOk = false;
  const method = firstChild(signedInfo, NS.dsig, 'SignatureMethod')?.getAttribute('Algorithm') ?? '';
  report.signatureMethod = method;
  const alg = SIGNATURE_BY_URI[method];
  const canon = firstChild(signedInfo, NS.dsig, 'CanonicalizationMethod');
  const { algorithm: c14nAlg, prefixes } = canon ? c14nOf(canon) : { algorithm: '', prefixes: undefined };
  if (!alg) problems.push(`unsupported signature method ${method}`);
  else if (!(C14N_ALGORITHMS as readonly string[]).includes(c14nAlg)) problems.push(`unsupported canonicalization ${c14nAlg}`);
  else if (signerCert) {
    try {
      const x509 = new X509Certificate(signerCert);
      const keyType = x509.publicKey.asymmetricKeyType === 'ec' ? 'EC' : 'RSA';
      if (keyType !== alg.key) problems.push(`signature method ${method} does not fit the ${keyType} key`);
      else {
        const data = canonicalizeElement(signedInfo, c14nOptionsFor(c14nAlg, prefixes));
        const value = b64(textOf(firstChild(sig, NS.dsig, 'SignatureValue')));
        const key = createPublicKey(x509.publicKey.export({ type: 'spki', format: 'pem' }));
        signatureOk = verifySignature(alg.hash, data, keyType === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key, value);
        if (!signatureOk) problems.push('signature value does not verify with the signer certificate');
      }
      const info = parseCertificate(signerCert);
      report.certificate = signerCert;
      report.certificates = certs;
      report.signer = { ...info.subject, fingerprint: info.fingerprint, serialNumber: info.serialNumber, issuer: info.issuer, notBefore: info.notBefore, notAfter: info.notAfter };
    } catch (e) {
      problems.push(`signer certificate unusable: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // XAdES-T: the token's imprint is the digest of the canonical SignatureValue (unsigned property, checked on its own).
  let timestampOk = true;
  const encapsulated = descendants(sig, NS.xades, 'EncapsulatedTimeStamp')
    .filter((e) => e.parentNode && (e.parentNode as Element).localName === 'SignatureTimeStamp')[0];
  if (encapsulated) {
    const stamp = encapsulated.parentNode as Element;
    const valueEl = firstChild(sig, NS.dsig, 'SignatureValue');
    const stampC14n = firstChild(stamp, NS.dsig, 'CanonicalizationMethod');
    const { algorithm: stampAlg, prefixes: stampPrefixes } = stampC14n ? c14nOf(stampC14n) : { algorithm: C14N_ALGORITHMS[0], prefixes: undefined };
    if (!valueEl || !(C14N_ALGORITHMS as readonly string[]).includes(stampAlg)) {
      timestampOk = false;
      problems.push(`signature timestamp: unsupported canonicalization ${stampAlg}`);
    } else {
      const covered = canonicalizeElement(valueEl, c14nOptionsFor(stampAlg, stampPrefixes));
      const token = new Uint8Array(b64(textOf(encapsulated)));
      report.timestampToken = token;
      const check = checkTimestampToken(token, { digestWith: (h) => createHash(h).update(covered).digest() });
      const ts = timestampReport(check);
      if (ts) report.timestamp = ts;
      problems.push(...check.problems.map((p) => `signature timestamp: ${p}`));
      timestampOk = timestampIntact(check);
    }
  }
  report.valid = signatureOk && allRefsOk && timestampOk;
  report.signatureValueValid = signatureOk;
  report.changedParts = [...new Set(partRefs.filter((r) => !r.ok).map((r) => r.part ?? r.uri))];

  // Coverage of what Office signs, in the package as it is now.
  const covered = new Set(partRefs.filter((r) => r.ok && r.part && !r.sourceIds && !r.sourceTypes).map((r) => r.part!.toLowerCase()));
  const relCovered = new Map<string, { ids: Set<string>; types: Set<string> }>();
  for (const r of partRefs) {
    if (!r.ok || !r.part || !(r.sourceIds || r.sourceTypes)) continue;
    relCovered.set(r.part.toLowerCase(), { ids: new Set(r.sourceIds ?? []), types: new Set(r.sourceTypes ?? []) });
  }
  let need: ReturnType<typeof requiredCoverage>;
  try {
    need = requiredCoverage(pkg);
  } catch (e) {
    problems.push(`package damaged, coverage unknown: ${isKysoError(e) ? e.detail ?? e.message : String(e)}`);
    return report;
  }
  const uncovered: string[] = [];
  for (const [relsPart, rels] of need.relationships) {
    const c = relCovered.get(relsPart);
    for (const rel of rels) if (!c || !(c.ids.has(rel.id) || c.types.has(rel.type))) uncovered.push(`relationship ${rel.id} in ${pkg.canonicalName(relsPart) ?? relsPart}`);
  }
  for (const p of need.parts) if (!covered.has(p)) uncovered.push(pkg.canonicalName(p) ?? p);
  // A relationship part with no reference at all (an empty one, say) can gain a relationship unnoticed.
  for (const relsPart of pkg.relationshipParts()) {
    if (!/^\/_xmlsignatures\//i.test(relsPart) && !relCovered.has(relsPart.toLowerCase()) && !need.relationships.has(relsPart.toLowerCase())) uncovered.push(pkg.canonicalName(relsPart) ?? relsPart);
  }
  // A signed part that changed is reported as changed, not also as uncovered.
  report.uncoveredParts = uncovered.filter((u) => !report.changedParts.some((c) => c.toLowerCase() === u.toLowerCase()));
  if (uncovered.length) problems.push(`not covered by this signature: ${uncovered.slice(0, 10).join(', ')}${uncovered.length > 10 ? ` and ${uncovered.length - 10} more` : ''}`);
  report.coversAllParts = uncovered.length === 0 && allRefsOk;
  return report;
}

function isAncestor(a: Element, e: Element): boolean {
  for (let p = e.parentNode; p; p = p.parentNode) if (p === a) return true;
  return false;
}

/** The signature parts of a package, in origin relationship order. */
function signatureParts(pkg: OpcPackage): string[] {
  const packageRels = pkg.relationships('/_rels/.rels');
  const origins = packageRels.filter((r) => r.type === REL_TYPE.origin && r.targetPart && pkg.has(r.targetPart));
  const out: string[] = [];
  for (const origin of origins) {
    for (const rel of pkg.relationships(relsPartOf(origin.targetPart!))) {
      if (rel.type === REL_TYPE.signature && !rel.external && rel.targetPart && pkg.has(rel.targetPart) && !out.includes(rel.targetPart)) out.push(rel.targetPart);
    }
  }
  return out;
}

/** The signatures of an opened package, checked (what verifyOoxml reports). */
export function verifyPackageSignatures(pkg: OpcPackage): OoxmlSignatureReport[] {
  return signatureParts(pkg).map((part) => verifyOne(pkg, part));
}

export async function verifyOoxml(bytes: Uint8Array): Promise<OoxmlVerification> {
  const signatures = verifyPackageSignatures(openPackage(bytes));
  return { signatures, allValid: signatures.length > 0 && signatures.every((s) => s.valid && s.coversAllParts) };
}
