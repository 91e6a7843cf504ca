/**
 * Writes a file all-or-nothing: a temporary sibling, fsync, then rename over the target. A failed or interrupted
 * write leaves the old file (or none), never half of the new one. The one way Kyso writes files it owns (settings,
 * the TLS profile) and the files it produces (signed documents).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Permissions of the file (default 0600: Kyso's own state is the user's only). */
  mode?: number;
  /** Permissions of missing parent folders, created on the way (default 0700). */
  dirMode?: number;
}

/** `data` may come in pieces, written in order (a signed PDF: the original, then its update), so none is joined. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array | readonly Uint8Array[], options: AtomicWriteOptions = {}): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: options.dirMode ?? 0o700 });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const pieces = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  try {
    const fd = openSync(tmp, 'wx', options.mode ?? 0o600);
    try {
      for (const bytes of pieces) {
        // One write moves at most about 2 GiB: large pieces take several.
        for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 30));
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
