/**
 * Signs an Office Open XML package (DOCX, XLSX, PPTX and their macro-enabled forms) the way Microsoft Office does:
 * an XML-DSig signature part under `_xmlsignatures/`, reached from the package through the signature origin.
 *
 * What is signed follows Office: the parts reached through the relationship types Office signs, and those
 * relationships themselves through the RelationshipTransform; beyond Office, also the parts no relationship reaches.
 * Not signed, so they may change later: document properties (docProps), `[Content_Types].xml`, the origin
 * relationship and the signature parts. That is what lets a second signature be added without breaking the first:
 * adding one touches only unsigned things.
 *
 * The key never leaves the token: only the canonical SignedInfo goes to `SigningKey.signData`.
 */
import { createHash } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import type { HashAlgorithm, SigningKey } from '../signing-key.js';
import type { TimestampClient, TimestampToken } from '../tsa/api.js';
import { KysoError } from '../errors.js';
import { certificateDerFields } from '../cert/der-fields.js';
import { ecdsaDerToRaw } from '../token/signature-encoding.js';
import { CONTENT_TYPE, DIGEST_URI, NS, REL_TYPE, SIGNATURE_URI, isSignedRelationshipType } from './constants.js';
import { canonicalizeElement } from './c14n.js';
import { openPackage, relsPartOf, writePackage, type OpcPackage } from './package.js';
import { compactRelationships, relationshipTransform } from './relationship-transform.js';
import { verifyPackageSignatures } from './verify.js';
import {
  SIGNED_PROPERTIES_END, integerToDecimal, keyInfo, officeObject, packageObject, rfc4514, signatureDocument, signatureTimeString, signedInfo,
  unsignedTimestampProperties, xadesObject,
  type ManifestReference,
} from './signature-xml.js';
import { decodeXml, descendants, encodeXml, escapeAttr, parseXml } from './xml.js';

export interface OoxmlSignOptions {
  /** Claimed signing time (SignatureTime and XAdES SigningTime). Default: now. */
  signingTime?: Date;
  /** Digest and signature hash. Default: SHA-256, or the curve's size for EC keys (P-384 → SHA-384). */
  hash?: HashAlgorithm;
  /** "Purpose for signing this document" as Office shows it (SignatureComments). */
  comment?: string;
  /** A timestamp server: the signature gets an XAdES SignatureTimeStamp (XAdES-T) over its value. */
  timestamp?: TimestampClient;
}

export interface OoxmlSignResult {
  bytes: Uint8Array;
  /** The new signature part, e.g. `/_xmlsignatures/sig1.xml`. */
  part: string;
  signingTime: Date;
  hash: HashAlgorithm;
  /** The XAdES signature timestamp, when a timestamp server was given. */
  timestamp?: TimestampToken;
}

const NODE_HASH: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export function defaultHash(key: Pick<SigningKey, 'keyType' | 'keySize'>): HashAlgorithm {
  if (key.keyType === 'EC') return key.keySize > 384 ? 'SHA-512' : key.keySize > 256 ? 'SHA-384' : 'SHA-256';
  return 'SHA-256';
}

