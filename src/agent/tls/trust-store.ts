/**
 * A place the user's browsers take trusted roots from, behind one interface: the Windows user root store, the
 * macOS login keychain, an NSS database (Chromium and Firefox on Linux), Firefox's preference to use the
 * system's roots. Each store runs its platform's own tool through an injectable runner, so the arguments are
 * testable anywhere and nothing is ever run through a shell.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

/** Runs a program directly (no shell); never rejects: a missing program is code null. */
export const runCommand: CommandRunner = (file, args) => new Promise((resolve) => {
  execFile(file, [...args], { timeout: 120_000, windowsHide: true, encoding: 'utf8' }, (err, stdout, stderr) => {
    const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
    resolve({ code, stdout: String(stdout ?? ''), stderr: String(stderr ?? (err ? err.message : '')) });
  });
});

/** The CA as the stores need it: its certificate, and the names stores find it by. */
export interface CaCertificate {
  pem: string;
  name: string;
  sha1: string;
  sha256: string;
}

export interface TrustStore {
  /** Stable id, kept in the profile's state (e.g. `nss:/home/u/.pki/nssdb`). */
  readonly id: string;
  /** For people: "Windows (người dùng hiện tại)", "Firefox profile abc.default". */
  readonly label: string;
  install(ca: CaCertificate): Promise<void>;
  remove(ca: CaCertificate): Promise<void>;
}

export class TrustStoreError extends Error {
  constructor(readonly store: string, message: string) {
    super(message);
    this.name = 'TrustStoreError';
  }
}

/** Throws a TrustStoreError naming the tool's own complaint when it failed. */
export function expectSuccess(store: string, tool: string, r: CommandResult): void {
  if (r.code === 0) return;
  const why = (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300);
  throw new TrustStoreError(store, r.code === null ? `${tool} could not be run: ${why}` : `${tool} exited with ${r.code}: ${why}`);
}

/** The tools take a file: the CA certificate in a private temporary directory, removed afterwards. */
export async function withPemFile<T>(pem: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-ca-'));
  try {
    const file = path.join(dir, 'kyso-local-ca.crt');
    writeFileSync(file, pem, { mode: 0o600 });
    return await fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
