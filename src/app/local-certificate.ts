/**
 * The tray app's view of the loopback certificate (agent/tls/): what the settings window shows, and its
 * "add to the browsers again" button, for a user who declined the CA once (Kyso does not ask at every start).
 */
import { discoverTrustStores, ensureLoopbackTls, loopbackTlsStatus, type TrustStore } from '../agent/tls/index.js';
import type { LocalCertificateView } from '../ui/kit/protocol.js';

export interface LocalCertificate {
  status(): LocalCertificateView;
  /** Makes the certificate if needed and tries every store again; the new status. */
  install(): Promise<LocalCertificateView>;
}

export function localCertificate(dataDir: string, stores: () => readonly TrustStore[] = discoverTrustStores): LocalCertificate {
  const status = (): LocalCertificateView => {
    const s = loopbackTlsStatus(dataDir);
    const labels = new Map(stores().map((t) => [t.id, t.label]));
    return {
      present: s.present,
      ...(s.caName ? { caName: s.caName } : {}),
      ...(s.notAfter ? { notAfter: s.notAfter.toISOString() } : {}),
      stores: s.stores.map((t) => ({ label: labels.get(t.store) ?? t.store, installed: t.installed })),
    };
  };
  return {
    status,
    async install() {
      await ensureLoopbackTls(dataDir, { install: 'all', stores: stores() });
      return status();
    },
  };
}
