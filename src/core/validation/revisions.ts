/**
 * Revision analysis: for each incremental update appended after a signed revision, which objects it adds,
 * replaces or deletes, what each is for, and whether that change is one a signed PDF permits (DSS/VRI,
 * document timestamps, new signatures with their fields and appearances, form fill-in where DocMDP/FieldMDP
 * allow, and the AcroForm and page /Annots edits these need). Anything else — page content, resources,
 * other annotations, pages added or removed, other catalog entries, new objects a page uses — is reported
 * with the pages it touches. Pure: bytes in, facts out.
 */
import { PDF, PdfArray, PdfDict, PdfRef, type PdfObject } from '@libpdf/core';
import { serialize } from '../pdf/serialize.js';
import { changedKeys, readRoles, reachable, refOf, resolveIn, type ObjectRoles } from './object-roles.js';
import { readPermissions, type Permissions } from './permissions.js';
import { updatesAfter, type UpdateSection } from './xref-sections.js';
import { withoutLibraryWarnings } from '../pdf/crypt/quiet.js';

export type ChangeKind =
  | 'dss' | 'document-timestamp' | 'signature' | 'signature-field' | 'form-fill' | 'acroform' | 'metadata' | 'unused-object'
  | 'page-content' | 'pages' | 'annotation' | 'catalog' | 'form-field' | 'signature-replaced' | 'object-deleted' | 'object-changed'
  | 'xref' | 'unreadable';

export interface Change {
  kind: ChangeKind;
  allowed: boolean;
  /** Object number, when the change is one object. */
  object?: number;
  /** 1-based page numbers the change touches. */
  pages: number[];
  /** English detail for developers (keys changed, field names). */
  detail: string;
}

export interface UpdateAnalysis {
  /** Byte range of the update: [start, end). */
  start: number;
  end: number;
  changes: Change[];
  /** Field names of signatures / document timestamps this update adds. */
  signaturesAdded: string[];
  allowed: boolean;
}

export interface RevisionHistory {
  /** End of the signed revision (ByteRange end). */
  signedEnd: number;
  updates: UpdateAnalysis[];
  /** Bytes after the last revision's %%EOF that no cross-reference section covers (readers ignore them). */
  trailingBytes: number;
  verdict: 'unchanged' | 'allowed-changes' | 'disallowed-changes';
  /** Pages (1-based) touched by a disallowed change, in order. */
  changedPages: number[];
  problems: string[];
}

const SIG_FIELD_KEYS = new Set(['V', 'AP', 'AS', 'MK', 'DA', 'F', 'Lock', 'SV', 'Kids']);
const FILL_KEYS = new Set(['V', 'AP', 'AS']);
const ACROFORM_KEYS = new Set(['Fields', 'SigFlags', 'DR', 'DA', 'NeedAppearances']);
const CATALOG_KEYS = new Set(['AcroForm', 'DSS', 'Extensions']);
const PAGE_WALK_SKIP = new Set(['Parent', 'Annots', 'B', 'P']);
const ANNOT_WALK_SKIP = new Set(['P', 'Parent', 'Popup', 'IRT']);

function bytesOfObject(o: PdfObject): string | undefined {
  try { return Buffer.from(serialize(o)).toString('latin1'); } catch { return undefined; }
}

const same = (x: PdfObject, y: PdfObject): boolean => {
  if (x instanceof PdfRef || y instanceof PdfRef) return x instanceof PdfRef && y instanceof PdfRef && x.objectNumber === y.objectNumber && x.generation === y.generation;
  const a = bytesOfObject(x);
  return a !== undefined && a === bytesOfObject(y);
};

const refNumbers = (pdf: PDF, arr: PdfObject | undefined): number[] => {
  const a = resolveIn(pdf, arr);
  return a instanceof PdfArray ? [...a].filter((x): x is PdfRef => x instanceof PdfRef).map((r) => r.objectNumber) : [];
};

interface Revision { pdf: PDF; roles: ObjectRoles; permissions: Permissions; pageReach?: Map<number, Set<number>>; rootReach?: Set<number>; signedReach?: Set<number> }

/** Object number → pages (0-based) whose content, resources or other non-annotation entries reach it. */
function pageReach(r: Revision): Map<number, Set<number>> {
  if (r.pageReach) return r.pageReach;
  const map = new Map<number, Set<number>>();
  for (const [num, index] of r.roles.pages) {
    const page = r.pdf.getObject(refOf(r.roles, num));
    if (!(page instanceof PdfDict)) continue;
    for (const n of reachable(r.pdf, page, PAGE_WALK_SKIP, 1_000_000)) {
      if (!map.has(n)) map.set(n, new Set());
      map.get(n)!.add(index);
    }
  }
  r.pageReach = map;
  return map;
}

