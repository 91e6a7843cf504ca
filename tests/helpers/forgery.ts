/**
 * Forgeries made from a real signed PDF: the CMS in its (only) signature's /Contents replaced or edited in
 * place, lengths kept, so the ByteRange still holds and only what the signature does not cover changes.
 */

/** The CMS inside the signature's /Contents, and where its hex starts in the file. */
export function contentsOf(pdf: Uint8Array): { der: Buffer; hexAt: number } {
  const text = Buffer.from(pdf).toString('latin1');
  const m = /\/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]/.exec(text);
  if (!m) throw new Error('no ByteRange');
  const [b, c] = [Number(m[1]), Number(m[2])];
  return { der: Buffer.from(text.slice(b + 1, c - 1), 'hex'), hexAt: b + 1 };
}

/** The PDF with its CMS replaced by `der`, no longer than the old one (zero padded, as signers do). */
export function withContents(pdf: Uint8Array, der: Uint8Array): Uint8Array {
  const { der: old, hexAt } = contentsOf(pdf);
  if (der.length > old.length) throw new Error('forged CMS is longer than /Contents');
  const out = Buffer.from(pdf);
  out.write(Buffer.concat([Buffer.from(der), Buffer.alloc(old.length - der.length)]).toString('hex').toUpperCase(), hexAt, 'latin1');
  return out;
}

/** The PDF with the embedded copy of `certificate` changed by `edit`, which must keep its length. */
export function editEmbeddedCertificate(pdf: Uint8Array, certificate: Uint8Array, edit: (cert: Buffer) => void): Uint8Array {
  const { der } = contentsOf(pdf);
  const at = der.indexOf(Buffer.from(certificate));
  if (at < 0) throw new Error('certificate not embedded');
  const cert = Buffer.from(certificate);
  edit(cert);
  if (cert.length !== certificate.length) throw new Error('the edit changed the length');
  const forged = Buffer.from(der);
  cert.copy(forged, at);
  return withContents(pdf, forged);
}

/** Replaces the first occurrence of `from` by `to` (same length) in `buf`. */
export function replaceOnce(buf: Buffer, from: Buffer, to: Buffer): void {
  const at = buf.indexOf(from);
  if (at < 0 || to.length !== from.length) throw new Error('cannot replace');
  to.copy(buf, at);
}

/** The certificate with the month of its first UTCTime (notBefore) set to 13: parsable, but not a time. */
export function impossibleNotBefore(cert: Buffer): void {
  const at = cert.indexOf(Buffer.from([0x17, 0x0d]));
  if (at < 0) throw new Error('no UTCTime');
  cert.write('13', at + 4, 'latin1');
}
