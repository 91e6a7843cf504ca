/**
 * What each object of one revision is for: catalog, page tree, pages and their annotation arrays, form fields
 * and signature fields (with their widgets and values), the DSS, the document information. Revision analysis
 * uses this to decide whether replacing or adding an object is a permitted change.
 */
import { PdfArray, PdfDict, PdfRef, PdfString, type PDF, type PdfObject } from '@libpdf/core';
import { decodeTextString } from '../pdf/text-string.js';

export interface FieldInfo {
  name: string;
  isSignature: boolean;
  /** The field (or merged field/widget) has a value. */
  signed: boolean;
}

export interface AnnotationInfo {
  /** 0-based page index. */
  page: number;
  signatureWidget: boolean;
  formWidget: boolean;
}

export interface ObjectRoles {
  catalog?: number;
  info?: number;
  metadata?: number;
  /** Page object number → 0-based index. */
  pages: Map<number, number>;
  /** Page refs in order (object numbers). */
  pageOrder: number[];
  pageTreeNodes: Set<number>;
  /** Indirect /Annots arrays → page index. */
  annotArrays: Map<number, number>;
  annotations: Map<number, AnnotationInfo>;
  acroForm?: number;
  acroFormFields?: number;
  fields: Map<number, FieldInfo>;
  /** Signature dictionaries (field values), including document timestamps. */
  signatureValues: Set<number>;
  /** The DSS dictionary and everything it references. */
  dss: Set<number>;
  /** The reference (with its generation) of every object number recorded above. */
  refs: Map<number, PdfRef>;
}

/** The reference of a recorded object number: generations other than 0 exist (poppler writes some). */
export const refOf = (roles: ObjectRoles, n: number): PdfRef => roles.refs.get(n) ?? PdfRef.of(n, 0);

type Doc = PDF;

export const resolveIn = (pdf: Doc, o: PdfObject | undefined | null): PdfObject | undefined =>
  (o instanceof PdfRef ? (pdf.getObject(o) ?? undefined) : o ?? undefined);

/** Object numbers reachable from `start` through references (not following `skipKeys`), bounded. */
export function reachable(pdf: Doc, start: PdfObject | undefined, skipKeys: ReadonlySet<string> = new Set(), limit = 20000, into = new Set<number>()): Set<number> {
  // Only containers go on the stack: a font's /W array of thousands of numbers must not use up the budget.
  const isContainer = (o: PdfObject): boolean => o instanceof PdfRef || o instanceof PdfDict || o instanceof PdfArray;
  const stack: PdfObject[] = start && isContainer(start) ? [start] : [];
  let visits = 0;
  while (stack.length && visits++ < limit) {
    const o = stack.pop()!;
    if (o instanceof PdfRef) {
      if (into.has(o.objectNumber)) continue;
      into.add(o.objectNumber);
      const r = pdf.getObject(o);
      if (r && isContainer(r)) stack.push(r);
    } else if (o instanceof PdfDict) { // PdfStream too
      for (const [k, v] of o) if (!skipKeys.has(k.value) && isContainer(v)) stack.push(v);
    } else if (o instanceof PdfArray) {
      for (const v of o) if (isContainer(v)) stack.push(v);
    }
  }
  return into;
}

