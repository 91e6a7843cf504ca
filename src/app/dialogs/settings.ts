/**
 * The settings window: PKCS#11 module paths (added only through the OS file dialog, `chooseModule`), default
 * TSA and its credentials, default appearance, port, PIN cache, log level, autostart, allowed sites, and extra
 * trust anchors (added only through the OS file dialog, `addTrustAnchor`: the host reads and validates the file,
 * the page only sees names and fingerprints and can keep or drop them), and remote signing accounts (a preset
 * provider, the CCCD/MST or phone, a label; no password).
 */
import type { KysoSettingsBridge, SettingsDialogRequest, SettingsDialogResult, TrustAnchorView } from '../../ui/kit/protocol.js';
import type { DialogSpec } from '../dialog-host.js';
import { PIN_CACHE_CHOICES, settingsResultSchema, trustAnchorsFromFile, trustAnchorView, type StoredTrustAnchor } from '../settings.js';
import { checkRemoteChange } from '../remote-accounts.js';
import type { RemoteProvider } from '../../core/remote/types.js';

export interface SettingsCalls extends Pick<KysoSettingsBridge, 'chooseModule' | 'installLocalCertificate'> {
  /** The OS file dialog for a certificate file, and its bytes (null: cancelled). */
  chooseCertificateFile(): Promise<{ name: string; bytes: Uint8Array } | null>;
}

/** What the user picked in this window, for the host to accept in the answer. */
export interface SettingsChoices {
  modules: Set<string>;
  /** Anchors read from the files picked, by fingerprint. */
  anchors: Map<string, StoredTrustAnchor>;
}

export function settingsDialog(calls: SettingsCalls, chosen: SettingsChoices, providers: readonly RemoteProvider[] = []): DialogSpec<SettingsDialogRequest, SettingsDialogResult> {
  return {
    kind: 'settings',
    parse: (raw, request) => {
      // Remote accounts are checked on their own (remote-accounts.ts): only presets offered, well-formed accounts.
      const { remoteAccounts, ...rest } = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      const result = settingsResultSchema.parse(rest) as SettingsDialogResult;
      if (remoteAccounts !== undefined) {
        if (!request.remote) throw new Error('no remote signing accounts here');
        result.remoteAccounts = checkRemoteChange(remoteAccounts, request.remote, providers);
      }
      // A module path is either one the user already had or one picked in the OS file dialog just now:
      // the page cannot type one in.
      const known = new Set([...request.settings.modulePaths, ...chosen.modules]);
      const unknown = result.modulePaths.filter((p) => !known.has(p));
      if (unknown.length) throw new Error('module paths must come from the file dialog');
      // Likewise a trust anchor: one already stored, or one read from a file the user picked now.
      const anchors = new Set([...request.settings.trustAnchors.map((a) => a.fingerprint), ...chosen.anchors.keys()]);
      if (result.trustAnchors?.some((a) => !anchors.has(a.fingerprint))) throw new Error('trust anchors must come from the file dialog');
      if (!PIN_CACHE_CHOICES.includes(result.pinCacheMinutes)) throw new Error('PIN cache duration not offered');
      return result;
    },
    calls: {
      chooseModule: async () => {
        const file = await calls.chooseModule();
        if (file) chosen.modules.add(file);
        return file;
      },
      installLocalCertificate: () => calls.installLocalCertificate(),
      addTrustAnchor: async (): Promise<TrustAnchorView[] | null> => {
        const file = await calls.chooseCertificateFile();
        if (!file) return null;
        const anchors = trustAnchorsFromFile(file.bytes, file.name);
        for (const a of anchors) chosen.anchors.set(a.fingerprint, a);
        return anchors.map(trustAnchorView);
      },
    },
  };
}
