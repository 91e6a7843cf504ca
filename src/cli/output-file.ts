/**
 * The file a command writes (`-o`): checked before any PIN is asked, written all-or-nothing, never over an
 * existing file unless `--force`. A folder that cannot take the file is OUTPUT_NOT_WRITABLE with the reason.
 */
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { KysoError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/atomic-write.js';

/** Reasons a folder refuses a file, as the system names them. */
const NOT_WRITABLE = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EISDIR', 'ENOSPC', 'EDQUOT', 'EEXIST']);

function notWritable(file: string, err: unknown): KysoError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && NOT_WRITABLE.has(code)) return new KysoError('OUTPUT_NOT_WRITABLE', `${file}: ${code}`, { cause: err });
  return new KysoError('OUTPUT_NOT_WRITABLE', `${file}: ${(err as Error).message}`, { cause: err });
}

/**
 * Everything that would make the final write fail, found now: the file exists (without `force`), is a folder,
 * or its folder is missing, not a folder, read-only or refuses new files. A probe file is created and removed,
 * because permission bits lie (root, ACLs, read-only mounts, sysfs): only a real create tells.
 */
export function checkOutputPath(file: string, force = false): void {
  let existing;
  try { existing = statSync(file); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw notWritable(file, err);
  }
  if (existing?.isDirectory()) throw new KysoError('OUTPUT_NOT_WRITABLE', `${file}: EISDIR`);
  if (existing && !force) throw new KysoError('OUTPUT_EXISTS', file);
  const dir = path.dirname(path.resolve(file));
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    const probe = path.join(dir, `.kyso-${randomBytes(4).toString('hex')}.probe`);
    closeSync(openSync(probe, 'wx', 0o600));
    rmSync(probe, { force: true });
  } catch (err) {
    throw notWritable(file, err);
  }
}

/**
 * Writes the result: the same refusals as checkOutputPath (the file may have appeared meanwhile), then atomically.
 * Pieces are written one after the other (a signed PDF: the original bytes, then the update), never joined.
 */
export function writeOutput(file: string, bytes: Uint8Array | readonly Uint8Array[], force = false): void {
  if (!force && existsSync(file)) throw new KysoError('OUTPUT_EXISTS', file);
  try {
    // A document the user keeps: ordinary permissions.
    writeFileAtomicSync(file, bytes, { mode: 0o644, dirMode: 0o755 });
  } catch (err) {
    throw notWritable(file, err);
  }
}