export function readRoles(pdf: Doc): ObjectRoles {
  const roles: ObjectRoles = {
    pages: new Map(), pageOrder: [], pageTreeNodes: new Set(), annotArrays: new Map(), annotations: new Map(),
    fields: new Map(), signatureValues: new Set(), dss: new Set(), refs: new Map(),
  };
  const note = (r: PdfRef): number => { roles.refs.set(r.objectNumber, r); return r.objectNumber; };
  const trailer = pdf.context.info.trailer;
  const root = trailer.get('Root');
  if (root instanceof PdfRef) roles.catalog = note(root);
  const info = trailer.get('Info');
  if (info instanceof PdfRef) roles.info = note(info);
  const catalog = pdf.getCatalog();
  const meta = catalog.get('Metadata');
  if (meta instanceof PdfRef) roles.metadata = note(meta);

  // Page tree nodes, walked from /Pages (not from the library's flattened list, so an added node shows).
  const walkTree = (o: PdfObject | undefined, depth: number): void => {
    if (!(o instanceof PdfRef) || depth > 64 || roles.pageTreeNodes.has(o.objectNumber)) return;
    const d = pdf.getObject(o);
    if (!(d instanceof PdfDict) || d.getName('Type')?.value !== 'Pages') return;
    roles.pageTreeNodes.add(note(o));
    const kids = resolveIn(pdf, d.get('Kids'));
    if (kids instanceof PdfArray) for (const k of kids) walkTree(k, depth + 1);
  };
  walkTree(catalog.get('Pages'), 0);

  pdf.getPages().forEach((page, i) => {
    roles.pages.set(note(page.ref), i);
    roles.pageOrder.push(page.ref.objectNumber);
    const annotsRaw = page.dict.get('Annots');
    if (annotsRaw instanceof PdfRef) roles.annotArrays.set(note(annotsRaw), i);
    const annots = resolveIn(pdf, annotsRaw);
    if (!(annots instanceof PdfArray)) return;
    for (const a of annots) {
      if (!(a instanceof PdfRef)) continue;
      const d = pdf.getObject(a);
      if (!(d instanceof PdfDict)) continue;
      const widget = d.getName('Subtype')?.value === 'Widget';
      const parent = resolveIn(pdf, d.get('Parent'));
      const ft = d.getName('FT')?.value ?? (parent instanceof PdfDict ? parent.getName('FT')?.value : undefined);
      roles.annotations.set(note(a), { page: i, signatureWidget: widget && ft === 'Sig', formWidget: widget && ft !== 'Sig' });
    }
  });

  const acroRaw = catalog.get('AcroForm');
  if (acroRaw instanceof PdfRef) roles.acroForm = note(acroRaw);
  const acro = resolveIn(pdf, acroRaw);
  if (acro instanceof PdfDict) {
    const fieldsRaw = acro.get('Fields');
    if (fieldsRaw instanceof PdfRef) roles.acroFormFields = note(fieldsRaw);
    const walk = (arr: PdfObject | undefined, prefix: string, inheritedFt: string | undefined, depth: number): void => {
      const a = resolveIn(pdf, arr);
      if (!(a instanceof PdfArray) || depth > 32) return;
      for (const item of a) {
        if (!(item instanceof PdfRef) || roles.fields.has(item.objectNumber)) continue;
        const f = pdf.getObject(item);
        if (!(f instanceof PdfDict)) continue;
        const t = f.get('T');
        const name = t instanceof PdfString ? (prefix ? `${prefix}.${decodeTextString(t.bytes)}` : decodeTextString(t.bytes)) : prefix;
        const ft = f.getName('FT')?.value ?? inheritedFt;
        const v = f.get('V');
        roles.fields.set(note(item), { name, isSignature: ft === 'Sig', signed: v !== undefined });
        if (ft === 'Sig' && v instanceof PdfRef) roles.signatureValues.add(note(v));
        walk(f.get('Kids'), name, ft, depth + 1);
      }
    };
    walk(fieldsRaw, '', undefined, 0);
  }
  // Signature widgets attached only to a page (poppler with an inline form) still name their value.
  for (const [num, a] of roles.annotations) {
    if (!a.signatureWidget || roles.fields.has(num)) continue;
    const d = pdf.getObject(refOf(roles, num));
    if (d instanceof PdfDict) {
      const t = d.get('T');
      roles.fields.set(num, { name: t instanceof PdfString ? decodeTextString(t.bytes) : '', isSignature: true, signed: d.has('V') });
      const v = d.get('V');
      if (v instanceof PdfRef) roles.signatureValues.add(note(v));
    }
  }

  const dss = catalog.get('DSS');
  if (dss instanceof PdfRef || dss instanceof PdfDict) reachable(pdf, dss, new Set(), 100000, roles.dss);
  return roles;
}

/** Keys whose values differ between two dictionaries (added, removed or changed). */
export function changedKeys(a: PdfDict | undefined, b: PdfDict | undefined, same: (x: PdfObject, y: PdfObject) => boolean): string[] {
  const keys = new Set<string>();
  for (const [k] of a ?? []) keys.add(k.value);
  for (const [k] of b ?? []) keys.add(k.value);
  const out: string[] = [];
  for (const k of keys) {
    const x = a?.get(k);
    const y = b?.get(k);
    if (!x || !y || !same(x, y)) out.push(k);
  }
  return out.sort();
}
