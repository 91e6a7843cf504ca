/**
 * What a signed PDF permits to change after signing: the certification signature's DocMDP level (ISO 32000
 * §12.8.2.2) and the fields locked by FieldMDP transforms or signature field /Lock dictionaries (§12.8.2.4).
 * Without DocMDP, ETSI EN 319 142 and Adobe treat a signed file as allowing "signing, form fill-in and
 * timestamps", which is DocMDP level 2.
 */
import { PdfArray, PdfDict, PdfString, type PDF, type PdfObject } from '@libpdf/core';
import { decodeTextString } from '../pdf/text-string.js';
import { refOf, resolveIn, type ObjectRoles } from './object-roles.js';

export interface Permissions {
  /** 1 no changes, 2 form fill-in and signing, 3 also annotations. */
  docMdp: 1 | 2 | 3;
  /** True when a certification signature set docMdp (false: the default level 2). */
  certified: boolean;
  /** Whether a change to the field with this fully qualified name is locked by an earlier signature. */
  isLocked(fieldName: string): boolean;
}

interface Lock { action: 'All' | 'Include' | 'Exclude'; fields: string[] }

function lockOf(pdf: PDF, params: PdfObject | undefined): Lock | undefined {
  const p = resolveIn(pdf, params);
  if (!(p instanceof PdfDict)) return undefined;
  const action = p.getName('Action')?.value;
  if (action !== 'All' && action !== 'Include' && action !== 'Exclude') return undefined;
  const arr = resolveIn(pdf, p.get('Fields'));
  const fields = arr instanceof PdfArray
    ? [...arr].map((f) => resolveIn(pdf, f)).filter((f): f is PdfString => f instanceof PdfString).map((f) => decodeTextString(f.bytes))
    : [];
  return { action, fields };
}

function transforms(pdf: PDF, sig: PdfDict): { method: string; params: PdfObject | undefined }[] {
  const refs = resolveIn(pdf, sig.get('Reference'));
  if (!(refs instanceof PdfArray)) return [];
  return [...refs].map((r) => resolveIn(pdf, r)).filter((r): r is PdfDict => r instanceof PdfDict)
    .map((r) => ({ method: r.getName('TransformMethod')?.value ?? '', params: r.get('TransformParams') }));
}

/** Permissions in force in a revision: from its certification signature and its signed fields' locks. */
export function readPermissions(pdf: PDF, roles: ObjectRoles): Permissions {
  let docMdp: 1 | 2 | 3 = 2;
  let certified = false;
  const perms = resolveIn(pdf, pdf.getCatalog().get('Perms'));
  const certSig = perms instanceof PdfDict ? resolveIn(pdf, perms.get('DocMDP')) : undefined;
  if (certSig instanceof PdfDict) {
    for (const t of transforms(pdf, certSig)) {
      if (t.method !== 'DocMDP') continue;
      const params = resolveIn(pdf, t.params);
      const p = params instanceof PdfDict ? params.getNumber('P')?.value ?? 2 : 2;
      docMdp = p === 1 ? 1 : p === 3 ? 3 : 2;
      certified = true;
    }
  }
  const locks: Lock[] = [];
  for (const num of roles.signatureValues) {
    const sig = pdf.getObject(refOf(roles, num));
    if (!(sig instanceof PdfDict)) continue;
    for (const t of transforms(pdf, sig)) if (t.method === 'FieldMDP') { const l = lockOf(pdf, t.params); if (l) locks.push(l); }
  }
  for (const [num, f] of roles.fields) {
    if (!f.isSignature || !f.signed) continue;
    const field = pdf.getObject(refOf(roles, num));
    if (field instanceof PdfDict) { const l = lockOf(pdf, field.get('Lock')); if (l) locks.push(l); }
  }
  const covers = (names: string[], field: string): boolean => names.some((n) => field === n || field.startsWith(`${n}.`));
  return {
    docMdp,
    certified,
    isLocked: (name) => locks.some((l) => l.action === 'All' || (l.action === 'Include' ? covers(l.fields, name) : !covers(l.fields, name))),
  };
}
