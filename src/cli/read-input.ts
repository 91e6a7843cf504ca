/** Reads a command-line input file, mapping I/O failures to FILE_NOT_FOUND with the path and reason. */
import { readFile } from 'node:fs/promises';
import { KysoError } from '../core/errors.js';

export async function readInput(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new KysoError('FILE_NOT_FOUND', `${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}
