/**
 * Reads the file a person picked for a site (terminal or Kyso's window): refuses what is larger than the
 * request allows before reading it, and keeps only the name (the site never learns the folder).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { KysoError } from '../../core/errors.js';
import type { ChosenFile, FileRequest } from '../prompter.js';

export async function readChosenFile(file: string, request: FileRequest): Promise<ChosenFile> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new KysoError('FILE_NOT_FOUND', path.basename(file));
  if (info.size > request.maxBytes) throw new KysoError('TOO_LARGE', `${info.size} bytes, at most ${request.maxBytes}`);
  return { name: path.basename(file), bytes: new Uint8Array(await readFile(file)) };
}
