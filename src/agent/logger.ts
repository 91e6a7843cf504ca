/**
 * The agent's log: structured (one JSON object a line, as pino wrote it: `level` 10–60, ISO `time`, `component`,
 * the fields, `msg`) and limited to what happened — connection, origin, method, file name, size, duration,
 * outcome and error code. It never receives a PIN, document bytes, digests or signatures: callers pass only the
 * fields below (`RequestLogEntry`), and the redaction list is a second line of defence should a future caller pass
 * a whole params object. Its own few lines rather than pino: the agent used four of pino's methods, and pino with
 * its helpers was a third of the code `kyso serve` compiled before it could listen.
 */
import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Severities as pino numbered them, so the log reads as before. */
const SEVERITY = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Severity = keyof typeof SEVERITY;
export type LogLevel = Severity | 'silent';

/** Where lines go: each call is one whole line, newline included. */
export interface LogStream {
  write(line: string): void;
}

export type LogMethod = (fields: object, msg?: string) => void;
export type AgentLogger = { readonly level: LogLevel } & Record<Severity, LogMethod>;

/** Keys never written, at any depth of a line's fields. */
export const REDACTED_KEYS = ['pin', 'document', 'digest', 'signature', 'params', 'bytes', 'der', 'certificate', 'image', 'password'];

/** A log file stops growing here and is rotated: `.1` then `.2` are kept, older ones dropped. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 2;

export interface LoggerOptions {
  level?: LogLevel;
  /** A file to append to (created 0600, its missing folders 0700), a stream (tests), or stderr when absent. */
  file?: string;
  stream?: LogStream;
  /** Rotation of `file` (defaults LOG_MAX_BYTES, LOG_KEEP). */
  maxBytes?: number;
  keep?: number;
}

/**
 * The log file: the user's only (it names the sites they use and the files they sign), whatever the umask,
 * and bounded — an agent left running for months must not fill the disk. Writes are synchronous, so a crash
 * loses no line.
 */
export class RotatingLogFile implements LogStream {
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

const REDACTED = new Set(REDACTED_KEYS);
const CENSOR = '[redacted]';

/** Standard error, written synchronously (a crash loses no line). */
const STDERR: LogStream = { write: (line) => { writeSync(2, line); } };

export function createAgentLogger(options: LoggerOptions = {}): AgentLogger {
  const level = options.level ?? 'info';
  const threshold = level === 'silent' ? Infinity : SEVERITY[level];
  const out = options.stream ?? (options.file ? new RotatingLogFile(options.file, options.maxBytes, options.keep) : STDERR);
  const method = (severity: Severity): LogMethod => {
    const n = SEVERITY[severity];
    return (fields, msg) => {
      if (n < threshold) return;
      out.write(`${line(n, fields, msg)}\n`);
    };
  };
  return {
    level,
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    fatal: method('fatal'),
  };
}

/** One line; the redacted keys are censored at any depth (pino's list covered two levels). */
function line(level: number, fields: object, msg: string | undefined): string {
  const entry = { level, time: new Date().toISOString(), component: 'kyso-agent', ...fields, ...(msg !== undefined ? { msg } : {}) };
  try {
    return JSON.stringify(entry, (key, value: unknown) => (REDACTED.has(key) ? CENSOR : typeof value === 'bigint' ? value.toString() : value));
  } catch {
    // A field JSON cannot write (a cycle): the line still says what happened, without the fields.
    return JSON.stringify({ level, time: entry.time, component: 'kyso-agent', msg, logError: 'fields not serializable' });
  }
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
