/**
 * The loopback TLS files in the user's profile (`<dataDir>/tls/`): the server key (0600, the user's only),
 * the server certificate, the CA certificate (to remove it from trust stores later), and `state.json`
 * (which stores hold the CA). Never a CA private key: there is none to write.
 */
import { chmodSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as z from 'zod';
import { writeFileAtomicSync } from '../../core/atomic-write.js';
import type { CaCertificate } from './trust-store.js';

export const TLS_DIR_NAME = 'tls';
export const FILES = { key: 'server.key', cert: 'server.crt', ca: 'ca.crt', state: 'state.json' } as const;

const storeStateSchema = z.object({ installed: z.boolean(), at: z.string().max(40), error: z.string().max(500).optional() }).strip();
const stateSchema = z.object({
  version: z.literal(1),
  ca: z.object({ name: z.string().max(200), sha1: z.string().regex(/^[0-9a-f]{40}$/), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strip(),
  notAfter: z.string().max(40),
  stores: z.record(z.string().max(1000), storeStateSchema),
}).strip();

export type StoreState = z.infer<typeof storeStateSchema>;
export type TlsState = z.infer<typeof stateSchema>;

export interface TlsProfile {
  key: string;
  cert: string;
  ca: CaCertificate;
  notAfter: Date;
  state: TlsState;
}

export const tlsDir = (dataDir: string): string => path.join(dataDir, TLS_DIR_NAME);

/** The profile as found on disk; undefined when absent or unusable (then it is made anew). */
export function readTlsProfile(dataDir: string): TlsProfile | undefined {
  const dir = tlsDir(dataDir);
  const file = (name: string): string => path.join(dir, name);
  if (!Object.values(FILES).every((f) => existsSync(file(f)))) return undefined;
  try {
    const state = stateSchema.parse(JSON.parse(readFileSync(file(FILES.state), 'utf8')));
    const key = readFileSync(file(FILES.key), 'utf8');
    const cert = readFileSync(file(FILES.cert), 'utf8');
    const caPem = readFileSync(file(FILES.ca), 'utf8');
    const server = new X509Certificate(cert);
    const ca = new X509Certificate(caPem);
    if (!server.checkIssued(ca) || !server.verify(ca.publicKey) || !server.checkPrivateKey(createPrivateKey(key))) return undefined;
    if (ca.fingerprint256.replace(/:/g, '').toLowerCase() !== state.ca.sha256) return undefined;
    tightenKeyMode(file(FILES.key));
    return { key, cert, ca: { pem: caPem, ...state.ca }, notAfter: new Date(server.validTo), state };
  } catch {
    return undefined;
  }
}

export function writeTlsProfile(dataDir: string, profile: TlsProfile): void {
  const dir = tlsDir(dataDir);
  // The key first, private from its first byte; the state last, so a crash midway reads as "no profile".
  writeFileAtomicSync(path.join(dir, FILES.key), profile.key, { mode: 0o600 });
  writeFileAtomicSync(path.join(dir, FILES.cert), profile.cert, { mode: 0o644 });
  writeFileAtomicSync(path.join(dir, FILES.ca), profile.ca.pem, { mode: 0o644 });
  writeFileAtomicSync(path.join(dir, FILES.state), `${JSON.stringify(profile.state, null, 2)}\n`);
}

export function writeTlsState(dataDir: string, state: TlsState): void {
  writeFileAtomicSync(path.join(tlsDir(dataDir), FILES.state), `${JSON.stringify(state, null, 2)}\n`);
}

export function deleteTlsProfile(dataDir: string): void {
  rmSync(tlsDir(dataDir), { recursive: true, force: true });
}

/** A key file someone made readable to others is made private again (POSIX; Windows profiles are per-user already). */
function tightenKeyMode(file: string): void {
  if (process.platform === 'win32') return;
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}
