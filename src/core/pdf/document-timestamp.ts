/**
 * A document timestamp (PDF 2.0 §12.8.5, PAdES B-LTA): an incremental update whose signature dictionary is
 * /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161, and whose /Contents is an RFC 3161 token over the digest of
 * the ByteRange — over everything before it, the DSS included. Offered alone too (`kyso timestamp`).
 */
import { KysoError } from '../errors.js';
import { nodeHash } from '../cms/algorithms.js';
import type { HashAlgorithm } from '../signing-key.js';
import type { TimestampClient, TimestampToken } from '../tsa/api.js';
import { KYSO_VERSION } from '../version.js';
import { openPdf, type OpenedPdf } from './open.js';
import { existingFieldNames } from './signature-field.js';
import { digestByteRange, embedContents, prepareSignature } from './sign.js';
import { withJoinedBytes, type SignedBytes } from '../signed-output.js';

export interface DocumentTimestampOptions {
  /** Imprint hash (default SHA-256). */
  hash?: HashAlgorithm;
  fieldName?: string;
}

/** The file is `original` followed by `update`; `bytes` joins them on first read. */
export interface DocumentTimestampResult extends SignedBytes {
  readonly bytes: Uint8Array;
  fieldName: string;
  token: TimestampToken;
  /** Bytes reserved for the token in /Contents. */
  reserved: number;
}

export async function timestampPdf(input: Uint8Array | OpenedPdf, client: TimestampClient, options: DocumentTimestampOptions = {}): Promise<DocumentTimestampResult> {
  const doc = input instanceof Uint8Array ? await openPdf(input) : input;
  const hash = options.hash ?? 'SHA-256';
  let fieldName = options.fieldName;
  if (!fieldName) {
    const names = existingFieldNames(doc);
    for (let i = 1; !fieldName; i++) if (!names.has(`Timestamp${i}`)) fieldName = `Timestamp${i}`;
  }
  let reserve = client.expectedTokenSize();
  for (let attempt = 0; ; attempt++) {
    const prepared = prepareSignature(doc, { subFilter: 'ETSI.RFC3161', contentsSize: reserve, appVersion: KYSO_VERSION }, { fieldName });
    const digest = digestByteRange(prepared, prepared.byteRange, nodeHash(hash));
    const token = await client.timestamp(digest, hash);
    const capacity = (prepared.contentsLength - 2) / 2;
    if (token.der.length > capacity) {
      if (attempt > 0) throw new KysoError('SIGNATURE_TOO_LARGE', `timestamp token ${token.der.length} > ${capacity} bytes`);
      reserve = token.der.length + 1024;
      continue;
    }
    embedContents(prepared, token.der);
    return withJoinedBytes({ original: prepared.original, update: prepared.update, fieldName: prepared.fieldName, token, reserved: capacity });
  }
}
