/**
 * The OPC RelationshipTransform (ECMA-376 Part 2, §13.2.4.24) followed by C14N, which no XML-DSig library on npm
 * ships. It signs chosen relationships of a relationships part, so others (the signature origin, document
 * properties) can be added or changed later without breaking the signature.
 *
 * The output is produced directly in canonical form: `<Relationships xmlns="…">` holding the selected
 * `<Relationship>` elements sorted by Id, each with TargetMode="Internal" added when absent, all other content
 * (whitespace, comments, foreign namespaces and attributes) dropped.
 */
import type { Attr } from '@xmldom/xmldom';
import { NS } from './constants.js';
import { childElements, decodeXml, encodeXml, escapeAttr, parseXml } from './xml.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface RelationshipSelection {
  /** RelationshipReference SourceId values. */
  sourceIds: readonly string[];
  /** RelationshipsGroupReference SourceType values (allowed by the standard; Office writes SourceId). */
  sourceTypes?: readonly string[];
}

function byCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Removes what the RelationshipTransform drops anyway (whitespace, comments and processing instructions between
 * the elements of the Relationships root), editing the text so nothing else changes; undefined when there is none.
 *
 * Why: libxmlsec's transform (1.2.37, which Debian's LibreOffice 7.4 uses; later xmlsec releases fixed it)
 * serialises such nodes as spurious `<text></text>`/`<comment>` elements, so LibreOffice built on it computes
 * another digest than Office for any relationships part that is not compact — and LibreOffice itself writes a
 * newline before `</Relationships>`. On a compact part every implementation agrees. The relationships themselves,
 * and hence the transform's output, are unchanged (checked).
 */
export function compactRelationships(relsPart: Uint8Array, what = 'relationships part'): Uint8Array | undefined {
  const decoded = decodeXml(relsPart);
  const text = decoded.text;
  const root = /<(?:[A-Za-z_][\w.-]*:)?Relationships(?:\s[^>]*)?>/.exec(text);
  const end = /<\/(?:[A-Za-z_][\w.-]*:)?Relationships\s*>\s*$/.exec(text);
  if (!root || !end || end.index < root.index + root[0].length) return undefined;
  const inner = text.slice(root.index + root[0].length, end.index);
  // Attribute values cannot hold a raw '<', so '>…<' spans only run between markup.
  const compact = inner.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '').replace(/>\s+</g, '><').replace(/^\s+|\s+$/g, '');
  if (compact === inner) return undefined;
  const out = encodeXml(text.slice(0, root.index + root[0].length) + compact + text.slice(end.index), decoded);
  const ids = childElements(parseXml(relsPart, what).documentElement!, NS.relationships, 'Relationship').map((r) => r.getAttribute('Id') ?? '');
  const before = relationshipTransform(relsPart, { sourceIds: ids }, what);
  const after = relationshipTransform(out, { sourceIds: ids }, what);
  if (Buffer.compare(before, after) !== 0) return undefined;
  return out;
}

/**
 * The canonical bytes the RelationshipTransform + C14N produce for a relationships part.
 * `legacy`: as libxmlsec 1.2.x computes it (LibreOffice up to at least 7.4 signs and verifies this way): every
 * non-element node between the relationships (whitespace, comments) becomes an empty element named after the node
 * (`<text></text>`), written before the relationships. Used to recognise such signatures, and to add a signature
 * to a package whose signatures were all made that way (see signOoxml).
 */
export function relationshipTransform(relsPart: Uint8Array, selection: RelationshipSelection, what = 'relationships part', legacy = false): Uint8Array {
  const root = parseXml(relsPart, what).documentElement!;
  const ids = new Set(selection.sourceIds);
  const types = new Set(selection.sourceTypes ?? []);
  const all = childElements(root, NS.relationships, 'Relationship');
  // Equal Ids (only in broken packages) keep document order; libxmlsec 1.2 puts the later one first.
  const selected = all
    .filter((r) => ids.has(r.getAttribute('Id') ?? '\u0000') || types.has(r.getAttribute('Type') ?? '\u0000'))
    .sort((a, b) => byCodePoints(a.getAttribute('Id') ?? '', b.getAttribute('Id') ?? '') || (legacy ? all.indexOf(b) - all.indexOf(a) : 0));
  const out: string[] = [`<Relationships xmlns="${NS.relationships}">`];
  if (legacy) {
    for (let n = root.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1) continue;
      const name = n.nodeType === 3 || n.nodeType === 4 ? 'text' : n.nodeType === 8 ? 'comment' : n.nodeName;
      out.push(`<${name}></${name}>`);
    }
  }
  for (const r of selected) {
    const attrs = (Array.from(r.attributes) as Attr[])
      .filter((a) => a.namespaceURI === null || a.namespaceURI === XML_NS)
      .map((a) => ({ ns: a.namespaceURI ?? '', local: a.localName ?? a.name, name: a.name, value: a.value }));
    if (!attrs.some((a) => a.ns === '' && a.local === 'TargetMode')) attrs.push({ ns: '', local: 'TargetMode', name: 'TargetMode', value: 'Internal' });
    attrs.sort((a, b) => byCodePoints(a.ns, b.ns) || byCodePoints(a.local, b.local));
    out.push('<Relationship');
    for (const a of attrs) out.push(` ${a.name}="${escapeAttr(a.value)}"`);
    out.push('></Relationship>');
  }
  out.push('</Relationships>');
  return new Uint8Array(Buffer.from(out.join(''), 'utf8'));
}
