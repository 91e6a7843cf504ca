/**
 * PAdES baseline signing of a PDF as one incremental update:
 * prepare (signature dictionary with placeholders, field, widget) → hash the ByteRange → CMS through the
 * SigningKey (the private key stays on the token) → embed. The input is never modified; on any failure
 * nothing is returned, so no half-signed file can be written.
 */
import { createHash } from 'node:crypto';
import type { PdfRef } from '@libpdf/core';
import type { HashAlgorithm, SigningKey } from '../signing-key.js';
import { KysoError } from '../errors.js';
import { buildSignedData } from '../cms/signed-data.js';
import { nodeHash } from '../cms/algorithms.js';
import { openPdf, type OpenedPdf } from './open.js';
import { assertWithinBudget } from './decode-budget.js';
import { writeIncrementalUpdate, type UpdateObject } from './incremental-writer.js';
import { buildSignatureDictionary, patchByteRange, patchContents, type SubFilter } from './signature-dictionary.js';
import { ObjectAllocator, buildFieldUpdate, emptyAppearance, existingFieldNames, type AppearanceCopy, type Rect } from './signature-field.js';
import { serialize } from './serialize.js';
import { signedLength, signedRange, withJoinedBytes, type SignedBytes } from '../signed-output.js';
import { KYSO_VERSION } from '../version.js';
import { parseCertificate } from '../cert/parse.js';
import type { TimestampClient, TimestampToken } from '../tsa/api.js';
import { timestampSignatureValue } from '../tsa/signature-timestamp.js';

export type SignStage = 'open' | 'prepare' | 'digest' | 'sign' | 'embed';

/** What a visible signature contributes: a widget rectangle and its appearance objects. */
export interface VisibleAppearance {
  pageIndex: number;
  rect: Rect;
  /**
   * Writes the appearance XObject (and fonts, images) with refs from `allocate`; returns the /AP /N ref.
   * `copies`: the signature shown in more places (other pages, document number/date), see AppearanceCopy.
   * May be called more than once (a retry with a larger /Contents): each call must allocate afresh.
   */
  build(doc: OpenedPdf, allocate: () => PdfRef): { appearance: PdfRef; objects: UpdateObject[]; copies?: AppearanceCopy[] };
}

export interface PdfSignOptions {
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** Defaults to the signer certificate's CN. */
  name?: string;
  /** Claimed time in /M; defaults to now. */
  signingTime?: Date;
  hash?: HashAlgorithm;
  fieldName?: string;
  appearance?: VisibleAppearance;
  /** Extra bytes reserved in /Contents for unsigned attributes such as a timestamp token. */
  reserveExtra?: number;
  /** Adds unsigned attributes (e.g. the signature timestamp) from the signature value. */
  unsignedAttributes?: (signatureValue: Uint8Array) => Promise<Uint8Array[]>;
  /** PAdES B-T: a TSA token over the signature value, as id-aa-signatureTimeStampToken (replaces `unsignedAttributes`). */
  timestamp?: TimestampClient;
  onProgress?: (stage: SignStage) => void;
  /**
   * The caller has already hashed the original with `hash` (the agent hashed a received document as it arrived):
   * `digest(rest)` is the digest of the original followed by `rest`. A signature with that hash then hashes only
   * the update instead of the whole file again; one with another hash does not ask.
   */
  digestAfterOriginal?: DigestAfterOriginal;
}

export interface DigestAfterOriginal {
  hash: HashAlgorithm;
  digest(rest: Uint8Array[]): Promise<Uint8Array>;
}

/** The signed file is `original` (the input, untouched) followed by `update`; `bytes` joins them on first read. */
export interface PdfSignResult extends SignedBytes {
  readonly bytes: Uint8Array;
  byteRange: readonly [number, number, number, number];
  fieldName: string;
  signingTime: Date;
  hash: HashAlgorithm;
  cmsSize: number;
  /** Bytes reserved for the CMS in /Contents (the last attempt's). */
  reserved: number;
  /** The signature timestamp token, at B-T and above. */
  timestamp?: TimestampToken;
}

