/**
 * The agent's log: structured (pino, one JSON object a line) and limited to what happened — connection,
 * origin, method, file name, size, duration, outcome and error code. It never receives a PIN, document bytes,
 * digests or signatures: callers pass only the fields below (`RequestLogEntry`), and the redaction list is a
 * second line of defence should a future caller pass a whole params object.
 */
import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';

export type AgentLogger = Logger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Keys never written, wherever they appear (two levels deep). */
export const REDACTED_KEYS = ['pin', 'document', 'digest', 'signature', 'params', 'bytes', 'der', 'certificate', 'image', 'password'];

/** A log file stops growing here and is rotated: `.1` then `.2` are kept, older ones dropped. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 2;

export interface LoggerOptions {
  level?: LogLevel;
  /** A file to append to (created 0600, its missing folders 0700), a stream (tests), or stderr when absent. */
  file?: string;
  stream?: DestinationStream;
  /** Rotation of `file` (defaults LOG_MAX_BYTES, LOG_KEEP). */
  maxBytes?: number;
  keep?: number;
}

/**
 * The log file: the user's only (it names the sites they use and the files they sign), whatever the umask,
 * and bounded — an agent left running for months must not fill the disk. Writes are synchronous, as pino's
 * sync destination was, so a crash loses no line.
 */
export class RotatingLogFile implements DestinationStream {
  private fd = -1;
  private size = 0;

  constructor(readonly file: string, private readonly maxBytes = LOG_MAX_BYTES, private readonly keep = LOG_KEEP) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.open();
  }

  private open(): void {
    this.fd = openSync(this.file, 'a', 0o600);
    fchmodSync(this.fd, 0o600); // an older file may have been made under a wider umask
    this.size = fstatSync(this.fd).size;
  }

  write(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
    for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.size += bytes.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    for (let i = this.keep; i >= 1; i--) {
      const from = i === 1 ? this.file : `${this.file}.${i - 1}`;
      try { renameSync(from, `${this.file}.${i}`); } catch { /* not there yet */ }
    }
    this.open();
  }
}

export function createAgentLogger(options: LoggerOptions = {}): AgentLogger {
  const opts = {
    level: options.level ?? 'info',
    base: { component: 'kyso-agent' },
    redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.stream) return pino(opts, options.stream);
  if (options.file) return pino(opts, new RotatingLogFile(options.file, options.maxBytes, options.keep));
  return pino(opts, pino.destination({ fd: 2, sync: true }));
}

/** What one answered request leaves in the log. */
export interface RequestLogEntry {
  conn: number;
  origin: string;
  method: string;
  id?: string | number;
  fileName?: string;
  /** Decoded size of the document or digest, bytes. */
  size?: number;
  durationMs: number;
  outcome: 'ok' | 'error';
  code?: string;
  detail?: string;
}

/** A display name for the log: bounded, no control characters. */
export function safeName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 255);
}
