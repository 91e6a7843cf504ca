/**
 * Reads a command-line input file once, into one buffer: I/O failures are FILE_NOT_FOUND with the path and
 * reason; a file larger than Kyso can hold is TOO_LARGE with the limit named (never the runtime's own error).
 *
 * Documents are read into shared memory: the document worker that parses them (core/isolation) then sees the
 * same bytes instead of a copy, and the signed file is written as these bytes followed by the update.
 */
import { open } from 'node:fs/promises';
import { constants } from 'node:buffer';
import { KysoError } from '../core/errors.js';
import { PDF_MAX_OFFSET } from '../core/signed-output.js';

/**
 * The largest input: what one buffer of this runtime holds (`buffer.constants.MAX_LENGTH`), and what a PDF can
 * address (its offsets and /ByteRange are integers of at most 2^31 − 1, ISO 32000-1 Annex C).
 */
export const MAX_INPUT_BYTES = Math.min(constants.MAX_LENGTH, PDF_MAX_OFFSET);

/** One read call moves at most this much (the system's read caps near 2 GiB). */
const CHUNK = 1 << 30;

export interface ReadInputOptions {
  /** Back the bytes with a SharedArrayBuffer, for documents handed to a worker. */
  shared?: boolean;
  maxBytes?: number;
}

export async function readInput(file: string, options: ReadInputOptions = {}): Promise<Uint8Array> {
  const max = options.maxBytes ?? MAX_INPUT_BYTES;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw new KysoError('FILE_NOT_FOUND', `${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
  try {
    const { size } = await handle.stat();
    if (size > max) throw new KysoError('TOO_LARGE', `${file}: ${size} byte; tối đa / at most ${max} byte`);
    const bytes = new Uint8Array(options.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(CHUNK, size - at), at);
      if (bytesRead === 0) break; // the file shrank meanwhile: what was there
      at += bytesRead;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } catch (cause) {
    if (cause instanceof KysoError) throw cause;
    throw new KysoError('FILE_NOT_FOUND', `${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  } finally {
    await handle.close();
  }
}
