/**
 * What an encrypted PDF that opens without a password needs from us: the file key (recomputed here from the
 * /Encrypt entries, as the standard security handler defines it), how strings and streams are encrypted, and
 * whether the author's permissions let anyone sign. A file that needs a password, or uses a security handler
 * we do not write for, is DOCUMENT_ENCRYPTED.
 */
import { PdfString, type PDF } from '@libpdf/core';
import { KysoError } from '../../errors.js';
import { objectCrypt, type CryptMethod, type ObjectCrypt } from './object-crypt.js';
import { emptyUserPasswordKey, type StandardEncryption } from './standard-security.js';

export interface DocumentEncryption {
  readonly revision: number;
  /** /P, as a signed 32-bit integer. */
  readonly permissions: number;
  readonly crypt: ObjectCrypt;
  /**
   * /P allows adding a signature: bit 6 (annotations, interactive form fields), or from R3 bit 9 (fill in
   * form fields, signature fields included). Always true when the empty password is also the owner's.
   */
  readonly signingAllowed: boolean;
}

const NEEDS_PASSWORD = 'a user password is needed to open it';

/** The crypt filter method named by /StmF or /StrF (V4–V5); the default is Identity. */
function filterMethod(name: string | undefined, filters: ReadonlyMap<string, { cfm: string }> | undefined): CryptMethod {
  if (!name || name === 'Identity') return 'identity';
  const cfm = filters?.get(name)?.cfm;
  switch (cfm) {
    case 'None': return 'identity';
    case 'V2': return 'rc4';
    case 'AESV2': return 'aes-128';
    case 'AESV3': return 'aes-256';
    default: throw new KysoError('DOCUMENT_ENCRYPTED', `unsupported crypt filter ${name} (${String(cfm)})`);
  }
}

/** The /Encrypt entries of the standard security handler, as the library parsed them (never decrypted). */
export function standardEncryptionOf(pdf: PDF): StandardEncryption {
  const handler = pdf.context.info.securityHandler;
  if (!handler) throw new KysoError('DOCUMENT_ENCRYPTED', 'unsupported security handler (not the standard password handler) or no /ID');
  const e = handler.encryption;
  const id = pdf.context.info.trailer.getArray('ID')?.at(0);
  return {
    revision: e.revision,
    keyLength: e.version === 1 ? 5 : Math.floor(e.keyLengthBits / 8),
    owner: e.ownerHash,
    user: e.userHash,
    ...(e.userEncryptionKey ? { userKey: e.userEncryptionKey } : {}),
    permissions: e.permissionsRaw,
    encryptMetadata: e.encryptMetadata,
    id0: id instanceof PdfString ? id.bytes : new Uint8Array(0),
  };
}

export function documentEncryption(pdf: PDF): DocumentEncryption {
  const standard = standardEncryptionOf(pdf);
  if (!pdf.isAuthenticated) throw new KysoError('DOCUMENT_ENCRYPTED', NEEDS_PASSWORD);
  const e = pdf.context.info.securityHandler!.encryption;
  const fileKey = emptyUserPasswordKey(standard);
  if (!fileKey) throw new KysoError('DOCUMENT_ENCRYPTED', NEEDS_PASSWORD);
  const legacy = e.version < 4;
  const strings = legacy ? 'rc4' : filterMethod(e.stringFilter, e.cryptFilters);
  const streams = legacy ? 'rc4' : filterMethod(e.streamFilter, e.cryptFilters);
  const p = e.permissionsRaw;
  const signingAllowed = pdf.hasOwnerAccess() || (p & (1 << 5)) !== 0 || (e.revision >= 3 && (p & (1 << 8)) !== 0);
  return { revision: e.revision, permissions: p, crypt: objectCrypt(fileKey, strings, streams, e.encryptMetadata), signingAllowed };
}

/** Refuses an update (signature, timestamp, validation data) that the author's permissions forbid. */
export function assertMayAddSignature(encryption: DocumentEncryption | undefined): void {
  if (encryption && !encryption.signingAllowed) {
    throw new KysoError('DOCUMENT_SIGNING_FORBIDDEN', `permissions /P ${encryption.permissions} (R${encryption.revision}) allow neither annotations nor form filling`);
  }
}