/** Objects reachable from the widgets of fields that were already signed (their appearance is part of what was signed). */
function signedAppearances(r: Revision): Set<number> {
  if (r.signedReach) return r.signedReach;
  const out = new Set<number>();
  for (const [n, a] of r.roles.annotations) {
    if (!a.signatureWidget) continue;
    const w = r.pdf.getObject(refOf(r.roles, n));
    const parent = w instanceof PdfDict ? resolveIn(r.pdf, w.get('Parent')) : undefined;
    const signed = (w instanceof PdfDict && w.has('V')) || (parent instanceof PdfDict && parent.has('V'));
    if (signed) reachable(r.pdf, refOf(r.roles, n), ANNOT_WALK_SKIP, 20000, out);
  }
  r.signedReach = out;
  return out;
}

function rootReach(r: Revision): Set<number> {
  r.rootReach ??= reachable(r.pdf, r.pdf.context.info.trailer, new Set(['Prev', 'XRefStm']), 500000);
  return r.rootReach;
}

async function loadRevision(bytes: Uint8Array, end: number): Promise<Revision> {
  const pdf = await PDF.load(bytes.subarray(0, end));
  return withoutLibraryWarnings(pdf.isEncrypted, () => {
    const roles = readRoles(pdf);
    return { pdf, roles, permissions: readPermissions(pdf, roles) };
  });
}