export function defaultHash(key: SigningKey): HashAlgorithm {
  return key.keyType === 'EC' && key.keySize > 256 ? (key.keySize > 384 ? 'SHA-512' : 'SHA-384') : 'SHA-256';
}

/** Bytes to reserve for the CMS: certificates, signature, attributes, plus room for what the caller adds. */
function estimateCmsSize(key: SigningKey, extra: number): number {
  const certs = [key.certificate, ...key.chain].reduce((n, c) => n + c.length, 0);
  return certs + Math.ceil(key.keySize / 8) * 2 + 2048 + extra;
}

function uniqueFieldName(doc: OpenedPdf, wanted?: string): string {
  const names = existingFieldNames(doc);
  if (wanted) {
    if (names.has(wanted)) throw new KysoError('BAD_REQUEST', `field "${wanted}" already exists`);
    return wanted;
  }
  for (let i = 1; ; i++) if (!names.has(`Signature${i}`)) return `Signature${i}`;
}

/** The digest of a /ByteRange, over one buffer or over the original and the update where they lie (no join). */
export function digestByteRange(bytes: Uint8Array | SignedBytes, range: readonly [number, number, number, number], hash: string): Uint8Array {
  const doc: SignedBytes = bytes instanceof Uint8Array ? { original: bytes, update: new Uint8Array(0) } : bytes;
  const h = createHash(hash);
  for (const part of [...signedRange(doc, range[0], range[1]), ...signedRange(doc, range[2], range[3])]) h.update(part);
  return new Uint8Array(h.digest());
}

/** What a ByteRange covers after the original (the update around /Contents); undefined if it leaves out part of the original. */
function rangeAfterOriginal(p: PreparedSignature): Uint8Array[] | undefined {
  const [start, end, next, length] = p.byteRange;
  const n = p.original.length;
  if (start !== 0 || end < n || next < n) return undefined;
  return [p.update.slice(0, end - n), p.update.slice(next - n, next - n + length)];
}

/** The file with placeholders: `original` untouched, then `update`; offsets are in the whole file. */
export interface PreparedSignature extends SignedBytes {
  byteRange: readonly [number, number, number, number];
  contentsAt: number;
  contentsLength: number;
  fieldName: string;
}

/** Writes the CMS (or timestamp token) into the prepared update's /Contents. */
export function embedContents(prepared: PreparedSignature, der: Uint8Array): void {
  patchContents(prepared.update, prepared.contentsAt - prepared.original.length, prepared.contentsLength, der);
}

/** Builds the update with placeholders and a patched ByteRange. Shared by signatures and document timestamps. */
export function prepareSignature(
  doc: OpenedPdf,
  dict: Parameters<typeof buildSignatureDictionary>[0],
  options: { fieldName?: string; appearance?: VisibleAppearance },
): PreparedSignature {
  const alloc = new ObjectAllocator(doc);
  const sigRef = alloc.allocate();
  const fieldName = uniqueFieldName(doc, options.fieldName);
  const sig = buildSignatureDictionary(dict);
  const objects: UpdateObject[] = [{ ref: sigRef, body: sig.body }];
  let appearanceRef: PdfRef;
  let pageIndex = 0;
  let rect: Rect = [0, 0, 0, 0];
  let copies: AppearanceCopy[] | undefined;
  if (options.appearance) {
    const built = options.appearance.build(doc, () => alloc.allocate());
    appearanceRef = built.appearance;
    objects.push(...built.objects);
    pageIndex = options.appearance.pageIndex;
    rect = options.appearance.rect;
    copies = built.copies;
  } else {
    appearanceRef = alloc.allocate();
    objects.push({ ref: appearanceRef, body: serialize(emptyAppearance()) });
  }
  objects.push(...buildFieldUpdate(doc, alloc, { pageIndex, rect, signatureRef: sigRef, fieldName, appearanceRef, ...(copies ? { copies } : {}) }));
  const written = writeIncrementalUpdate(doc, objects, alloc.size);
  assertWithinBudget();
  // In an encrypted file the strings before the placeholders grow (AES): ask the writer where they landed.
  const contentsAt = written.position(sigRef.objectNumber, sig.contentsAt);
  const contentsEnd = contentsAt + sig.contentsLength;
  const byteRange = [0, contentsAt, contentsEnd, signedLength(written) - contentsEnd] as const;
  patchByteRange(written.update, written.position(sigRef.objectNumber, sig.byteRangeAt) - written.original.length, sig.byteRangeLength, byteRange);
  return { original: written.original, update: written.update, byteRange, contentsAt, contentsLength: sig.contentsLength, fieldName };
}

