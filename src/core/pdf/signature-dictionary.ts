/**
 * The signature value dictionary with fixed-width placeholders for /ByteRange and /Contents.
 * We write it ourselves so we know exactly where the placeholders sit: no searching the output
 * (which goes wrong when the document already contains an earlier signature).
 */
import { KysoError } from '../errors.js';
import { formatName, hexString } from './serialize.js';
import { pdfDate, textString } from './text-string.js';
import { VIETNAM_UTC_OFFSET_MINUTES } from '../vietnam-clock.js';

export type SubFilter = 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached' | 'ETSI.RFC3161';

export interface SignatureDictionaryFields {
  subFilter: SubFilter;
  /** Claimed signing time, written as /M (PAdES keeps it out of the CMS). Absent for document timestamps. */
  signingTime?: Date;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** Bytes reserved for the DER CMS (written as twice as many hex digits). */
  contentsSize: number;
  appVersion: string;
}

export interface SignatureDictionaryBody {
  body: Uint8Array;
  /** Offset of the `[` of the ByteRange array inside `body`. */
  byteRangeAt: number;
  byteRangeLength: number;
  /** Offset of the `<` of the Contents hex string inside `body`. */
  contentsAt: number;
  /** Length including `<` and `>`. */
  contentsLength: number;
}

const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';

export function buildSignatureDictionary(f: SignatureDictionaryFields): SignatureDictionaryBody {
  const str = (s: string): string => hexString(textString(s).bytes);
  let head = `<</Type /${f.subFilter === 'ETSI.RFC3161' ? 'DocTimeStamp' : 'Sig'} /Filter /Adobe.PPKLite /SubFilter ${formatName(f.subFilter)}`;
  // Vietnam's offset, whatever this machine's zone: the same instant and the same digits as the appearance shows.
  if (f.signingTime) head += ` /M ${str(pdfDate(f.signingTime, VIETNAM_UTC_OFFSET_MINUTES))}`;
  if (f.name) head += ` /Name ${str(f.name)}`;
  if (f.reason) head += ` /Reason ${str(f.reason)}`;
  if (f.location) head += ` /Location ${str(f.location)}`;
  if (f.contactInfo) head += ` /ContactInfo ${str(f.contactInfo)}`;
  head += ` /Prop_Build <</App <</Name ${formatName('Kyso')} /REx ${str(f.appVersion)}>>>>`;
  head += ' /ByteRange ';
  const byteRangeAt = head.length;
  head += `${BYTE_RANGE_PLACEHOLDER} /Contents `;
  const contentsAt = head.length;
  const contents = `<${'0'.repeat(f.contentsSize * 2)}>`;
  const body = Buffer.from(`${head}${contents}>>`, 'latin1');
  return { body, byteRangeAt, byteRangeLength: BYTE_RANGE_PLACEHOLDER.length, contentsAt, contentsLength: contents.length };
}

/** Writes `[0 a b c]` over the placeholder, padded with spaces to the same width. */
export function patchByteRange(bytes: Uint8Array, at: number, length: number, range: readonly [number, number, number, number]): void {
  const text = `[${range.join(' ')}]`;
  if (text.length > length) throw new KysoError('INTERNAL', 'ByteRange does not fit its placeholder');
  Buffer.from(text.padEnd(length, ' '), 'latin1').copy(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), at);
}

/** Writes the DER CMS as hex into the Contents placeholder (zero-padded). */
export function patchContents(bytes: Uint8Array, at: number, length: number, der: Uint8Array): void {
  const capacity = (length - 2) / 2;
  if (der.length > capacity) throw new KysoError('SIGNATURE_TOO_LARGE', `${der.length} > ${capacity} bytes`);
  const hex = Buffer.from(der).toString('hex').toUpperCase();
  Buffer.from(hex, 'latin1').copy(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), at + 1);
}