function classifyUpdate(prev: Revision, next: Revision, section: UpdateSection, start: number): UpdateAnalysis {
  const changes: Change[] = [];
  const signaturesAdded: string[] = [];
  const perms = prev.permissions;
  const rp = prev.roles;
  const rn = next.roles;
  const add = (kind: ChangeKind, allowed: boolean, object: number | undefined, pages: Iterable<number>, detail: string): void => {
    changes.push({ kind, allowed, ...(object !== undefined ? { object } : {}), pages: [...new Set([...pages].map((p) => p + 1))].sort((a, b) => a - b), detail });
  };
  const pagesOf = (r: Revision, n: number): number[] => [...(pageReach(r).get(n) ?? [])];

  // New objects reachable from what this update legitimately adds: signature values, signature widgets'
  // appearances, the DSS, filled-in form widgets' appearances.
  const fromSignatures = new Set<number>();
  const fromForms = new Set<number>();
  const fromAnnots = new Map<number, number>();
  // Fonts a signer adds to the form's default resources (/DR) for its appearance (poppler does).
  const fromFormResources = new Set<number>();
  const acroNew = resolveIn(next.pdf, next.pdf.getCatalog().get('AcroForm'));
  if (acroNew instanceof PdfDict) reachable(next.pdf, acroNew.get('DR'), new Set(), 20000, fromFormResources);
  for (const n of rn.signatureValues) reachable(next.pdf, refOf(rn, n), ANNOT_WALK_SKIP, 20000, fromSignatures);
  for (const [n, a] of rn.annotations) {
    const target = a.signatureWidget ? fromSignatures : a.formWidget ? fromForms : undefined;
    if (target) reachable(next.pdf, refOf(rn, n), ANNOT_WALK_SKIP, 20000, target);
    else for (const m of reachable(next.pdf, refOf(rn, n), ANNOT_WALK_SKIP)) fromAnnots.set(m, a.page);
  }

  const annotsDiff = (oldArr: PdfObject | undefined, newArr: PdfObject | undefined, page: number, object: number): void => {
    const before = new Set(refNumbers(prev.pdf, oldArr));
    const after = refNumbers(next.pdf, newArr);
    const direct = resolveIn(next.pdf, newArr);
    if (direct instanceof PdfArray && [...direct].some((x) => x instanceof PdfDict)) add('annotation', perms.docMdp === 3, object, [page], 'annotation dictionary written inline in /Annots');
    for (const n of after) {
      if (before.has(n)) continue;
      const a = rn.annotations.get(n);
      if (a?.signatureWidget) add('signature-field', perms.docMdp >= 2, n, [page], 'signature widget added to /Annots');
      else if (a?.formWidget) add('form-field', false, n, [page], 'form field widget added');
      else add('annotation', perms.docMdp === 3, n, [page], 'annotation added');
    }
    const kept = new Set(after);
    for (const n of before) if (!kept.has(n)) add('annotation', perms.docMdp === 3 && !rp.annotations.get(n)?.signatureWidget, n, [page], 'annotation removed');
  };

  for (const entry of section.entries) {
    const n = entry.objectNumber;
    if (n === 0) continue;
    const ref = PdfRef.of(n, entry.generation);
    // A free entry carries the next generation, and a reused number a bumped one: the old object is one below.
    const below = entry.generation > 0 ? PdfRef.of(n, entry.generation - 1) : undefined;
    const oldObj = (entry.inUse ? prev.pdf.getObject(ref) : undefined) ?? (below ? prev.pdf.getObject(below) : undefined) ?? prev.pdf.getObject(ref) ?? undefined;
    const existed = oldObj !== undefined && oldObj.type !== 'null';
    if (!entry.inUse) {
      if (existed) add('object-deleted', false, n, pagesOf(prev, n), 'object freed');
      continue;
    }
    const newObj = next.pdf.getObject(ref) ?? undefined;
    if (!newObj) continue;
    if (newObj instanceof PdfDict) {
      const type = newObj.getName('Type')?.value;
      if (type === 'XRef' || type === 'ObjStm') continue; // containers: their objects have their own entries
    }
    if (existed && same(oldObj, newObj)) continue; // re-written unchanged
    const oldDict = oldObj instanceof PdfDict ? oldObj : undefined;
    const newDict = newObj instanceof PdfDict ? newObj : undefined;
    // A writer may move the catalog to a new object number: compare it with the old catalog then.
    const base = n === rn.catalog && rn.catalog !== rp.catalog && rp.catalog !== undefined ? prev.pdf.getCatalog() : oldDict;
    const keys = changedKeys(base, newDict, same);

    if (n === rn.catalog || n === rp.catalog) {
      const bad = keys.filter((k) => !CATALOG_KEYS.has(k) && k !== 'Pages');
      if (keys.includes('Pages')) add('pages', false, n, [], 'catalog /Pages replaced');
      if (bad.length) add('catalog', false, n, [], `catalog entries changed: ${bad.join(', ')}`);
      if (keys.includes('AcroForm') && newDict && base) {
        // An inline form dictionary changes with the catalog; an indirect one is judged as its own object.
        if (!(base.get('AcroForm') instanceof PdfRef) || !(newDict.get('AcroForm') instanceof PdfRef)) {
          acroFormDiff(resolveIn(prev.pdf, base.get('AcroForm')), resolveIn(next.pdf, newDict.get('AcroForm')), n);
        }
      }
      if (!bad.length && !keys.includes('Pages')) add(keys.includes('DSS') && keys.length === 1 ? 'dss' : 'acroform', true, n, [], `catalog: ${keys.join(', ')}`);
      continue;
    }
    if (rn.pageTreeNodes.has(n) || rp.pageTreeNodes.has(n)) {
      const added = rn.pageOrder.filter((p) => !rp.pages.has(p)).map((p) => rn.pages.get(p)!);
      const removed = rp.pageOrder.filter((p) => !rn.pages.has(p)).map((p) => rp.pages.get(p)!);
      const detail = added.length || removed.length
        ? `pages added: ${added.map((i) => i + 1).join(', ') || 'none'}; pages removed: ${removed.map((i) => i + 1).join(', ') || 'none'}`
        : `page tree node changed: ${keys.join(', ')}`;
      add('pages', false, n, added.length || removed.length ? added : [...rn.pages.values()], detail);
      continue;
    }
    const pageIndex = rn.pages.get(n);
    if (pageIndex !== undefined || rp.pages.has(n)) {
      if (pageIndex === undefined) continue; // removed page: reported with the page tree
      if (!existed) continue; // added page: reported with the page tree
      const other = keys.filter((k) => k !== 'Annots');
      if (other.length) add('page-content', false, n, [pageIndex], `page entries changed: ${other.join(', ')}`);
      if (keys.includes('Annots')) {
        const o = oldDict!.get('Annots');
        const nn = newDict!.get('Annots');
        // Swapping an inline array for an indirect one (or the reverse) is how writers add the first widget.
        annotsDiff(o, nn, pageIndex, n);
      }
      continue;
    }
    const annotArrayPage = rn.annotArrays.get(n);
    if (annotArrayPage !== undefined) {
      annotsDiff(existed ? oldObj : undefined, newObj, annotArrayPage, n);
      continue;
    }
    if (rn.dss.has(n)) { add('dss', true, n, [], existed ? 'DSS updated' : 'DSS added'); continue; }
    if (rn.signatureValues.has(n)) {
      const docTs = newDict?.getName('Type')?.value === 'DocTimeStamp' || newDict?.getName('SubFilter')?.value === 'ETSI.RFC3161';
      if (existed) add('signature-replaced', false, n, [], 'the dictionary of an existing signature was replaced');
      else if (docTs) add('document-timestamp', true, n, [], 'document timestamp added');
      else add('signature', perms.docMdp >= 2, n, [], 'signature added');
      continue;
    }
    const field = rn.fields.get(n);
    const annot = rn.annotations.get(n);
    if (field?.isSignature || annot?.signatureWidget) {
      const wasSigned = rp.fields.get(n)?.signed ?? false;
      if (!existed) {
        add('signature-field', perms.docMdp >= 2, n, annot ? [annot.page] : [], `signature field added${field ? `: ${field.name}` : ''}`);
      } else if (wasSigned && keys.includes('V')) {
        add('signature-replaced', false, n, annot ? [annot.page] : [], `signed field ${field?.name ?? ''} given another value`);
      } else if (keys.every((k) => SIG_FIELD_KEYS.has(k))) {
        add('signature-field', perms.docMdp >= 2, n, annot ? [annot.page] : [], `signature field ${field?.name ?? ''} filled: ${keys.join(', ')}`);
      } else {
        add('form-field', false, n, annot ? [annot.page] : [], `signature field definition changed: ${keys.join(', ')}`);
      }
      if (field?.signed && !wasSigned) signaturesAdded.push(field.name);
      continue;
    }
    if (field || annot?.formWidget) {
      const name = field?.name ?? '';
      const pages = annot ? [annot.page] : [];
      if (!existed) add('form-field', false, n, pages, `form field added${name ? `: ${name}` : ''}`);
      else if (!keys.every((k) => FILL_KEYS.has(k))) add('form-field', false, n, pages, `form field definition changed: ${keys.join(', ')}`);
      else if (perms.docMdp < 2) add('form-fill', false, n, pages, `form field ${name} filled, but the certification forbids any change`);
      else if (name && perms.isLocked(name)) add('form-fill', false, n, pages, `form field ${name} is locked by an earlier signature`);
      else add('form-fill', true, n, pages, `form field ${name} filled`);
      continue;
    }
    if (n === rn.acroForm) { acroFormDiff(existed ? oldObj : undefined, newObj, n); continue; }
    if (n === rn.acroFormFields) {
      const kept = new Set(refNumbers(next.pdf, newObj));
      const lost = refNumbers(prev.pdf, oldObj).filter((f) => !kept.has(f));
      add('acroform', lost.length === 0, n, [], lost.length ? `form fields removed: ${lost.join(', ')}` : 'form fields list extended');
      continue;
    }
    if (n === rn.info || n === rn.metadata) { add('metadata', true, n, [], n === rn.info ? 'document information dictionary' : 'XMP metadata'); continue; }
    if (annot) { add('annotation', perms.docMdp === 3, n, [annot.page], existed ? 'annotation changed' : 'annotation added'); continue; }

    // Not a structural object: judge it by what uses it.
    const onPages = [...new Set([...pagesOf(next, n), ...(existed ? pagesOf(prev, n) : [])])];
    if (onPages.length) {
      add('page-content', false, n, onPages, existed ? 'object used by the page replaced (content, resources, fonts or images)' : 'new object used by the page (content or resources)');
      continue;
    }
    const annotPage = fromAnnots.get(n);
    if (annotPage !== undefined) { add('annotation', perms.docMdp === 3, n, [annotPage], 'appearance or data of an annotation'); continue; }
    if (existed) {
      if (!rootReach(next).has(n) && !rootReach(prev).has(n)) add('unused-object', true, n, [], 'unused object replaced');
      // Rewriting a form field's appearance in place is fill-in; rewriting a signed field's appearance is not.
      else if (fromForms.has(n) && !signedAppearances(prev).has(n)) add('form-fill', perms.docMdp >= 2, n, [], 'form field appearance rewritten');
      else if (fromSignatures.has(n) && !signedAppearances(prev).has(n)) add('signature-field', perms.docMdp >= 2, n, [], 'appearance of an unsigned signature field rewritten');
      else add(signedAppearances(prev).has(n) ? 'signature-replaced' : 'object-changed', false, n, [], 'an object of the signed revision was replaced');
      continue;
    }
    if (fromSignatures.has(n)) { add('signature-field', perms.docMdp >= 2, n, [], 'signature appearance or data'); continue; }
    if (fromForms.has(n)) { add('form-fill', perms.docMdp >= 2, n, [], 'form field appearance'); continue; }
    if (fromFormResources.has(n)) { add('acroform', perms.docMdp >= 2, n, [], 'form default resources (/DR): font or colour space for field appearances'); continue; }
    if (!rootReach(next).has(n)) { add('unused-object', true, n, [], 'object nothing refers to'); continue; }
    add('object-changed', false, n, [], 'new object referenced from outside pages, forms, signatures and the DSS');
  }

  function acroFormDiff(oldAcro: PdfObject | undefined, newAcro: PdfObject | undefined, n: number): void {
    const o = oldAcro instanceof PdfDict ? oldAcro : undefined;
    const nw = newAcro instanceof PdfDict ? newAcro : undefined;
    const k = changedKeys(o, nw, same);
    const bad = k.filter((x) => !ACROFORM_KEYS.has(x));
    const kept = new Set(refNumbers(next.pdf, nw?.get('Fields')));
    const lost = refNumbers(prev.pdf, o?.get('Fields')).filter((f) => !kept.has(f));
    if (bad.length) add('acroform', false, n, [], `form dictionary entries changed: ${bad.join(', ')}`);
    else if (lost.length) add('acroform', false, n, [], `form fields removed: ${lost.join(', ')}`);
    else add('acroform', true, n, [], `form dictionary: ${k.join(', ') || 'rewritten'}`);
  }

  return { start, end: section.revisionEnd, changes, signaturesAdded, allowed: changes.every((c) => c.allowed) };
}