/** Percent-encodes what may not appear raw in a URI reference (non-ASCII, spaces…); keeps existing escapes. */
export function partUri(partName: string): string {
  return Array.from(Buffer.from(partName, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-._~!$&'()*+,;=:@/%]/.test(c) && b < 0x80 ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function newRelationshipId(existing: Iterable<string>): string {
  const used = new Set(existing);
  for (let n = 1; ; n++) if (!used.has(`rId${n}`)) return `rId${n}`;
}

/** Inserts `snippet` (written with `{p}` where the root's prefix goes) as the last child of the root element. */
function appendToRoot(text: string, rootLocalName: string, snippet: (prefix: string) => string): string {
  const close = new RegExp(`</((?:[A-Za-z_][\\w.-]*:)?)${rootLocalName}\\s*>(?![\\s\\S]*</(?:[A-Za-z_][\\w.-]*:)?${rootLocalName}\\s*>)`);
  const m = close.exec(text);
  if (m) return text.slice(0, m.index) + snippet(m[1]!) + text.slice(m.index);
  const empty = new RegExp(`<((?:[A-Za-z_][\\w.-]*:)?)${rootLocalName}(\\s[^>]*?)?\\s*/>`);
  const e = empty.exec(text);
  if (!e) throw new KysoError('DOCUMENT_CORRUPT', `no ${rootLocalName} element`);
  const open = e[0].replace(/\s*\/>$/, '>');
  return text.slice(0, e.index) + open + snippet(e[1]!) + `</${e[1]!}${rootLocalName}>` + text.slice(e.index + e[0].length);
}

function relationshipSnippet(id: string, type: string, target: string): (prefix: string) => string {
  return (p) => `<${p}Relationship Id="${escapeAttr(id)}" Type="${escapeAttr(type)}" Target="${escapeAttr(target)}"/>`;
}

/** Adds a relationship to a relationships part, editing its text so everything else stays as written. */
function addRelationship(original: Uint8Array, type: string, target: string, existingIds: Iterable<string>): { bytes: Uint8Array; id: string } {
  const decoded = decodeXml(original);
  const id = newRelationshipId(existingIds);
  const text = appendToRoot(decoded.text, 'Relationships', relationshipSnippet(id, type, target));
  return { bytes: encodeXml(text, decoded), id };
}

function newRelationshipsPart(id: string, type: string, target: string): Uint8Array {
  return new Uint8Array(Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    + `<Relationships xmlns="${NS.relationships}">${relationshipSnippet(id, type, target)('')}</Relationships>`, 'utf8'));
}

/** Relative target from one part's folder to another part in the same or a deeper folder (else absolute). */
function relativeTarget(fromSource: string, to: string): string {
  const dir = fromSource.slice(0, fromSource.lastIndexOf('/') + 1);
  return to.startsWith(dir) ? to.slice(dir.length) : to;
}

/**
 * The Manifest: for every relationships part, the relationships of the types Office signs (and external ones, whose
 * target is outside the package) through the RelationshipTransform, and every internal part they lead to.
 * `read` sees the package as it will be written.
 */
export function manifestReferences(pkg: OpcPackage, read: (partName: string) => Uint8Array, hash: HashAlgorithm, legacyRelationships = false): ManifestReference[] {
  const digest = (b: Uint8Array): Uint8Array => new Uint8Array(createHash(NODE_HASH[hash]).update(b).digest());
  const refs: ManifestReference[] = [];
  const digested = new Set<string>();
  const reached = new Set<string>();
  const relsParts = pkg.relationshipParts();
  const signPart = (part: string): void => {
    const contentType = pkg.contentType(part);
    if (!contentType) throw new KysoError('DOCUMENT_CORRUPT', `part ${part} has no content type`);
    refs.push({ uri: `${partUri(part)}?ContentType=${contentType}`, digest: digest(read(part)) });
  };
  for (const relsPart of relsParts) {
    const sourceIds: string[] = [];
    for (const rel of pkg.relationships(relsPart)) {
      if (rel.external) { if (!sourceIds.includes(rel.id)) sourceIds.push(rel.id); continue; }
      if (rel.targetPart) reached.add(rel.targetPart.toLowerCase());
      if (!isSignedRelationshipType(rel.type)) continue;
      if (!sourceIds.includes(rel.id)) sourceIds.push(rel.id);
      const target = rel.targetPart;
      if (!target || !pkg.has(target) || /\/_rels\/[^/]*\.rels$/i.test(target)) continue;
      const key = target.toLowerCase();
      if (digested.has(key)) continue;
      digested.add(key);
      signPart(target);
    }
    // Every relationship part is signed, an empty one too (as Office and LibreOffice do): otherwise a relationship
    // added there later changes what is shown while the signature still reads as covering the package.
    // The signatures' own origin part is the exception: each new signature adds to it.
    if (sourceIds.length || !/^\/_xmlsignatures\//i.test(relsPart)) {
      refs.push({
        uri: `${partUri(relsPart)}?ContentType=${CONTENT_TYPE.relationships}`,
        sourceIds,
        digest: digest(relationshipTransform(read(relsPart), { sourceIds }, relsPart, legacyRelationships)),
      });
    }
  }
  // A part no relationship reaches (pandoc leaves a notes theme so) is signed too: Office would leave it out, but a
  // verifier that checks the whole package then finds it unsigned, and nothing in the package should be left to
  // change unnoticed. Parts with no content type are not OPC parts and stay out.
  for (const part of pkg.partNames) {
    const key = part.toLowerCase();
    if (reached.has(key) || digested.has(key) || relsParts.includes(part) || key === '/[content_types].xml' || /^\/_xmlsignatures\//i.test(part)) continue;
    if (!pkg.contentType(part)) continue;
    digested.add(key);
    signPart(part);
  }
  // Office and POI order the Manifest by URI.
  return refs.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

function byId(root: Element, id: string): Element {
  const stack: Element[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.getAttribute('Id') === id) return e;
    for (let c = e.lastChild; c; c = c.previousSibling) if (c.nodeType === 1) stack.push(c as Element);
  }
  throw new KysoError('INTERNAL', `no element with Id ${id}`);
}

export async function signOoxml(bytes: Uint8Array, key: SigningKey, opts: OoxmlSignOptions = {}): Promise<OoxmlSignResult> {
  const pkg = openPackage(bytes);
  const hash = opts.hash ?? defaultHash(key);
  const when = opts.signingTime ?? new Date();
  const time = signatureTimeString(when);
  const replace = new Map<string, Uint8Array>();
  const add: { partName: string; data: Uint8Array }[] = [];
  const read = (partName: string): Uint8Array => {
    const name = pkg.canonicalName(partName) ?? partName;
    return replace.get(name) ?? add.find((a) => a.partName.toLowerCase() === name.toLowerCase())?.data ?? pkg.read(name);
  };

  // 1. The signature origin, reached from the package relationships.
  const packageRels = pkg.canonicalName('/_rels/.rels');
  if (!packageRels) throw new KysoError('DOCUMENT_CORRUPT', 'no package relationships (_rels/.rels)');
  const rootRels = pkg.relationships(packageRels);
  if (!rootRels.some((r) => r.type.endsWith('/officeDocument'))) throw new KysoError('DOCUMENT_CORRUPT', 'no main document (officeDocument relationship)');
  const originRel = rootRels.find((r) => r.type === REL_TYPE.origin);
  let originPart = originRel?.targetPart;
  if (!originPart) {
    originPart = '/_xmlsignatures/origin.sigs';
    const edited = addRelationship(pkg.read(packageRels), REL_TYPE.origin, originPart.slice(1), rootRels.map((r) => r.id));
    replace.set(packageRels, edited.bytes);
  }
  if (!pkg.has(originPart)) add.push({ partName: originPart, data: new Uint8Array(0) });
  originPart = pkg.canonicalName(originPart) ?? originPart;

  // 2. A new signature part next to the origin, and the origin's relationship to it.
  const dir = originPart.slice(0, originPart.lastIndexOf('/') + 1);
  let n = 1;
  while (pkg.has(`${dir}sig${n}.xml`)) n++;
  const sigPart = `${dir}sig${n}.xml`;
  const originRels = relsPartOf(originPart);
  const sigTarget = relativeTarget(originPart, sigPart);
  if (pkg.has(originRels)) {
    const name = pkg.canonicalName(originRels)!;
    const edited = addRelationship(pkg.read(name), REL_TYPE.signature, sigTarget, pkg.relationships(name).map((r) => r.id));
    replace.set(name, edited.bytes);
  } else {
    add.push({ partName: originRels, data: newRelationshipsPart('rId1', REL_TYPE.signature, sigTarget) });
  }

  // 3. Content types for the origin (by extension, as Office does) and the signature part.
  const ctName = pkg.canonicalName('/[Content_Types].xml')!;
  const ct = decodeXml(pkg.read(ctName));
  let ctText = ct.text;
  if (pkg.contentType(originPart) !== CONTENT_TYPE.origin) {
    const ext = /\.([^./]+)$/.exec(originPart)?.[1];
    const existingDefault = ext ? parseXml(ctText, '[Content_Types].xml').documentElement!.getElementsByTagNameNS(NS.contentTypes, 'Default') : undefined;
    const clash = ext && existingDefault ? Array.from(existingDefault).some((d) => (d.getAttribute('Extension') ?? '').toLowerCase() === ext.toLowerCase()) : true;
    ctText = appendToRoot(ctText, 'Types', (p) => clash
      ? `<${p}Override PartName="${escapeAttr(originPart!)}" ContentType="${CONTENT_TYPE.origin}"/>`
      : `<${p}Default Extension="${escapeAttr(ext!)}" ContentType="${CONTENT_TYPE.origin}"/>`);
  }
  ctText = appendToRoot(ctText, 'Types', (p) => `<${p}Override PartName="${escapeAttr(sigPart)}" ContentType="${CONTENT_TYPE.signature}"/>`);
  replace.set(ctName, encodeXml(ctText, ct));

  // 4. Relationship parts to be signed lose their insignificant whitespace (see compactRelationships), unless a
  //    signature already covers them: then they stay exactly as they are. If every earlier signature digested
  //    relationships the way LibreOffice's libxmlsec 1.2 does (whitespace as <text/> elements), this one does too:
  //    that package already verifies only there, and a standard digest would make ours fail there.
  const signed = originRel ? pkg.relationships(originRels).some((r) => r.type === REL_TYPE.signature) : false;
  let legacyRelationships = false;
  if (signed) {
    const earlier = verifyPackageSignatures(pkg).filter((s) => s.valid);
    legacyRelationships = earlier.length > 0 && earlier.every((s) => s.legacyRelationshipParts.length > 0);
  } else {
    for (const relsPart of pkg.relationshipParts()) {
      if (!pkg.relationships(relsPart).some((r) => r.external || isSignedRelationshipType(r.type))) continue;
      const compact = compactRelationships(read(relsPart), relsPart);
      if (compact) replace.set(relsPart, compact);
    }
  }

  // 5. What is signed, digested as it will be written.
  const digestUri = DIGEST_URI[hash];
  const refs = manifestReferences(pkg, read, hash, legacyRelationships);
  if (!refs.length) throw new KysoError('DOCUMENT_CORRUPT', 'nothing to sign in this package');

  const certFields = certificateDerFields(key.certificate);
  const nodeHash = NODE_HASH[hash];
  const objects = packageObject(refs, digestUri, time)
    + officeObject(opts.comment ?? '')
    + xadesObject(time, {
      digestUri,
      certDigest: new Uint8Array(createHash(nodeHash).update(key.certificate).digest()),
      issuerName: rfc4514(certFields.issuer),
      serialNumber: integerToDecimal(certFields.serial),
    });

  // 6. Digests of the three signed objects, canonicalised in the context they will have in the signature.
  const draft = parseXml(signatureDocument(objects), 'signature draft', 'INTERNAL').documentElement!;
  const digestOf = (id: string): Uint8Array => new Uint8Array(createHash(nodeHash).update(canonicalizeElement(byId(draft, id))).digest());
  const info = signedInfo(SIGNATURE_URI[key.keyType][hash], digestUri, {
    packageObject: digestOf('idPackageObject'),
    officeObject: digestOf('idOfficeObject'),
    signedProperties: digestOf('idSignedProperties'),
  });
  const certs = keyInfo([key.certificate, ...key.chain]);
  const unsigned = signatureDocument(`${info}<SignatureValue></SignatureValue>${certs}${objects}`);
  const signedInfoEl = descendants(parseXml(unsigned, 'signature', 'INTERNAL'), NS.dsig, 'SignedInfo')[0]!;

  // 7. The token signs the canonical SignedInfo. XML-DSig wants ECDSA as r||s, each of the field size.
  let value = await key.signData(canonicalizeElement(signedInfoEl), hash);
  if (key.keyType === 'EC') value = ecdsaDerToRaw(value, Math.ceil(key.keySize / 8));
  let xml = unsigned.replace('<SignatureValue></SignatureValue>', `<SignatureValue>${Buffer.from(value).toString('base64')}</SignatureValue>`);

  // 8. XAdES-T: a TSA token over the canonical SignatureValue, in the unsigned properties.
  let token: TimestampToken | undefined;
  if (opts.timestamp) {
    const valueEl = descendants(parseXml(xml, 'signature', 'INTERNAL'), NS.dsig, 'SignatureValue')[0]!;
    token = await opts.timestamp.timestamp(new Uint8Array(createHash(nodeHash).update(canonicalizeElement(valueEl)).digest()), hash);
    if (xml.split(SIGNED_PROPERTIES_END).length !== 2) throw new KysoError('INTERNAL', 'QualifyingProperties not found once');
    xml = xml.replace(SIGNED_PROPERTIES_END, `</xd:SignedProperties>${unsignedTimestampProperties(token.der)}</xd:QualifyingProperties>`);
  }
  add.push({ partName: sigPart, data: new Uint8Array(Buffer.from(xml, 'utf8')) });

  const out = writePackage(pkg, replace, add, when);

  // 9. Check the result as a verifier will: a token that signed with the wrong mechanism, or any mistake here,
  //    must not hand back a file whose signature verifies nowhere.
  const check = verifyPackageSignatures(openPackage(out)).find((s) => s.part.toLowerCase() === sigPart.toLowerCase());
  if (!check?.valid || !check.coversAllParts || (token && !check.timestamp)) {
    throw new KysoError('SIGNING_FAILED', `the new signature does not verify: ${check?.problems.join('; ') ?? 'not found'}`);
  }
  return { bytes: out, part: sigPart, signingTime: new Date(time), hash, ...(token ? { timestamp: token } : {}) };
}
