/**
 * The "verify a document" window for officials: a PDF or DOCX opened with the OS file dialog or dropped on the
 * page is read and checked here, in the main process, by core's verifyDocument; the page gets only the report
 * (as plain data, no document bytes back, no path). "Save the signed revision" writes the bytes signature #n
 * covers through the OS save dialog. The document checked last stays in this window's closure only.
 */
import path from 'node:path';
import * as z from 'zod';
import { KysoError, toKysoError } from '../../core/errors.js';
import type { DocumentVerification } from '../../core/verify-document.js';
import type { ChainCheck } from '../../core/validation/trust.js';
import { extractRevision } from '../../core/validation/validate-pdf.js';
import { vietnamTime } from '../../core/validation/vietnam-time.js';
import type { VerifyDialogRequest, VerifyDialogResult, VerifyOutcome, VerifyReportView, VerifySignatureView } from '../../ui/kit/protocol.js';
import type { DialogSpec } from '../dialog-host.js';

/** Larger than any form a portal takes; a dropped file crosses IPC whole. */
export const MAX_VERIFY_BYTES = 200 * 1024 * 1024;

const chain = (c: ChainCheck): { trusted: boolean; anchor?: string; problems: string[] } =>
  ({ trusted: c.trusted, ...(c.anchor ? { anchor: c.anchor } : {}), problems: [...c.problems] });

/** Core's report as the page shows it: names, times, verdicts and kinds of change; no certificates, no bytes. */
export function verifyReportView(result: DocumentVerification, fileName: string, size: number): VerifyReportView {
  const signatures: VerifySignatureView[] = result.validation
    ? result.validation.signatures.map((s) => {
      const changes = s.history.updates.flatMap((u) => u.changes);
      const kinds = (allowed: boolean): string[] => [...new Set(changes.filter((c) => c.allowed === allowed).map((c) => c.kind))];
      const signer = s.signer;
      const trust = s.trust;
      return {
        number: s.number,
        kind: s.kind,
        ...(signer ? {
          signer: {
            ...(signer.name ? { name: signer.name } : {}),
            identifiers: { ...signer.identifiers },
            ...(signer.organization ? { organization: signer.organization } : {}),
            ...(signer.organizationalUnit ? { organizationalUnit: signer.organizationalUnit } : {}),
            ...(signer.title ? { title: signer.title } : {}),
            ...(signer.issuer ? { issuer: signer.issuer } : {}),
          },
        } : {}),
        ...(s.time ? { time: { local: s.time.local, source: s.time.source, ...(s.time.tsa ? { tsa: s.time.tsa } : {}) } } : {}),
        ...(s.level ? { level: s.level } : {}),
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.location ? { location: s.location } : {}),
        verdict: s.verdict,
        ...(trust ? {
          trust: {
            // A document timestamp's only chain is its TSA's.
            ...(trust.signer ? chain(trust.signer) : trust.tsa ? chain(trust.tsa) : { problems: [] }),
            trusted: trust.trusted,
            ...(trust.signer && trust.tsa ? { tsa: chain(trust.tsa) } : {}),
          },
        } : {}),
        after: {
          verdict: s.history.verdict,
          changedPages: [...s.history.changedPages],
          disallowed: kinds(false),
          allowed: kinds(true),
          signaturesAdded: s.history.updates.flatMap((u) => u.signaturesAdded),
        },
        problems: [...s.problems],
        canSaveRevision: s.revisionEnd > 0,
      };
    })
    : result.ooxml
      ? result.ooxml.signatures.map(({ details: d, ...v }) => {
        const changed = [...d.changedParts, ...d.uncoveredParts];
        return {
          number: v.number,
          kind: 'signature' as const,
          ...(d.signer ? {
            signer: {
              ...(d.signer.commonName ? { name: d.signer.commonName } : {}),
              identifiers: { ...d.signer.identifiers },
              ...(d.signer.organization ? { organization: d.signer.organization } : {}),
              ...(d.signer.organizationalUnit ? { organizationalUnit: d.signer.organizationalUnit } : {}),
              ...(d.signer.title ? { title: d.signer.title } : {}),
              ...(d.signer.issuer.commonName ? { issuer: d.signer.issuer.commonName } : {}),
            },
          } : {}),
          ...(v.time ? { time: { local: v.time.local, source: v.time.source, ...(v.time.tsa ? { tsa: v.time.tsa } : {}) } } : {}),
          ...(v.level ? { level: v.level } : {}),
          ...(d.comment ? { reason: d.comment } : {}),
          verdict: v.verdict,
          ...(v.trust ? {
            trust: {
              ...(v.trust.signer ? chain(v.trust.signer) : { problems: [] }),
              trusted: v.trust.trusted,
              ...(v.trust.tsa ? { tsa: chain(v.trust.tsa) } : {}),
            },
          } : {}),
          // An Office package has no revisions: what changed is the signed parts that differ and what is not covered.
          after: { verdict: changed.length || !d.coversAllParts ? 'disallowed-changes' as const : 'unchanged' as const, changedPages: [], disallowed: changed, allowed: [], signaturesAdded: [] },
          problems: [...d.problems],
          canSaveRevision: false,
        };
      })
    : result.signatures.map((s, i) => ({
      number: i + 1,
      kind: 'signature' as const,
      ...(s.signer ? { signer: { name: s.signer, identifiers: {} } } : {}),
      ...(s.time ? { time: { local: vietnamTime(s.time), source: 'claimed' as const } } : {}),
      verdict: !s.intact ? 'invalid' as const : s.trust && !s.trust.trusted ? 'untrusted' as const : 'valid' as const,
      ...(s.trust ? { trust: chain(s.trust) } : {}),
      after: { verdict: s.intact ? 'unchanged' as const : 'disallowed-changes' as const, changedPages: [], disallowed: [], allowed: [], signaturesAdded: [] },
      problems: [...s.problems],
      canSaveRevision: false,
    }));
  return { fileName, size, format: result.format, exitCode: result.exitCode, signatures };
}

