/**
 * Open Packaging Conventions over the raw ZIP: parts, content types, relationships; and writing a package back
 * with a few parts replaced or added while every other entry stays byte for byte as it was.
 */
import type { Element } from '@xmldom/xmldom';
import { KysoError } from '../errors.js';
import { sniffDocumentType } from '../document-type.js';
import { InflateBudget, readEntry, readZip, writeZip, type ZipArchive, type ZipEntry, type ZipOutputEntry } from './zip.js';
import { NS } from './constants.js';
import { childElements, parseXml } from './xml.js';

export interface Relationship {
  id: string;
  type: string;
  target: string;
  external: boolean;
  /** Part name the target resolves to (internal relationships), e.g. `/word/media/image1.png`. */
  targetPart?: string;
  /** All attributes as written (the RelationshipTransform serialises them). */
  element: Element;
}

export interface OpcPackage {
  readonly zip: ZipArchive;
  /** Part names (`/word/document.xml`) in archive order. */
  readonly partNames: readonly string[];
  has(partName: string): boolean;
  /** The part name as stored, for a name that matches case-insensitively (OPC names compare that way). */
  canonicalName(partName: string): string | undefined;
  entry(partName: string): ZipEntry | undefined;
  read(partName: string): Uint8Array;
  contentType(partName: string): string | undefined;
  /** Relationship parts (`/_rels/.rels`, `/word/_rels/document.xml.rels`…). */
  relationshipParts(): string[];
  relationships(relsPartName: string): Relationship[];
}

const RELS_PART = /^(.*\/)_rels\/([^/]*)\.rels$/i;

/** `/word/_rels/document.xml.rels` → `/word/document.xml`; `/_rels/.rels` → `/` (the package). */
export function relsSource(relsPartName: string): string {
  const m = RELS_PART.exec(relsPartName);
  if (!m) throw new KysoError('INTERNAL', `not a relationships part: ${relsPartName}`);
  return m[1]! + m[2]!;
}

/** The relationships part of a source part (`/` for the package). */
export function relsPartOf(source: string): string {
  const i = source.lastIndexOf('/');
  return `${source.slice(0, i + 1)}_rels/${source.slice(i + 1)}.rels`;
}

