/**
 * Canonical XML over an xmldom tree: C14N 1.0 (inclusive, the one Office uses everywhere) and Exclusive C14N,
 * each with or without comments, for a whole document or for the subtree of one element (a same-document
 * reference such as `#idPackageObject`). Node-set selection beyond those two cases (XPath) is not supported:
 * OOXML signatures do not use it.
 */
import type { Attr, Document, Element, Node } from '@xmldom/xmldom';
import { KysoError } from '../errors.js';
import { NODE, escapeAttr, escapeText } from './xml.js';

export const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
export const C14N_COMMENTS = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const EXC_C14N_COMMENTS = 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments';
export const C14N_ALGORITHMS = [C14N, C14N_COMMENTS, EXC_C14N, EXC_C14N_COMMENTS] as const;

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface C14nOptions {
  exclusive?: boolean;
  comments?: boolean;
  /** Exclusive C14N: prefixes treated as inclusive (`#default` for the default namespace). */
  inclusivePrefixes?: readonly string[];
}

export function c14nOptionsFor(algorithm: string, inclusivePrefixes?: readonly string[]): C14nOptions {
  switch (algorithm) {
    case C14N: return {};
    case C14N_COMMENTS: return { comments: true };
    case EXC_C14N: return { exclusive: true, ...(inclusivePrefixes ? { inclusivePrefixes } : {}) };
    case EXC_C14N_COMMENTS: return { exclusive: true, comments: true, ...(inclusivePrefixes ? { inclusivePrefixes } : {}) };
    default: throw new KysoError('UNSUPPORTED_FORMAT', `canonicalization ${algorithm}`);
  }
}

/** Namespace declarations made on this element (prefix '' for the default namespace). */
function declarations(e: Element): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of Array.from(e.attributes) as Attr[]) {
    if (a.namespaceURI !== XMLNS) continue;
    out.set(a.prefix === 'xmlns' ? a.localName! : '', a.value);
  }
  return out;
}

/** All namespaces in scope at e (nearest declaration wins; '' for the default namespace). */
function inScope(e: Element): Map<string, string> {
  const chain: Element[] = [];
  for (let n: Node | null = e; n && n.nodeType === NODE.ELEMENT; n = n.parentNode) chain.unshift(n as Element);
  const ns = new Map<string, string>();
  for (const el of chain) for (const [p, u] of declarations(el)) ns.set(p, u);
  return ns;
}