/**
 * Analyses every update after the revision that ends at `signedEnd` (a signature's ByteRange end).
 * `cache` shares revisions and per-update results between the signatures of one file.
 */
export async function analyzeAfter(bytes: Uint8Array, signedEnd: number, cache: AnalysisCache = new AnalysisCache(bytes)): Promise<RevisionHistory> {
  const later = updatesAfter(bytes, signedEnd);
  const problems = [...later.problems];
  const updates: UpdateAnalysis[] = [];
  let prevEnd = signedEnd;
  for (const section of later.sections) {
    updates.push(await cache.update(prevEnd, section));
    prevEnd = section.revisionEnd;
  }
  if (!later.chainIntact) {
    updates.push({ start: prevEnd, end: bytes.length, signaturesAdded: [], allowed: false, changes: [{ kind: 'xref', allowed: false, pages: [], detail: problems.join('; ') }] });
  }
  const lastEnd = later.chainIntact ? prevEnd : bytes.length;
  const trailing = bytes.subarray(lastEnd);
  // Whitespace or NULs after the last %%EOF are padding; anything else is noted (readers ignore it).
  const trailingBytes = trailing.every((b) => b === 0 || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) ? 0 : trailing.length;
  const all = updates.flatMap((u) => u.changes);
  const changedPages = [...new Set(all.filter((c) => !c.allowed).flatMap((c) => c.pages))].sort((a, b) => a - b);
  const verdict = all.some((c) => !c.allowed) ? 'disallowed-changes' : updates.length ? 'allowed-changes' : 'unchanged';
  return { signedEnd, updates, trailingBytes, verdict, changedPages, problems };
}

export class AnalysisCache {
  private readonly revisions = new Map<number, Promise<Revision>>();
  private readonly updates = new Map<string, Promise<UpdateAnalysis>>();
  constructor(private readonly bytes: Uint8Array) {}

  private revision(end: number): Promise<Revision> {
    let r = this.revisions.get(end);
    if (!r) { r = loadRevision(this.bytes, end); this.revisions.set(end, r); }
    return r;
  }

  update(prevEnd: number, section: UpdateSection): Promise<UpdateAnalysis> {
    const key = `${prevEnd}:${section.offset}`;
    let u = this.updates.get(key);
    if (!u) {
      u = (async () => {
        try {
          const [prev, next] = [await this.revision(prevEnd), await this.revision(section.revisionEnd)];
          return withoutLibraryWarnings(prev.pdf.isEncrypted, () => classifyUpdate(prev, next, section, prevEnd));
        } catch (e) {
          return { start: prevEnd, end: section.revisionEnd, signaturesAdded: [], allowed: false, changes: [{ kind: 'unreadable', allowed: false, pages: [], detail: `revision unreadable: ${(e as Error).message}` }] };
        }
      })();
      this.updates.set(key, u);
    }
    return u;
  }
}