/** Resolves a relationship target against its source part, as an absolute part name (no query, no fragment). */
export function resolveTarget(source: string, target: string): string {
  const clean = target.replace(/[?#].*$/, '').replace(/\\/g, '/');
  const base = clean.startsWith('/') ? [] : source.slice(0, source.lastIndexOf('/')).split('/').filter(Boolean);
  for (const seg of clean.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') base.pop();
    else base.push(seg);
  }
  return `/${base.join('/')}`;
}

function sniffOffice(bytes: Uint8Array): void {
  const type = sniffDocumentType(bytes);
  if (type === 'pdf') throw new KysoError('UNSUPPORTED_FORMAT', 'a PDF, not an Office package');
  if (type === 'cfb') {
    // Password-protected OOXML is an OLE compound file holding EncryptionInfo + EncryptedPackage streams
    // ([MS-OFFCRYPTO]); any other compound file is a legacy binary document (.doc, .xls, .ppt).
    const name = Buffer.from('EncryptedPackage', 'utf16le');
    if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(name)) {
      throw new KysoError('DOCUMENT_ENCRYPTED', 'password-protected Office document');
    }
    throw new KysoError('UNSUPPORTED_FORMAT', 'legacy binary Office document (.doc/.xls/.ppt); save it as .docx/.xlsx/.pptx');
  }
  if (type !== 'zip') throw new KysoError('DOCUMENT_CORRUPT', 'not an Office package (not a ZIP file)');
}

export function openPackage(bytes: Uint8Array): OpcPackage {
  sniffOffice(bytes);
  const zip = readZip(bytes);
  // Every part read from this package counts once (reads are cached) against one budget.
  const budget = InflateBudget.forInput(bytes.length);
  const cache = new Map<ZipEntry, Uint8Array>();
  const readCached = (e: ZipEntry): Uint8Array => {
    let data = cache.get(e);
    if (!data) {
      data = readEntry(zip, e, budget);
      cache.set(e, data);
    }
    return data;
  };
  const byLower = new Map<string, ZipEntry>();
  const partNames: string[] = [];
  for (const e of zip.entries) {
    if (e.name.endsWith('/')) continue; // directory entries are not parts
    const partName = `/${e.name}`;
    byLower.set(partName.toLowerCase(), e);
    partNames.push(partName);
  }
  const lookup = (partName: string): ZipEntry | undefined => {
    const direct = byLower.get(partName.toLowerCase());
    if (direct) return direct;
    try {
      return byLower.get(decodeURIComponent(partName).toLowerCase());
    } catch {
      return undefined;
    }
  };
  const ctEntry = byLower.get('/[content_types].xml');
  if (!ctEntry) {
    const mimetype = byLower.get('/mimetype');
    if (mimetype && Buffer.from(readCached(mimetype)).toString('latin1').startsWith('application/vnd.oasis.opendocument')) {
      throw new KysoError('UNSUPPORTED_FORMAT', 'an OpenDocument file (.odt/.ods/.odp), not an Office Open XML package');
    }
    throw new KysoError('DOCUMENT_CORRUPT', 'no [Content_Types].xml: not an Office Open XML package');
  }
  const ct = parseXml(readCached(ctEntry), '[Content_Types].xml').documentElement!;
  if (ct.namespaceURI !== NS.contentTypes || ct.localName !== 'Types') throw new KysoError('DOCUMENT_CORRUPT', '[Content_Types].xml: not a Types document');
  const defaults = new Map<string, string>();
  const overrides = new Map<string, string>();
  for (const d of childElements(ct, NS.contentTypes, 'Default')) defaults.set((d.getAttribute('Extension') ?? '').toLowerCase(), d.getAttribute('ContentType') ?? '');
  for (const o of childElements(ct, NS.contentTypes, 'Override')) overrides.set((o.getAttribute('PartName') ?? '').toLowerCase(), o.getAttribute('ContentType') ?? '');

  const relsCache = new Map<string, Relationship[]>();
  const pkg: OpcPackage = {
    zip,
    partNames,
    has: (n) => lookup(n) !== undefined,
    canonicalName: (n) => {
      const e = lookup(n);
      return e ? `/${e.name}` : undefined;
    },
    entry: lookup,
    read(partName) {
      const e = lookup(partName);
      if (!e) throw new KysoError('DOCUMENT_CORRUPT', `missing part ${partName}`);
      return readCached(e);
    },
    contentType(partName) {
      const name = pkg.canonicalName(partName) ?? partName;
      const o = overrides.get(name.toLowerCase());
      if (o !== undefined) return o;
      const ext = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase();
      return ext !== undefined ? defaults.get(ext) : undefined;
    },
    relationshipParts: () => partNames.filter((n) => RELS_PART.test(n)),
    relationships(relsPartName) {
      const key = relsPartName.toLowerCase();
      const hit = relsCache.get(key);
      if (hit) return hit;
      if (!pkg.has(relsPartName)) return [];
      const root = parseXml(pkg.read(relsPartName), relsPartName).documentElement!;
      if (root.namespaceURI !== NS.relationships || root.localName !== 'Relationships') {
        throw new KysoError('DOCUMENT_CORRUPT', `${relsPartName}: not a Relationships document`);
      }
      const source = relsSource(pkg.canonicalName(relsPartName) ?? relsPartName);
      // Duplicate Ids break the OPC rules, but LibreOffice 7.4 writes them (its origin relationship can take an
      // Id already used): they are kept, and the RelationshipTransform selects every relationship of a signed Id.
      const rels = childElements(root, NS.relationships, 'Relationship').map((el): Relationship => {
        const id = el.getAttribute('Id') ?? '';
        const type = el.getAttribute('Type') ?? '';
        const target = el.getAttribute('Target') ?? '';
        if (!id || !type) throw new KysoError('DOCUMENT_CORRUPT', `${relsPartName}: relationship without Id or Type`);
        const external = el.getAttribute('TargetMode') === 'External';
        const resolved = external ? undefined : resolveTarget(source, target);
        const targetPart = resolved ? pkg.canonicalName(resolved) ?? resolved : undefined;
        return { id, type, target, external, element: el, ...(targetPart ? { targetPart } : {}) };
      });
      relsCache.set(key, rels);
      return rels;
    },
  };
  return pkg;
}

/**
 * Writes the package with some parts replaced (kept at their place in the archive) and new parts appended.
 * Every other entry is copied raw.
 */
export function writePackage(pkg: OpcPackage, replace: ReadonlyMap<string, Uint8Array>, add: readonly { partName: string; data: Uint8Array }[], time?: Date): Uint8Array {
  const replaceByEntry = new Map<ZipEntry, Uint8Array>();
  for (const [name, data] of replace) {
    const e = pkg.entry(name);
    if (!e) throw new KysoError('INTERNAL', `replacing missing part ${name}`);
    replaceByEntry.set(e, data);
  }
  const out: ZipOutputEntry[] = pkg.zip.entries.map((e) => {
    const data = replaceByEntry.get(e);
    return data ? { name: e.name, data, ...(time ? { time } : {}) } : { copy: e };
  });
  for (const a of add) {
    if (pkg.has(a.partName)) throw new KysoError('INTERNAL', `adding existing part ${a.partName}`);
    out.push({ name: a.partName.replace(/^\//, ''), data: a.data, ...(time ? { time } : {}) });
  }
  return writeZip(pkg.zip, out, pkg.zip.comment);
}