function compareCodePoints(a: string, b: string): number {
  // UTF-16 order differs from code point order only for astral characters; compare as UTF-8 bytes.
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function qname(prefix: string | null | undefined, local: string): string {
  return prefix ? `${prefix}:${local}` : local;
}

class Canonicalizer {
  private readonly out: string[] = [];
  constructor(private readonly opts: C14nOptions) {}

  result(): string {
    return this.out.join('');
  }

  /**
   * Element e with `rendered` the namespace bindings already output by its output ancestors.
   * `extraXmlAttrs`: xml:* attributes inherited by an apex element from ancestors outside the node-set (inclusive only).
   */
  element(e: Element, rendered: Map<string, string>, extraXmlAttrs: Attr[] = []): void {
    const scope = inScope(e);
    const nsOut: [string, string][] = [];
    const next = new Map(rendered);
    const attrs = (Array.from(e.attributes) as Attr[]).filter((a) => a.namespaceURI !== XMLNS);

    if (this.opts.exclusive) {
      const used = new Set<string>([e.prefix ?? '']);
      for (const a of attrs) if (a.prefix && a.prefix !== 'xml') used.add(a.prefix);
      for (const p of this.opts.inclusivePrefixes ?? []) used.add(p === '#default' ? '' : p);
      for (const p of used) {
        const uri = scope.get(p) ?? '';
        if (p === 'xml') continue;
        if (p === '' && uri === '' && (rendered.get('') ?? '') === '') continue;
        if (p !== '' && uri === '') continue;
        if (rendered.get(p) === uri) continue;
        nsOut.push([p, uri]);
        next.set(p, uri);
      }
    } else {
      for (const [p, uri] of scope) {
        if (p === 'xml') continue;
        if (p === '' && uri === '') {
          if ((rendered.get('') ?? '') !== '') { nsOut.push(['', '']); next.set('', ''); }
          continue;
        }
        if (rendered.get(p) === uri) continue;
        nsOut.push([p, uri]);
        next.set(p, uri);
      }
      // A default namespace undeclared (xmlns="") relative to a rendered non-empty default.
      if (!scope.has('') && (rendered.get('') ?? '') !== '') { nsOut.push(['', '']); next.set('', ''); }
    }
    nsOut.sort((a, b) => compareCodePoints(a[0], b[0]));

    const all = [...attrs];
    for (const x of extraXmlAttrs) if (!attrs.some((a) => a.namespaceURI === XML_NS && a.localName === x.localName)) all.push(x);
    all.sort((a, b) => compareCodePoints(a.namespaceURI ?? '', b.namespaceURI ?? '') || compareCodePoints(a.localName ?? a.name, b.localName ?? b.name));

    const name = qname(e.prefix, e.localName ?? e.nodeName);
    this.out.push('<', name);
    for (const [p, uri] of nsOut) this.out.push(p ? ` xmlns:${p}="` : ' xmlns="', escapeAttr(uri), '"');
    for (const a of all) this.out.push(' ', a.name, '="', escapeAttr(a.value), '"');
    this.out.push('>');
    for (let c = e.firstChild; c; c = c.nextSibling) this.node(c, next);
    this.out.push('</', name, '>');
  }

  raw(s: string): void {
    this.out.push(s);
  }

  node(n: Node, rendered: Map<string, string>): void {
    switch (n.nodeType) {
      case NODE.ELEMENT: this.element(n as Element, rendered); break;
      case NODE.TEXT:
      case NODE.CDATA: this.out.push(escapeText(n.nodeValue ?? '')); break;
      case NODE.COMMENT: if (this.opts.comments) this.out.push('<!--', n.nodeValue ?? '', '-->'); break;
      case NODE.PI: this.out.push(pi(n)); break;
      default: break; // entity references are not produced by the parser
    }
  }
}

function pi(n: Node): string {
  const data = n.nodeValue ?? '';
  return `<?${n.nodeName}${data ? ` ${data}` : ''}?>`;
}

/** Canonical form of the subtree rooted at e (a same-document reference), as UTF-8 bytes. */
export function canonicalizeElement(e: Element, opts: C14nOptions = {}): Uint8Array {
  const c = new Canonicalizer(opts);
  // Inclusive C14N gives the apex the xml:* attributes of its ancestors (xml:lang, xml:space…).
  const inherited: Attr[] = [];
  if (!opts.exclusive) {
    for (let p = e.parentNode; p && p.nodeType === NODE.ELEMENT; p = p.parentNode) {
      for (const a of Array.from((p as Element).attributes) as Attr[]) {
        if (a.namespaceURI === XML_NS && !inherited.some((x) => x.localName === a.localName)) inherited.push(a);
      }
    }
  }
  c.element(e, new Map(), inherited);
  return new Uint8Array(Buffer.from(c.result(), 'utf8'));
}

/** Canonical form of a whole document (XML declaration and DOCTYPE dropped), as UTF-8 bytes. */
export function canonicalizeDocument(doc: Document, opts: C14nOptions = {}): Uint8Array {
  const c = new Canonicalizer(opts);
  let afterRoot = false;
  for (let n = doc.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === NODE.ELEMENT) {
      c.element(n as Element, new Map());
      afterRoot = true;
      continue;
    }
    if (n.nodeType !== NODE.PI && !(n.nodeType === NODE.COMMENT && opts.comments)) continue;
    if (n.nodeType === NODE.PI && n.nodeName === 'xml') continue; // xmldom keeps the XML declaration as a PI
    // Outside the root, a newline separates each node from the root element's side.
    if (afterRoot) c.raw('\n');
    c.node(n, new Map());
    if (!afterRoot) c.raw('\n');
  }
  return new Uint8Array(Buffer.from(c.result(), 'utf8'));
}
