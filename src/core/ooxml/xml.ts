/**
 * XML parsing for package parts and signatures (xmldom), strict: any parse error is an error, and a DOCTYPE is
 * refused outright (no entity expansion, no external resources).
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { KysoError, type ErrorCode } from '../errors.js';

export const NODE = { ELEMENT: 1, ATTRIBUTE: 2, TEXT: 3, CDATA: 4, PI: 7, COMMENT: 8, DOCUMENT: 9, DOCTYPE: 10 } as const;

/** Decodes XML bytes by their BOM (UTF-8 when there is none, as the OPC requires UTF-8 or UTF-16). */
export function decodeXml(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; bom: boolean } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8', bom: true };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be', bom: true };
  return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8', bom: false };
}

/** Encodes text back the way decodeXml found it. */
export function encodeXml(text: string, like: { encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; bom: boolean }): Uint8Array {
  if (like.encoding === 'utf-8') {
    const body = Buffer.from(text, 'utf8');
    return new Uint8Array(like.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body);
  }
  const le = Buffer.from(text, 'utf16le');
  if (like.encoding === 'utf-16be') le.swap16();
  const bom = like.encoding === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff];
  return new Uint8Array(like.bom ? Buffer.concat([Buffer.from(bom), le]) : le);
}

/** Limits on what is handed to the DOM parser: a 12 KB part nesting a million elements took 22 s and 1.45 GB. */
export const XML_LIMITS = {
  /**
   * Characters of one XML part parsed (content types, relationships, signatures, and parts a signature
   * canonicalises: kilobytes in real packages; parts only digested are never parsed and have no such limit).
   */
  maxChars: 16 * 1024 * 1024,
  /** Element nesting (WordprocessingML tables in tables reach a few dozen). */
  maxDepth: 256,
  /** Elements in one part (each costs some hundreds of bytes as DOM). */
  maxElements: 500_000,
} as const;

/**
 * A linear scan of the markup before the DOM parser sees it: nesting depth and element count, skipping
 * comments, CDATA, processing instructions and quoted attribute values. DOCUMENT_TOO_COMPLEX past a limit.
 */
export function assertXmlShape(text: string, what: string): void {
  const tooComplex = (why: string): never => { throw new KysoError('DOCUMENT_TOO_COMPLEX', `${what}: ${why}`); };
  if (text.length > XML_LIMITS.maxChars) tooComplex(`${text.length} characters > ${XML_LIMITS.maxChars}`);
  const n = text.length;
  let depth = 0;
  let elements = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < n) {
    const next = text.charCodeAt(i + 1);
    let end: number;
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', i)) end = text.indexOf('-->', i + 4) + 2;
      else if (text.startsWith('<![CDATA[', i)) end = text.indexOf(']]>', i + 9) + 2;
      else end = text.indexOf('>', i + 2);
    } else if (next === 0x3f /* ? */) {
      end = text.indexOf('?>', i + 2) + 1;
    } else if (next === 0x2f /* / */) {
      depth--;
      end = text.indexOf('>', i + 2);
    } else {
      let quote = 0;
      end = -1;
      for (let j = i + 1; j < n; j++) {
        const c = text.charCodeAt(j);
        if (quote) { if (c === quote) quote = 0; } else if (c === 0x22 || c === 0x27) quote = c;
        else if (c === 0x3e /* > */) { end = j; break; }
      }
      if (++elements > XML_LIMITS.maxElements) tooComplex(`more than ${XML_LIMITS.maxElements} elements`);
      if (end > 0 && text.charCodeAt(end - 1) !== 0x2f /* not self-closing */ && ++depth > XML_LIMITS.maxDepth) {
        tooComplex(`elements nested deeper than ${XML_LIMITS.maxDepth}`);
      }
    }
    if (end < 0) break; // unterminated: the parser reports it
    i = text.indexOf('<', end + 1);
  }
}

export function parseXml(input: Uint8Array | string, what: string, code: ErrorCode = 'DOCUMENT_CORRUPT'): Document {
  if (typeof input !== 'string' && input.length > XML_LIMITS.maxChars * 2) {
    throw new KysoError('DOCUMENT_TOO_COMPLEX', `${what}: ${input.length} bytes of XML`);
  }
  const text = typeof input === 'string' ? input : decodeXml(input).text;
  assertXmlShape(text, what);
  const problems: string[] = [];
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning') problems.push(message);
      },
    }).parseFromString(text, 'text/xml');
  } catch (cause) {
    throw new KysoError(code, `${what}: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, { cause });
  }
  if (problems.length) throw new KysoError(code, `${what}: ${problems[0]!.split('\n')[0]}`);
  for (let n = doc.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === NODE.DOCTYPE) throw new KysoError(code, `${what}: DOCTYPE not allowed`);
  }
  if (!doc.documentElement) throw new KysoError(code, `${what}: no root element`);
  return doc;
}

export function elementChildren(parent: Node): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === NODE.ELEMENT) out.push(n as Element);
  return out;
}

export function childElements(parent: Node, ns: string | null, localName: string): Element[] {
  return elementChildren(parent).filter((e) => e.namespaceURI === ns && e.localName === localName);
}

export function firstChild(parent: Node, ns: string | null, localName: string): Element | undefined {
  return childElements(parent, ns, localName)[0];
}

/** All descendant elements (document order) with this name. */
export function descendants(root: Node, ns: string | null, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== NODE.ELEMENT) continue;
      const e = c as Element;
      if (e.namespaceURI === ns && e.localName === localName) out.push(e);
      walk(e);
    }
  };
  walk(root);
  return out;
}

export function textOf(e: Element | undefined): string {
  return e?.textContent ?? '';
}

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

export function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}
