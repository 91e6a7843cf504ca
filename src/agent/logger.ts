/**
 * The agent's log: structured (pino, one JSON object a line) and limited to what happened — connection,
 * origin, method, file name, size, duration, outcome and error code. It never receives a PIN, document bytes,
 * digests or signatures: callers pass only the fields below (`RequestLogEntry`), and the redaction list is a
 * second line of defence should a future caller pass a whole params object.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';

export type AgentLogger = Logger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Keys never written, wherever they appear (two levels deep). */
export const REDACTED_KEYS = ['pin', 'document', 'digest', 'signature', 'params', 'bytes', 'der', 'certificate', 'image', 'password'];

export interface LoggerOptions {
  level?: LogLevel;
  /** A file to append to (created with its directory), a stream (tests), or stderr when absent. */
  file?: string;
  stream?: DestinationStream;
}

export function createAgentLogger(options: LoggerOptions = {}): AgentLogger {
  const opts = {
    level: options.level ?? 'info',
    base: { component: 'kyso-agent' },
    redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.stream) return pino(opts, options.stream);
  if (options.file) {
    mkdirSync(path.dirname(options.file), { recursive: true });
    return pino(opts, pino.destination({ dest: options.file, append: true, sync: true }));
  }
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