export interface VerifyCalls {
  /** The OS open dialog (PDF, DOCX…); null when cancelled. */
  chooseDocument(): Promise<string | null>;
  readDocument(file: string): Promise<Uint8Array>;
  verify(bytes: Uint8Array): Promise<DocumentVerification>;
  /** The OS save dialog, proposing `defaultName`; null when cancelled. */
  chooseSavePath(defaultName: string): Promise<string | null>;
  writeDocument(file: string, bytes: Uint8Array): void;
}

const droppedSchema = z.object({ name: z.string().min(1).max(1000), bytes: z.instanceof(Uint8Array) }).strict();
const revisionSchema = z.number().int().min(1).max(10_000);

/** Why there is no report, in both languages (the page picks one). */
function failure(e: unknown): VerifyOutcome {
  const err = toKysoError(e, 'UNSUPPORTED_FORMAT');
  return { error: { vi: err.messageVi, en: err.messageEn } };
}

export function verifyDialog(calls: VerifyCalls): DialogSpec<VerifyDialogRequest, VerifyDialogResult> {
  let current: { name: string; bytes: Uint8Array; result: DocumentVerification } | undefined;
  const check = async (name: string, bytes: Uint8Array): Promise<VerifyOutcome> => {
    current = undefined;
    if (bytes.length > MAX_VERIFY_BYTES) return failure(new KysoError('TOO_LARGE', `${bytes.length} bytes`));
    try {
      const result = await calls.verify(bytes);
      current = { name, bytes, result };
      return { report: verifyReportView(result, name, bytes.length) };
    } catch (e) {
      return failure(e);
    }
  };
  return {
    kind: 'verify',
    parse: () => { throw new Error('the verify window answers nothing'); },
    calls: {
      openDocument: async () => {
        const file = await calls.chooseDocument();
        if (!file) return null;
        let bytes: Uint8Array;
        try {
          bytes = await calls.readDocument(file);
        } catch (e) {
          return failure(toKysoError(e, 'BAD_REQUEST'));
        }
        return check(path.basename(file), bytes);
      },
      verifyDropped: async (raw) => {
        const dropped = droppedSchema.parse(raw);
        // Only the last part of whatever name the page sends: it is shown and proposed when saving, never opened.
        return check(path.basename(dropped.name.replaceAll('\\', '/')) || 'document', dropped.bytes);
      },
      saveRevision: async (raw) => {
        const n = revisionSchema.parse(raw);
        const doc = current;
        if (!doc || doc.result.format !== 'pdf' || n > (doc.result.validation?.signatures.length ?? 0)) {
          throw new KysoError('BAD_REQUEST', `no signed revision #${n}`);
        }
        const revision = await extractRevision(doc.bytes, n);
        const stem = doc.name.replace(/\.pdf$/i, '');
        const target = await calls.chooseSavePath(`${stem}-ban-ky-${n}.pdf`);
        if (!target) return false;
        calls.writeDocument(target, revision);
        return true;
      },
    },
  };
}
