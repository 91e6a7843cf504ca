/**
 * `Kyso --tls-install` / `Kyso --tls-uninstall`: what the installer runs (installers/installer.nsh) to put the
 * local CA in the user's trust stores while the user is watching (Windows asks for confirmation), and to take it
 * out on uninstall. Runs without windows or tray and exits; the tray app also makes the certificate on first
 * start when no installer did (agent/tls/).
 */
import { ensureLoopbackTls, removeLoopbackTls, type TrustOutcome, type TrustStore } from '../agent/tls/index.js';

export const TLS_INSTALL_ARG = '--tls-install';
export const TLS_UNINSTALL_ARG = '--tls-uninstall';

export type TlsSetupCommand = 'install' | 'uninstall';

export function tlsSetupCommand(argv: readonly string[]): TlsSetupCommand | undefined {
  if (argv.includes(TLS_UNINSTALL_ARG)) return 'uninstall';
  if (argv.includes(TLS_INSTALL_ARG)) return 'install';
  return undefined;
}

/** The process exit code: 0 when every store took (or gave up) the CA. */
export async function runTlsSetup(command: TlsSetupCommand, dataDir: string, log: (line: string) => void, stores?: readonly TrustStore[]): Promise<number> {
  let outcomes: TrustOutcome[];
  try {
    outcomes = command === 'install'
      ? (await ensureLoopbackTls(dataDir, { install: 'all', ...(stores ? { stores } : {}) })).trust
      : await removeLoopbackTls(dataDir, stores ? { stores } : {});
  } catch (err) {
    log(`tls ${command} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  for (const t of outcomes) log(`tls ${command} ${t.label}: ${t.ok ? 'ok' : `failed: ${t.error ?? ''}`}`);
  return outcomes.every((t) => t.ok) ? 0 : 1;
}