export async function signPdf(input: Uint8Array | OpenedPdf, key: SigningKey, options: PdfSignOptions = {}): Promise<PdfSignResult> {
  const progress = options.onProgress ?? ((): void => undefined);
  progress('open');
  const doc = input instanceof Uint8Array ? await openPdf(input) : input;
  const hash = options.hash ?? defaultHash(key);
  const signingTime = options.signingTime ?? new Date();
  const name = options.name ?? parseCertificate(key.certificate).subject.commonName;

  let token: TimestampToken | undefined;
  const tsa = options.timestamp;
  const unsignedAttributes = tsa
    ? async (signatureValue: Uint8Array): Promise<Uint8Array[]> => {
      // SHA-256 imprint whatever the signature's hash: the one every TSA accepts (ETSI does not tie them).
      const ts = await timestampSignatureValue(tsa, signatureValue, 'SHA-256');
      token = ts.token;
      return [ts.attribute];
    }
    : options.unsignedAttributes;
  let reserve = estimateCmsSize(key, (options.reserveExtra ?? 0) + (tsa?.expectedTokenSize() ?? 0));
  // One retry with a larger reservation: unsigned attributes (timestamps) can outgrow the estimate.
  for (let attempt = 0; ; attempt++) {
    progress('prepare');
    const prepared = prepareSignature(doc, {
      subFilter: 'ETSI.CAdES.detached' satisfies SubFilter,
      signingTime,
      ...(name ? { name } : {}),
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.location ? { location: options.location } : {}),
      ...(options.contactInfo ? { contactInfo: options.contactInfo } : {}),
      contentsSize: reserve,
      appVersion: KYSO_VERSION,
    }, { ...(options.fieldName ? { fieldName: options.fieldName } : {}), ...(options.appearance ? { appearance: options.appearance } : {}) });
    progress('digest');
    const after = options.digestAfterOriginal?.hash === hash ? options.digestAfterOriginal : undefined;
    const rest = after && rangeAfterOriginal(prepared);
    const digest = rest ? await after!.digest(rest) : digestByteRange(prepared, prepared.byteRange, nodeHash(hash));
    progress('sign');
    const cms = await buildSignedData(key, {
      contentDigest: digest,
      hash,
      ...(unsignedAttributes ? { unsignedAttributes } : {}),
    });
    progress('embed');
    if (cms.der.length > (prepared.contentsLength - 2) / 2) {
      if (attempt > 0) throw new KysoError('SIGNATURE_TOO_LARGE', `${cms.der.length} bytes`);
      reserve = cms.der.length + 4096;
      continue;
    }
    embedContents(prepared, cms.der);
    return withJoinedBytes({
      original: prepared.original, update: prepared.update, byteRange: prepared.byteRange, fieldName: prepared.fieldName, signingTime, hash,
      cmsSize: cms.der.length, reserved: (prepared.contentsLength - 2) / 2, ...(token ? { timestamp: token } : {}),
    });
  }
}
